/**
 * `npm run bench`: the service benchmarked over HTTP (not a test: it measures and prints).
 *
 *   npm run bench                 # full run (under 10 minutes)
 *   BENCH_QUICK=1 npm run bench   # short smoke run (or: npm run bench -- --quick)
 *   npm run bench -- --keep       # keep the data directories under .data/ afterwards
 *   npm run bench -- --rebuild-orders 20000   # a smaller rebuild data set (default 100,000)
 *
 * Steps: seed a fresh data directory with the demo data through the CommandBus (`npm run seed`'s
 * CLI, fewer orders than the default, see the README), start `node dist/src/main.js` on it (the
 * embedded server, as `npm start` does), then drive it with autocannon from this process:
 * commands (commands.bench.ts), projection lag and throughput (same file), queries and cache hit
 * rate (queries.bench.ts); stop it; the baselines (baselines.bench.ts); the orders_read rebuild at
 * 100k orders on a copy of the seeded data (rebuild.bench.ts). Prints a table and writes
 * bench/results/<timestamp>.json with every figure and a description of the machine.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, stripVTControlCharacters } from 'node:util';
import { startServerChild } from '../../test/helpers/server-child.js';
import { benchCeiling, benchCrud } from './baselines.bench.js';
import { runNode } from './child-process.js';
import { benchCommands, raiseStock } from './commands.bench.js';
import { readFixtures, type Fixtures } from './fixtures.js';
import { distEntry, repoRoot } from './paths.js';
import { benchQueries } from './queries.bench.js';
import { benchRebuild } from './rebuild.bench.js';
import { buildRows, printRows, type AllFigures } from './report.js';
import {
  serviceEnv,
  startService,
  waitCaughtUp,
  type RunningService,
  type ServiceOptions,
} from './service.js';

interface Settings {
  seedOrders: number;
  commandRate: number;
  commandSeconds: number;
  saturationSeconds: number;
  queryRate: number;
  querySeconds: number;
  connections: number;
  baselineSeconds: number;
  rebuildOrders: number;
  /** The rebuild's replay is stopped after this long (rebuild.bench.ts). */
  rebuildSeconds: number;
}

const FULL: Settings = {
  seedOrders: 300,
  commandRate: 500,
  commandSeconds: 15,
  saturationSeconds: 10,
  queryRate: 500,
  querySeconds: 8,
  connections: 32,
  baselineSeconds: 8,
  rebuildOrders: 100_000,
  rebuildSeconds: 35,
};

const QUICK: Settings = {
  seedOrders: 100,
  commandRate: 500,
  commandSeconds: 5,
  saturationSeconds: 4,
  queryRate: 500,
  querySeconds: 3,
  connections: 32,
  baselineSeconds: 3,
  rebuildOrders: 3_000,
  rebuildSeconds: 15,
};

const started = performance.now();
const log = (line: string): void => {
  const s = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(`[${s} s] ${line}`);
};

function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    totalMemGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

/** Runs one part; a failure is logged and recorded, and the remaining parts still run. */
async function part<T>(
  name: string,
  errors: Record<string, string>,
  fn: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    errors[name] = message;
    log(`${name} FAILED: ${message}`);
    return undefined;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      'rebuild-orders': { type: 'string' },
    },
  });
  const quick = values.quick || process.env.BENCH_QUICK === '1';
  const settings = { ...(quick ? QUICK : FULL) };
  if (values['rebuild-orders'] !== undefined) {
    const n = Number(values['rebuild-orders']);
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000) {
      console.error('--rebuild-orders must be an integer from 1 to 1000000');
      process.exit(2);
    }
    settings.rebuildOrders = n;
  }
  const root = repoRoot();
  // Not os.tmpdir(): /tmp is often tmpfs, where fsync costs nothing and the numbers would lie.
  const parent = path.join(root, '.data');
  await mkdir(parent, { recursive: true });
  const workDir = await mkdtemp(path.join(parent, 'bench-service-'));
  const redisUrl = process.env.REDIS_URL || undefined;
  const serviceOptions: ServiceOptions = {
    dataDir: path.join(workDir, 'service'),
    jwtSecret: randomBytes(32).toString('hex'),
    redisUrl,
  };
  const rebuildOptions: ServiceOptions = { ...serviceOptions, dataDir: path.join(workDir, 'rebuild') };
  const m = machine();
  const loadStart = os.loadavg();
  log(`service benchmark${quick ? ' (QUICK: short smoke run)' : ''} — ${new Date().toISOString()}`);
  log(`machine: ${m.cpuCount} x ${m.cpuModel}, ${m.totalMemGiB} GiB, ${m.platform}, node ${m.node}`);
  log(`load average at start: ${loadStart.map((l) => l.toFixed(2)).join(' ')}`);
  log(
    `data: ${path.relative(root, workDir)}; query cache: ${redisUrl ? 'redis (REDIS_URL)' : 'memory (REDIS_URL unset)'}`,
  );

  const errors: Record<string, string> = {};
  const figures: AllFigures = {};
  let seedSeconds = NaN;
  let seededOrders = 0;
  let service: RunningService | undefined;
  try {
    log(
      `seed: demo data with --orders ${settings.seedOrders} through the CommandBus (npm run seed's CLI) ...`,
    );
    const seedStarted = performance.now();
    await runNode({
      args: [distEntry('src/cli/seed.js'), '--orders', String(settings.seedOrders)],
      env: serviceEnv(serviceOptions),
      // Only the seed's own lines (progress every 10 %), not the application's start-up log.
      onLine: (line) => {
        const plain = stripVTControlCharacters(line);
        const at = plain.indexOf('seed');
        if (at >= 0 && /^seed[ :]/.test(plain.slice(at))) log(`  ${plain.slice(at)}`);
      },
    });
    seedSeconds = (performance.now() - seedStarted) / 1000;
    await cp(serviceOptions.dataDir, rebuildOptions.dataDir, { recursive: true });

    const server = await startServerChild({ dbPath: serviceOptions.dataDir, logLevel: 'error' });
    let fixtures: Fixtures;
    try {
      fixtures = await readFixtures(server.uri);
    } finally {
      await server.stop(60_000);
    }
    seededOrders = fixtures.orders.length;
    log(
      `fixtures: ${fixtures.productIds.length} products, ${fixtures.customers.length} customers, ` +
        `${fixtures.orders.length} orders, ${fixtures.searchWords.length} search words`,
    );

    log(
      'service: starting node dist/src/main.js (embedded MongoDB, NODE_ENV=production, LOG_LEVEL=warn) ...',
    );
    const svc = await startService(serviceOptions, log);
    service = svc;
    log(`service: ready on ${svc.origin} in ${(svc.startupMs / 1000).toFixed(1)} s`);
    await raiseStock(svc, fixtures);
    log(`stock: every product set to a high level (admin inventory adjust), so orders take the success path`);
    const catchUpMs = await waitCaughtUp(svc);
    log(
      `projections: caught up (no event behind a checkpoint) after ${(catchUpMs / 1000).toFixed(1)} s more`,
    );

    figures.commands = await part('commands', errors, () =>
      benchCommands(
        svc,
        fixtures,
        {
          rate: settings.commandRate,
          fixedSeconds: settings.commandSeconds,
          saturationSeconds: settings.saturationSeconds,
          connections: settings.connections,
        },
        log,
      ),
    );
    figures.queries = await part('queries', errors, () =>
      benchQueries(
        svc,
        fixtures,
        { rate: settings.queryRate, seconds: settings.querySeconds, connections: settings.connections },
        log,
      ),
    );
    log(`service: stopping (it wrote ${svc.logLines()} warning/error log lines during the run) ...`);
    await svc.child.stop(60_000);
    service = undefined;

    const body = figures.queries?.sampleOrderBody;
    if (body !== undefined)
      figures.ceiling = await part('baseline (a)', errors, () =>
        benchCeiling(
          body,
          workDir,
          { rate: settings.queryRate, seconds: settings.baselineSeconds, connections: settings.connections },
          log,
        ),
      );
    figures.crud = await part('baseline (b)', errors, async () => {
      log('baseline (b): embedded server on the service data directory (child process) ...');
      const mongo = await startServerChild({ dbPath: serviceOptions.dataDir, logLevel: 'error' });
      try {
        return await benchCrud(
          mongo.uri,
          fixtures.orders.map((o) => o.orderId),
          { seconds: settings.baselineSeconds, connections: settings.connections },
          log,
        );
      } finally {
        await mongo.stop(60_000);
      }
    });
    figures.rebuild = await part('rebuild', errors, () =>
      benchRebuild(rebuildOptions, settings.rebuildOrders, seededOrders, settings.rebuildSeconds, log),
    );
  } finally {
    await service?.child.stop(30_000);
    if (!values.keep) await rm(workDir, { recursive: true, force: true });
  }

  const rows = buildRows(figures);
  printRows(rows);
  const loadEnd = os.loadavg();
  const totalSeconds = (performance.now() - started) / 1000;
  console.log(
    `\nload average at end: ${loadEnd.map((l) => l.toFixed(2)).join(' ')}; run took ${totalSeconds.toFixed(0)} s`,
  );
  const stamp = new Date().toISOString();
  const resultsDir = path.join(root, 'bench', 'results');
  await mkdir(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${stamp.replace(/[:.]/g, '-')}.json`);
  const { sampleOrderBody: _body, orderIds: _ids, ...queries } = figures.queries ?? {};
  const results = {
    benchmark: 'service',
    timestamp: stamp,
    command: quick ? 'BENCH_QUICK=1 npm run bench' : 'npm run bench',
    quick,
    settings,
    machine: { ...m, loadAverageStart: loadStart, loadAverageEnd: loadEnd },
    cacheStore: redisUrl ? 'redis' : 'memory',
    seed: { orders: settings.seedOrders, seconds: seedSeconds },
    commands: figures.commands,
    queries: figures.queries ? queries : undefined,
    rebuild: figures.rebuild,
    baselines: { httpCeiling: figures.ceiling, crudVsReadModel: figures.crud },
    table: rows,
    errors,
    totalSeconds,
  };
  await writeFile(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`results: ${path.relative(root, file)}`);
  if (Object.keys(errors).length > 0) {
    console.error(`failed parts: ${Object.keys(errors).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
