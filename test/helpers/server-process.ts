/**
 * Child-process entry for tests and the benchmark: starts the embedded server and prints exactly one
 * JSON line `{"uri", "host", "port", "pid"}` on stdout once it accepts connections.
 *
 *   node dist/test/helpers/server-process.js [--port 0] [--host 127.0.0.1] [--dbpath DIR] [--log-level warn]
 *        [--max-conns N] [--cursor-timeout-ms MS]
 *        [--enable-test-commands]   (configureFailPoint, as mongod --setParameter enableTestCommands=1)
 *        [--transaction-lifetime-limit-seconds S]   (default 60, as mongod)
 *
 * When node runs with --expose-gc, SIGUSR2 runs a full garbage collection and prints one JSON line
 * `{"gc": {"rss", "heapUsed"}}` (bytes, after the collection) on stdout.
 *
 * SIGTERM/SIGINT stop the server cleanly (exit 0). The child also stops when its stdin closes, so a
 * parent that dies (a crashed jest worker) never leaves a server behind. SIGKILL is the crash case.
 */
import { parseArgs } from 'node:util';
import { startEmbeddedMongo, type EmbeddedMongo, type LogLevel } from '../../src/embedded-mongo/index.js';

const LOG_LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error', 'silent'];

function isLogLevel(value: string): value is LogLevel {
  return LOG_LEVELS.includes(value);
}

function optionalNumber(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      dbpath: { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
      'max-conns': { type: 'string' },
      'cursor-timeout-ms': { type: 'string' },
      'enable-test-commands': { type: 'boolean', default: false },
      'transaction-lifetime-limit-seconds': { type: 'string' },
    },
  });
  const logLevel = values['log-level'];
  if (!isLogLevel(logLevel)) throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const server: EmbeddedMongo = await startEmbeddedMongo({
    port: Number(values.port),
    host: values.host,
    dbPath: values.dbpath,
    logLevel,
    maxIncomingConnections: optionalNumber(values['max-conns']),
    cursorTimeoutMillis: optionalNumber(values['cursor-timeout-ms']),
    enableTestCommands: values['enable-test-commands'],
    transactionLifetimeLimitSeconds: optionalNumber(values['transaction-lifetime-limit-seconds']),
  });
  process.stdout.write(
    JSON.stringify({ uri: server.uri, host: server.host, port: server.port, pid: process.pid }) + '\n',
  );

  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`server-process: stop after ${reason} failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    process.on('SIGUSR2', () => {
      gc();
      const { rss, heapUsed } = process.memoryUsage();
      process.stdout.write(JSON.stringify({ gc: { rss, heapUsed } }) + '\n');
    });
  }
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('error', () => stop('stdin error'));
  process.stdin.resume();
}

main().catch((err: unknown) => {
  process.stderr.write(
    `server-process: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exit(1);
});
