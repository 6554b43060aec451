/**
 * SIGTERM and SIGINT for the service and the CLIs. The first signal runs `shutdown` (once) and
 * exits with the code it resolves with. Later signals are only logged: a terminal's Ctrl-C reaches
 * `npm start` and the service both, and npm forwards it, so one key press delivers two SIGINTs.
 *
 * The forced exit is the last resort, not the plan: `timeoutMs` (SHUTDOWN_TIMEOUT_MS) after the
 * first signal the process exits with code 1 and a line saying which step was still running. The
 * timer is not unref'd: a shutdown stuck on a promise nothing will settle still ends with it.
 */
import type { LoggerService } from '@nestjs/common';

export interface ShutdownSignalOptions {
  /** Stops everything; resolves with the exit code. */
  shutdown(signal: NodeJS.Signals): Promise<number>;
  timeoutMs: number;
  /** Ends the process (main.ts flushes its log first). */
  exit(code: number): void;
  logger: LoggerService;
  /** The step the shutdown is at, for the forced-exit line. */
  step?: () => string | undefined;
}

/** Installs the handlers; returns a function that removes them (tests). */
export function onShutdownSignals(o: ShutdownSignalOptions): () => void {
  let startedAt: number | undefined;
  const handle = (signal: NodeJS.Signals): void => {
    if (startedAt !== undefined) {
      o.logger.warn(
        `${signal} received again: still shutting down (${Date.now() - startedAt} ms so far, ` +
          `forced exit at ${o.timeoutMs} ms)`,
      );
      return;
    }
    const started = Date.now();
    startedAt = started;
    o.logger.log(`${signal} received: shutting down (forced exit after ${o.timeoutMs} ms)`);
    const forced = setTimeout(() => {
      const step = o.step?.();
      o.logger.error(
        `shutdown did not finish within ${o.timeoutMs} ms (SHUTDOWN_TIMEOUT_MS)` +
          `${step ? `, still ${step}` : ''}: exiting with code 1`,
      );
      o.exit(1);
    }, o.timeoutMs);
    o.shutdown(signal).then(
      (code) => {
        clearTimeout(forced);
        o.logger.log(`shut down in ${Date.now() - started} ms`);
        o.exit(code);
      },
      (e: unknown) => {
        clearTimeout(forced);
        o.logger.error(`shutdown failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        o.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
  return () => {
    process.off('SIGTERM', handle);
    process.off('SIGINT', handle);
  };
}
