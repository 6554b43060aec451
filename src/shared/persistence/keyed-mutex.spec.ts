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
