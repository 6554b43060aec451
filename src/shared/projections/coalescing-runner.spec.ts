import { CoalescingRunner } from './coalescing-runner.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('CoalescingRunner', () => {
  it('runs at once when idle, and coalesces callers that arrive during a run into one follow-up run', async () => {
    const runner = new CoalescingRunner();
    const gates = [deferred(), deferred()];
    let runs = 0;
    const work = (): Promise<void> => gates[runs++].promise;
    const first = runner.run('day', work);
    const waiting = [runner.run('day', work), runner.run('day', work), runner.run('day', work)];
    expect(runs).toBe(1);
    gates[0].resolve();
    await first;
    await Promise.resolve();
    expect(runs).toBe(2); // one follow-up for the three callers
    gates[1].resolve();
    await Promise.all(waiting);
    expect(runs).toBe(2);
    expect(runner.size).toBe(0);
  });

  it('a caller never gets a run that started before its call', async () => {
    const runner = new CoalescingRunner();
    const started: number[] = [];
    const gates = [deferred(), deferred(), deferred()];
    let runs = 0;
    const work = (): Promise<void> => {
      started.push(Date.now());
      return gates[runs++].promise;
    };
    void runner.run('k', work);
    const second = runner.run('k', work); // queued behind run 1
    gates[0].resolve();
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(2); // run 2 is running now
    const third = runner.run('k', work); // must wait for a run that starts after this call
    gates[1].resolve();
    await second;
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(3);
    gates[2].resolve();
    await third;
  });

  it('a failed run rejects its callers; the follow-up still runs; keys are independent', async () => {
    const runner = new CoalescingRunner();
    const gate = deferred();
    let runs = 0;
    const failing = runner.run('a', () => {
      runs++;
      return gate.promise;
    });
    const follow = runner.run('a', () => {
      runs++;
      return Promise.resolve();
    });
    const other = runner.run('b', () => Promise.resolve());
    gate.reject(new Error('boom'));
    await expect(failing).rejects.toThrow('boom');
    await expect(follow).resolves.toBeUndefined();
    await other;
    expect(runs).toBe(2);
    expect(runner.size).toBe(0);
  });
});
