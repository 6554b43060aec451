/**
 * `npm run seed`: fills an empty database with the demo dataset (see src/seed/), through the
 * service's own CommandBus, and prints a progress line every 10 %.
 *
 *   npm run seed -- [--seed N] [--products N] [--customers N] [--orders N] [--concurrency N] [--reset]
 *
 * Uses the same configuration as `npm start` (MONGODB_URI, or the embedded server's data in
 * EMBEDDED_MONGO_DBPATH; stop `npm start` first, the embedded data directory has one owner). The
 * seed value defaults to SEED (42). A database that already has products is left alone unless
 * `--reset` is given, which drops the write and read databases first (refused in production).
 * Ctrl-C (SIGINT) or SIGTERM stops it between two commands, keeps what was added and exits 1.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { parseArgs } from 'node:util';
import { createApp } from '../bootstrap.js';
import { ConfigError, loadConfig } from '../config/env.js';
import { DEFAULT_SIZES } from '../seed/demo-plan.js';
import { DEFAULT_CONCURRENCY, isEmptyDatabase, seedDemoData, SeedStopped } from '../seed/seed-runner.js';
import { READ_CONNECTION, WRITE_CONNECTION } from '../shared/persistence/connections.js';
import { onShutdownSignals } from '../shutdown.js';

const USAGE =
  'Usage: npm run seed -- [--seed N] [--products N] [--customers N] [--orders N] [--concurrency N] [--reset]';

function count(name: string, value: string | undefined, def: number, max: number): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    process.stderr.write(`--${name} must be an integer from 0 to ${max}\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      products: { type: 'string' },
      customers: { type: 'string' },
      orders: { type: 'string' },
      concurrency: { type: 'string' },
      reset: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const config = loadConfig();
  const seed = count('seed', values.seed, config.seedValue, 2 ** 31 - 1);
  const sizes = {
    products: count('products', values.products, DEFAULT_SIZES.products, 100_000),
    customers: count('customers', values.customers, DEFAULT_SIZES.customers, 100_000),
    orders: count('orders', values.orders, DEFAULT_SIZES.orders, 1_000_000),
  };
  const concurrency = Math.max(1, count('concurrency', values.concurrency, DEFAULT_CONCURRENCY, 64));
  if (values.reset && config.nodeEnv === 'production') {
    process.stderr.write('--reset drops the databases and is refused when NODE_ENV=production\n');
    process.exit(2);
  }
  const running = await createApp(config);
  const stop = new AbortController();
  let finished: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (finished = resolve));
  onShutdownSignals({
    timeoutMs: config.shutdownTimeoutMs,
    exit: (code) => process.exit(code),
    logger: new Logger('Seed'),
    step: () => running.closing ?? 'stopping the seed between two commands',
    shutdown: async () => {
      stop.abort();
      await closed;
      return 1;
    },
  });
  try {
    if (values.reset) {
      const write = running.app.get<Connection>(getConnectionToken(WRITE_CONNECTION));
      await write.dropDatabase();
      await running.app.get<Connection>(getConnectionToken(READ_CONNECTION)).dropDatabase();
      // Recreate the write model's indexes (unique keys) before the first command.
      for (const name of write.modelNames()) await write.model(name).createIndexes();
    } else if (!(await isEmptyDatabase(running.app))) {
      process.stdout.write(
        'The database already has products: nothing seeded (use --reset to start over).\n',
      );
      return;
    }
    await seedDemoData(running.app, {
      seed,
      concurrency,
      ...sizes,
      log: (l) => process.stdout.write(l + '\n'),
      signal: stop.signal,
    });
  } catch (e) {
    if (!(e instanceof SeedStopped)) throw e;
    process.stdout.write(`Seed stopped: ${e.message}; the database keeps them (--reset starts over).\n`);
  } finally {
    await running.close();
    finished();
  }
  if (stop.signal.aborted) process.exit(1);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) process.stderr.write(e.message + '\n');
  else process.stderr.write(`Seed failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
