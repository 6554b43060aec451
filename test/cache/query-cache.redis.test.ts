import { jest } from '@jest/globals';
/**
 * QueryCache against a real Redis: REDIS_URL (`.ci/run` sets it), default redis://127.0.0.1:6379.
 * The test tiers need that Redis (README, Tests); without it this suite fails, it is never skipped.
 */
import { randomBytes } from 'node:crypto';
import { QueryCache } from '../../src/shared/cache/query-cache.js';

const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

describe('QueryCache (Redis store)', () => {
  const namespace = `test:${randomBytes(6).toString('hex')}`;
  let a: QueryCache;
  let b: QueryCache;
  beforeAll(() => {
    a = new QueryCache({ redisUrl: url, namespace });
    b = new QueryCache({ redisUrl: url, namespace }); // a second service instance
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('uses Redis and shares entries between instances', async () => {
    expect(a.stats().store).toBe('redis');
    expect(await a.getOrLoad('product:r1', 60, () => Promise.resolve({ price: '1.00' }))).toEqual({
      price: '1.00',
    });
    const loader = jest.fn(() => Promise.resolve({ price: 'other' }));
    expect(await b.getOrLoad('product:r1', 60, loader)).toEqual({ price: '1.00' });
    expect(loader).not.toHaveBeenCalled();
    expect(b.stats()).toMatchObject({ hits: 1, misses: 0, errors: 0 });
  });

  it('an invalidation by one instance is seen by the other on its next read, with no TTL wait', async () => {
    await a.getOrLoad('order:o1', 3600, () => Promise.resolve({ status: 'pending' }));
    await a.getOrLoad('orders:list', 3600, () => Promise.resolve(['o1 pending']), 'customer=c1');
    await b.invalidate(['order:o1', 'orders:list']);
    expect(await a.getOrLoad('order:o1', 3600, () => Promise.resolve({ status: 'confirmed' }))).toEqual({
      status: 'confirmed',
    });
    expect(
      await a.getOrLoad('orders:list', 3600, () => Promise.resolve(['o1 confirmed']), 'customer=c1'),
    ).toEqual(['o1 confirmed']);
  });

  it('a Redis that cannot be reached never fails a query: the loader answers and the error is counted', async () => {
    const down = new QueryCache({ redisUrl: 'redis://127.0.0.1:1', namespace });
    try {
      expect(await down.getOrLoad('product:z', 60, () => Promise.resolve(7))).toBe(7);
      expect(down.stats().errors).toBeGreaterThan(0);
      await expect(down.invalidate(['product:z'])).rejects.toBeDefined();
    } finally {
      await down.close();
    }
  }, 20_000);
});
