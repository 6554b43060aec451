import { jest } from '@jest/globals';
import { ttlForOrderStatus } from './cache-ttl.js';
import { QueryCache } from './query-cache.js';

describe('QueryCache (memory store)', () => {
  let cache: QueryCache;
  beforeEach(() => {
    cache = new QueryCache();
  });
  afterEach(async () => {
    await cache.close();
  });

  it('loads once, then serves from the cache and counts hits and misses', async () => {
    const loader = jest.fn(() => Promise.resolve({ n: 1 }));
    expect(await cache.getOrLoad('product:a', 60, loader)).toEqual({ n: 1 });
    expect(await cache.getOrLoad('product:a', 60, loader)).toEqual({ n: 1 });
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, store: 'memory' });
  });

  it('invalidate makes the next read load again; other keys are untouched', async () => {
    let n = 0;
    const load = () => Promise.resolve(++n);
    await cache.getOrLoad('product:a', 60, load);
    await cache.getOrLoad('product:b', 60, load);
    await cache.invalidate(['product:a']);
    expect(await cache.getOrLoad('product:a', 60, load)).toBe(3);
    expect(await cache.getOrLoad('product:b', 60, load)).toBe(2);
  });

  it('a list family is invalidated with all its variants at once', async () => {
    await cache.getOrLoad('products:search', 60, () => Promise.resolve('q=a'), 'a');
    await cache.getOrLoad('products:search', 60, () => Promise.resolve('q=b'), 'b');
    expect(await cache.getOrLoad('products:search', 60, () => Promise.resolve('x'), 'a')).toBe('q=a');
    await cache.invalidate(['products:search']);
    expect(await cache.getOrLoad('products:search', 60, () => Promise.resolve('new a'), 'a')).toBe('new a');
    expect(await cache.getOrLoad('products:search', 60, () => Promise.resolve('new b'), 'b')).toBe('new b');
  });

  it('a load that started before an invalidation is never served after it', async () => {
    let release!: () => void;
    const slow = cache.getOrLoad(
      'product:a',
      60,
      () => new Promise<string>((r) => (release = () => r('stale'))),
    );
    await new Promise((r) => setImmediate(r));
    await cache.invalidate(['product:a']); // the projection wrote a newer state meanwhile
    release();
    expect(await slow).toBe('stale');
    expect(await cache.getOrLoad('product:a', 60, () => Promise.resolve('fresh'))).toBe('fresh');
  });

  it('entries expire after their TTL', async () => {
    jest.useFakeTimers({ now: Date.now(), doNotFake: ['setImmediate', 'nextTick'] });
    try {
      let n = 0;
      await cache.getOrLoad('product:a', 1, () => Promise.resolve(++n));
      jest.setSystemTime(Date.now() + 1500);
      expect(await cache.getOrLoad('product:a', 1, () => Promise.resolve(++n))).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('the memory store keeps at most memoryMaxEntries entries, dropping the least recently written', async () => {
    const small = new QueryCache({ memoryMaxEntries: 4 });
    try {
      let n = 0;
      for (const k of ['a', 'b', 'c', 'd', 'e'])
        await small.getOrLoad(`product:${k}`, 60, () => Promise.resolve(++n));
      // 5 values written (no generation tokens yet): product:a was written first and is gone
      expect(await small.getOrLoad('product:e', 60, () => Promise.resolve(-1))).toBe(5);
      expect(await small.getOrLoad('product:b', 60, () => Promise.resolve(-1))).toBe(2);
      expect(await small.getOrLoad('product:a', 60, () => Promise.resolve(-1))).toBe(-1);
    } finally {
      await small.close();
    }
  });

  it('undefined is returned but not cached', async () => {
    const loader = jest.fn(() => Promise.resolve(undefined));
    await cache.getOrLoad('product:x', 60, loader);
    await cache.getOrLoad('product:x', 60, loader);
    expect(loader).toHaveBeenCalledTimes(2);
  });
});

describe('ttlForOrderStatus', () => {
  it('pending 60 s, delivered 1 h, anything else 5 min', () => {
    expect(ttlForOrderStatus('pending')).toBe(60);
    expect(ttlForOrderStatus('delivered')).toBe(3600);
    expect(ttlForOrderStatus('shipped')).toBe(300);
    expect(ttlForOrderStatus(undefined)).toBe(300);
  });
});
