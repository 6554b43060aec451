import { OverloadedError, withStartDeadline } from '../overload/overload.js';
import { KeyedMutex } from './keyed-mutex.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('KeyedMutex', () => {
  it('runs work on the same key one at a time, in arrival order', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    let inside = 0;
    let maxInside = 0;
    const job = (name: string) =>
      mutex.runExclusive(['p1'], async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        log.push(`start ${name}`);
        await tick();
        log.push(`end ${name}`);
        inside--;
        return name;
      });
    expect(await Promise.all([job('a'), job('b'), job('c')])).toEqual(['a', 'b', 'c']);
    expect(maxInside).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(mutex.size).toBe(0);
  });

  it('lets different keys run at the same time', async () => {
    const mutex = new KeyedMutex();
    let inside = 0;
    let maxInside = 0;
    const job = (key: string) =>
      mutex.runExclusive([key], async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await tick();
        inside--;
      });
    await Promise.all([job('a'), job('b'), job('c')]);
    expect(maxInside).toBe(3);
  });

  it('releases the key when the work throws', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.runExclusive(['k'], () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.runExclusive(['k'], () => Promise.resolve(1))).resolves.toBe(1);
    expect(mutex.size).toBe(0);
  });

  it('takes several keys in sorted order, so overlapping key sets do not deadlock', async () => {
    const mutex = new KeyedMutex();
    const done: string[] = [];
    const job = (name: string, keys: string[]) =>
      mutex.runExclusive(keys, async () => {
        await tick();
        done.push(name);
      });
    await Promise.all([job('ab', ['a', 'b']), job('ba', ['b', 'a']), job('b', ['b']), job('aa', ['a', 'a'])]);
    expect(done.sort()).toEqual(['aa', 'ab', 'b', 'ba']);
    expect(mutex.size).toBe(0);
  });
});

describe('KeyedMutex: bounded (load shedding)', () => {
  const held = (mutex: KeyedMutex, key: string): (() => void) => {
    const release = mutex.tryAcquire([key]);
    if (!release) throw new Error(`${key} is held`);
    return release;
  };

  it('refuses a waiter past the per-key queue limit with 503 SERVICE.UNAVAILABLE', async () => {
    const mutex = new KeyedMutex({ productQueueLimit: 1 });
    const release = held(mutex, 'p1');
    const waiting = mutex.runExclusive(['p1'], async () => 'second');
    await expect(mutex.runExclusive(['p1'], async () => 'third')).rejects.toMatchObject({
      status: 503,
      code: 'SERVICE.UNAVAILABLE',
    });
    release();
    expect(await waiting).toBe('second');
    expect(mutex.size).toBe(0);
  });

  it('refuses at once when the request start deadline has passed and the key is busy; a free key is still taken', async () => {
    const mutex = new KeyedMutex();
    const release = held(mutex, 'p1');
    const past = Date.now() - 1;
    await expect(
      withStartDeadline(past, () => mutex.runExclusive(['p1'], async () => 1)),
    ).rejects.toBeInstanceOf(OverloadedError);
    expect(await withStartDeadline(past, () => mutex.runExclusive(['p2'], async () => 2))).toBe(2);
    release();
    expect(mutex.size).toBe(0);
  });

  it('a refused multi-key waiter gives back the keys it had taken', async () => {
    const mutex = new KeyedMutex({ productQueueLimit: 0 });
    const release = held(mutex, 'b');
    await expect(mutex.runExclusive(['a', 'b'], async () => 1)).rejects.toBeInstanceOf(OverloadedError);
    expect(mutex.tryAcquire(['a'])).toBeDefined();
    release();
  });

  it('scope: free keys are taken at once (true); busy keys after waiting (false); the same keys again: true', async () => {
    const mutex = new KeyedMutex();
    const first = mutex.scope();
    expect(await first.take(['p2', 'p1'])).toBe(true);
    const second = mutex.scope();
    const taking = second.take(['p1']);
    await tick();
    first.release();
    expect(await taking).toBe(false);
    expect(await second.take(['p1'])).toBe(true);
    second.release();
    second.release();
    expect(mutex.size).toBe(0);
  });
});
