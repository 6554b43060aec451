/**
 * The service's log destination: stdout through an asynchronous sonic-boom (`pino.destination`
 * with `sync: false`). A log call only appends to a buffer; the buffer goes to the file descriptor
 * in one write while the event loop runs, so a burst of request lines costs one system call, not
 * one each (a synchronous destination wrote every line before the response could go on).
 *
 * What an asynchronous destination can lose is the tail of the buffer when the process ends, so:
 * - `flush()` writes whatever is buffered synchronously; main.ts calls it before every exit it
 *   makes (shutdown, start-up failure);
 * - `exitOnFatal()` turns an uncaught exception (or unhandled rejection) into a `fatal` line, a
 *   flush and exit code 1, the exit Node would have made, with the line written;
 * - pino itself also flushes on `process.exit()` (an 'exit' hook), which covers the exits made
 *   elsewhere (e.g. the embedded database thread failing).
 */
import { Logger } from '@nestjs/common';
import { destination, type DestinationStream } from 'pino';

export interface LogDestination {
  stream: DestinationStream;
  /** Writes everything buffered, synchronously (safe to call at any time, also repeatedly). */
  flush(): void;
}

export function asyncStdout(): LogDestination {
  const stream = destination({ dest: 1, sync: false });
  return {
    stream,
    flush: () => {
      try {
        stream.flushSync();
      } catch {
        // not open yet (nothing written) or the reader has gone: nothing more can be written
      }
    },
  };
}

/** Logs an uncaught error as `fatal`, flushes the destination and exits with code 1. */
export function exitOnFatal(logs: LogDestination): void {
  const fatal = (error: unknown): void => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    new Logger('Process').fatal(`uncaught error, exiting: ${text}`);
    logs.flush();
    process.exit(1);
  };
  process.on('uncaughtException', fatal);
}
