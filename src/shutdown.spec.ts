import { onShutdownSignals, type ShutdownSignalOptions } from './shutdown.js';

function harness(shutdown: ShutdownSignalOptions['shutdown'], timeoutMs = 10_000) {
  const lines: string[] = [];
  const exits: number[] = [];
  const log = (level: string) => (m: unknown) => void lines.push(`${level} ${String(m)}`);
  const remove = onShutdownSignals({
    shutdown,
    timeoutMs,
    exit: (code) => void exits.push(code),
    logger: { log: log('log'), warn: log('warn'), error: log('error') },
    step: () => 'closing the application',
  });
  return { lines, exits, remove };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('onShutdownSignals', () => {
  it('runs the shutdown once on the first signal and exits with its code; later signals are only logged', async () => {
    let calls = 0;
    let finish: (code: number) => void = () => undefined;
    const h = harness(
      () =>
        new Promise<number>((resolve) => {
          calls++;
          finish = resolve;
        }),
    );
    try {
      process.emit('SIGTERM', 'SIGTERM');
      process.emit('SIGINT', 'SIGINT');
      await tick();
      expect(calls).toBe(1);
      expect(h.exits).toEqual([]);
      expect(h.lines[0]).toBe('log SIGTERM received: shutting down (forced exit after 10000 ms)');
      expect(h.lines[1]).toMatch(/^warn SIGINT received again: still shutting down/);
      finish(0);
      await tick();
      expect(h.exits).toEqual([0]);
      expect(h.lines[2]).toMatch(/^log shut down in \d+ ms$/);
    } finally {
      h.remove();
    }
  });

  it('forces the exit with code 1 after the timeout, naming the step still running', async () => {
    const h = harness(() => new Promise<number>(() => undefined), 30);
    try {
      process.emit('SIGTERM', 'SIGTERM');
      await tick(80);
      expect(h.exits).toEqual([1]);
      expect(h.lines).toContain(
        'error shutdown did not finish within 30 ms (SHUTDOWN_TIMEOUT_MS), still closing the application: exiting with code 1',
      );
    } finally {
      h.remove();
    }
  });

  it('a failed shutdown exits with code 1', async () => {
    const h = harness(() => Promise.reject(new Error('embedded server did not stop')));
    try {
      process.emit('SIGINT', 'SIGINT');
      await tick();
      expect(h.exits[0]).toBe(1);
      expect(
        h.lines.some((l) => l.startsWith('error shutdown failed: Error: embedded server did not stop')),
      ).toBe(true);
    } finally {
      h.remove();
    }
  });
});
