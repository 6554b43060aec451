/**
 * `npm run mongo -- --port 27017 --dbpath ./.data/mongo`: runs the embedded server alone so any
 * MongoDB tool (mongosh, Compass, the driver) can connect to it. Stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startEmbeddedMongo } from './index.js';
import type { LogLevel } from './logger.js';

const USAGE = `Usage: npm run mongo -- [--port 27017] [--host 127.0.0.1] [--dbpath DIR | --in-memory]
                       [--replSet rs0] [--log-level info] [--enable-test-commands]
                       [--oplogSize MB] [--oplog-retention-hours H]
                       [--maxConns N (default 10000)] [--cursorTimeoutMillis MS (default 600000)]`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '27017' },
        host: { type: 'string', default: '127.0.0.1' },
        dbpath: { type: 'string', default: './.data/mongo' },
        'in-memory': { type: 'boolean', default: false },
        replSet: { type: 'string', default: 'rs0' },
        'log-level': { type: 'string', default: 'info' },
        'enable-test-commands': { type: 'boolean', default: false },
        oplogSize: { type: 'string' },
        'oplog-retention-hours': { type: 'string' },
        maxConns: { type: 'string' },
        cursorTimeoutMillis: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be an integer between 0 and 65535, got '${values.port}'\n`);
    process.exit(2);
  }
  const level = values['log-level'] as LogLevel;
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(level)) {
    process.stderr.write(`--log-level must be one of debug, info, warn, error, silent\n`);
    process.exit(2);
  }
  const oplogSizeMB = values.oplogSize === undefined ? undefined : Number(values.oplogSize);
  const oplogRetentionHours =
    values['oplog-retention-hours'] === undefined ? undefined : Number(values['oplog-retention-hours']);
  for (const [name, v] of [
    ['--oplogSize', oplogSizeMB],
    ['--oplog-retention-hours', oplogRetentionHours],
  ] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) {
      process.stderr.write(`${name} must be a positive number\n`);
      process.exit(2);
    }
  }
  const maxIncomingConnections = values.maxConns === undefined ? undefined : Number(values.maxConns);
  if (
    maxIncomingConnections !== undefined &&
    !(Number.isInteger(maxIncomingConnections) && maxIncomingConnections > 0)
  ) {
    process.stderr.write(`--maxConns must be a positive integer, got '${values.maxConns}'\n`);
    process.exit(2);
  }
  const cursorTimeoutMillis =
    values.cursorTimeoutMillis === undefined ? undefined : Number(values.cursorTimeoutMillis);
  if (
    cursorTimeoutMillis !== undefined &&
    !(Number.isFinite(cursorTimeoutMillis) && cursorTimeoutMillis > 0)
  ) {
    process.stderr.write(`--cursorTimeoutMillis must be a positive number of milliseconds\n`);
    process.exit(2);
  }
  const server = await startEmbeddedMongo({
    port,
    host: values.host,
    dbPath: values['in-memory'] ? undefined : values.dbpath,
    replSetName: values.replSet,
    logLevel: level,
    enableTestCommands: values['enable-test-commands'],
    oplogSizeMB,
    oplogRetentionHours,
    maxIncomingConnections,
    cursorTimeoutMillis,
  });
  process.stdout.write(`embedded MongoDB listening: ${server.uri}\n`);
  const shutdown = (signal: string): void => {
    process.stdout.write(`${signal}: stopping...\n`);
    server.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`stop failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((e: unknown) => {
  process.stderr.write(`embedded MongoDB failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
