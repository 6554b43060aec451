import { CommandAdmission } from './command-admission.js';
import { OverloadedError, startDeadline } from './overload.js';

const admission = (concurrency: number, queueLimit: number, queueTimeoutMs = 60_000): CommandAdmission =>
  new CommandAdmission({
    commandConcurrency: concurrency,
    commandQueueLimit: queueLimit,
    commandQueueTimeoutMs: queueTimeoutMs,
  });

/** A command that runs until `finish()` is called. */
function blocking(): { work: () => Promise<string>; finish: () => void; started: Promise<void> } {
  let finish!: () => void;
  let started!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  const done = new Promise<void>((r) => (finish = r));
  return {
    work: async () => {
      started();
      await done;
      return 'done';
    },
    finish: () => finish(),
    started: startedP,
  };
}

describe('CommandAdmission', () => {
  it('runs up to `concurrency` commands, queues up to `queueLimit`, refuses the next with 503 at once', async () => {
    const a = admission(1, 1);
    const first = blocking();
    const second = blocking();
    const running = a.run(first.work);
    await first.started;
    const queued = a.run(second.work);
    expect(a.load).toEqual({ running: 1, waiting: 1 });
    await expect(a.run(async () => 'third')).rejects.toMatchObject({
      status: 503,
      code: 'SERVICE.UNAVAILABLE',
    });
    first.finish();
    await second.started;
    second.finish();
    expect(await Promise.all([running, queued])).toEqual(['done', 'done']);
    expect(a.load).toEqual({ running: 0, waiting: 0 });
  });

  it('a command waits at most its start budget, then 503', async () => {
    const a = admission(1, 10, 1);
    const first = blocking();
    const running = a.run(first.work);
    await first.started;
    await expect(a.run(async () => 'late')).rejects.toBeInstanceOf(OverloadedError);
    expect(a.load).toEqual({ running: 1, waiting: 0 });
    first.finish();
    await running;
  });

  it('hands its start deadline to the command (for the queues it waits in later)', async () => {
    const a = admission(1, 0, 5_000);
    const before = Date.now();
    const deadline = await a.run(async () => startDeadline());
    expect(deadline).toBeGreaterThanOrEqual(before + 5_000);
    expect(startDeadline()).toBeUndefined();
  });

  it('a failing command frees its slot', async () => {
    const a = admission(1, 0);
    await expect(a.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await a.run(async () => 'next')).toBe('next');
  });
});
