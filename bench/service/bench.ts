/**
 * `npm run bench`: the service benchmarked over HTTP (not a test: it measures and prints), against
 * the targets of issues 11 and 12.
 *
 *   npm run bench                 # full run (under 12 minutes once the rebuild fits its target)
 *   BENCH_QUICK=1 npm run bench   # short smoke run (or: npm run bench -- --quick)
 *   npm run bench -- --keep       # keep the data directories (and the service's log) under .data/
 *   more settings: settings.ts (durations, drain timeout, rebuild box, phases to skip)
 *
 * Steps: seed a fresh data directory with the demo data through the CommandBus (`npm run seed`'s
 * CLI), start `node dist/src/main.js` on it (the embedded server, as `npm start` does), then drive
 * it with autocannon from this process: (1) orders at 500/s for 60 s with (5) the projections' lag
 * and drain, then at saturation with the projections' throughput (commands.bench.ts); (2) each
 * query endpoint at 1,000/s and the cached order query at saturation (queries.bench.ts); (3) the
 * mixed run (mixed.bench.ts); (4) the overload run at twice the saturation rate
 * (overload.bench.ts); stop it; the baselines (baselines.bench.ts); (6) the orders_read rebuild
 * at 100k orders on a copy of the seeded data (rebuild.bench.ts) and a verify of the same
 * (verify.bench.ts). Prints a table (each figure beside its target) and writes
 * bench/results/<timestamp>.json with every figure, the settings and a description of the machine.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { startServerChild } from '../../test/helpers/server-child.js';
import { benchCeiling, benchCrud } from './baselines.bench.js';
import { runNode } from './child-process.js';
import { benchOrders, benchSaturation, raiseStock, warmUpOrders } from './commands.bench.js';
import { readFixtures, type Fixtures } from './fixtures.js';
import { distEntry, repoRoot } from './paths.js';
import { benchQueries } from './queries.bench.js';
import { benchRebuild } from './rebuild.bench.js';
import { lagBucketLimits } from './lag.js';
import { scrapeMetrics } from './metrics-scrape.js';
import { benchMixed } from './mixed.bench.js';
import { benchOverload } from './overload.bench.js';
import { waitDrained } from './projection-status.js';
import { buildRows, printRows, type AllFigures } from './report.js';
import { parseSettings, type Phase } from './settings.js';
import { benchVerify } from './verify.bench.js';
import {
  serviceEnv,
  startService,
  waitCaughtUp,
  type RunningService,
  type ServiceOptions,
} from './service.js';

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
  const { quick, keep, settings } = parseSettings();
  const runs = (phase: Phase): boolean => !settings.skip.includes(phase);
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
    logFile: path.join(workDir, 'service.log'),
  };
  const rebuildOptions: ServiceOptions = {
    ...serviceOptions,
    dataDir: path.join(workDir, 'rebuild'),
    logFile: path.join(workDir, 'verify-service.log'),
  };
  const m = machine();
  const loadStart = os.loadavg();
  log(`service benchmark${quick ? ' (QUICK: short smoke run)' : ''} — ${new Date().toISOString()}`);
  log(`machine: ${m.cpuCount} x ${m.cpuModel}, ${m.totalMemGiB} GiB, ${m.platform}, node ${m.node}`);
  log(`load average at start: ${loadStart.map((l) => l.toFixed(2)).join(' ')}`);
  log(
    `data: ${path.relative(root, workDir)}; query cache: ${redisUrl ? 'redis (REDIS_URL)' : 'memory (REDIS_URL unset)'}`,
  );
  log(`settings: ${JSON.stringify(settings)}`);

  const errors: Record<string, string> = {};
  const figures: AllFigures = {};
  let seedSeconds = NaN;
  let seededOrders = 0;
  let service: RunningService | undefined;
  let lagLimits: number[] = [];
  const phaseSeconds: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    const t0 = performance.now();
    try {
      return await part(name, errors, fn);
    } finally {
      phaseSeconds[name] = Number(((performance.now() - t0) / 1000).toFixed(1));
    }
  };
  const seedArgs = [
    ['--products', settings.seedProducts],
    ['--customers', settings.seedCustomers],
    ['--orders', settings.seedOrders],
    ['--concurrency', settings.seedConcurrency],
  ].flatMap(([flag, n]) => [String(flag), String(n)]);
  try {
    log(`seed: demo data (${seedArgs.join(' ')}) through the CommandBus (npm run seed's CLI) ...`);
    const seedStarted = performance.now();
    await runNode({
      args: [distEntry('src/cli/seed.js'), ...seedArgs],
      env: serviceEnv(serviceOptions),
      // Only the seed's own lines (progress every 10 %), not the application's start-up log.
      onLine: (line) => {
        const plain = stripVTControlCharacters(line);
        const at = plain.indexOf('seed');
        if (at >= 0 && /^seed[ :]/.test(plain.slice(at))) log(`  ${plain.slice(at)}`);
      },
    });
    seedSeconds = (performance.now() - seedStarted) / 1000;
    phaseSeconds.seed = Number(seedSeconds.toFixed(1));
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

    // The service runs for the HTTP phases (the ceiling baseline needs a real order answer).
    const serviceNeeded = (['orders', 'saturation', 'queries', 'mixed', 'overload', 'ceiling'] as const).some(
      runs,
    );
    if (serviceNeeded) {
      log(
        'service: starting node dist/src/main.js (embedded MongoDB, NODE_ENV=production, LOG_LEVEL=warn) ...',
      );
      const svc = await startService(serviceOptions, log);
      service = svc;
      log(`service: ready on ${svc.origin} in ${(svc.startupMs / 1000).toFixed(1)} s`);
      await raiseStock(svc, fixtures);
      log(
        `stock: every product set to a high level (admin inventory adjust), so orders take the success path`,
      );
      const catchUpMs = await waitCaughtUp(svc);
      log(
        `projections: caught up (no event behind a checkpoint) after ${(catchUpMs / 1000).toFixed(1)} s more`,
      );

      lagLimits = lagBucketLimits(await scrapeMetrics(svc.origin, svc.adminToken));
      phaseSeconds['fixtures, service start, stock, catch-up'] = Number(
        ((performance.now() - seedStarted) / 1000 - seedSeconds).toFixed(1),
      );
      if (runs('orders') || runs('saturation') || runs('mixed') || runs('overload')) {
        await timed('orders warm-up', async () => {
          await warmUpOrders(svc, fixtures, settings.orderRate, log);
          await waitDrained(svc, Date.now(), settings.drainTimeoutSeconds, log);
        });
      }
      const orderOptions = {
        connections: settings.connections,
        drainTimeoutSeconds: settings.drainTimeoutSeconds,
      };
      if (runs('orders'))
        figures.orders = await timed('orders', () =>
          benchOrders(
            svc,
            fixtures,
            { ...orderOptions, rate: settings.orderRate, seconds: settings.orderSeconds },
            log,
          ),
        );
      if (runs('saturation'))
        figures.saturation = await timed('saturation', () =>
          benchSaturation(svc, fixtures, { ...orderOptions, seconds: settings.saturationSeconds }, log),
        );
      if (runs('queries'))
        figures.queries = await timed('queries', () =>
          benchQueries(
            svc,
            fixtures,
            { rate: settings.queryRate, seconds: settings.querySeconds, connections: settings.connections },
            log,
          ),
        );
      if (runs('mixed'))
        figures.mixed = await timed('mixed', () =>
          benchMixed(
            svc,
            fixtures,
            {
              ...orderOptions,
              seconds: settings.mixedSeconds,
              orderRate: settings.mixedOrderRate,
              queryRate: settings.mixedQueryRate,
            },
            log,
          ),
        );
      const saturationPerSec = figures.saturation?.load.throughputPerSec;
      if (runs('overload')) {
        if (saturationPerSec === undefined || saturationPerSec <= 0)
          errors.overload = 'no saturation rate measured (the saturation phase was skipped or failed)';
        else
          figures.overload = await timed('overload', () =>
            benchOverload(
              svc,
              fixtures,
              {
                ...orderOptions,
                saturationPerSec,
                factor: settings.overloadFactor,
                seconds: settings.overloadSeconds,
              },
              log,
            ),
          );
      }
      const logTotal = svc.log.mark();
      log(
        `service: stopping (it wrote ${logTotal.lines} log lines during the run: ${logTotal.errorLines} error, ${logTotal.warnLines} warning) ...`,
      );
      await svc.child.stop(60_000);
      service = undefined;
    }
    const body = figures.queries?.sampleOrderBody;
    if (runs('ceiling') && body !== undefined)
      figures.ceiling = await timed('ceiling', () =>
        benchCeiling(
          body,
          workDir,
          { seconds: settings.baselineSeconds, connections: settings.connections },
          log,
        ),
      );
    if (runs('crud'))
      figures.crud = await timed('crud', async () => {
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
    if (runs('rebuild'))
      figures.rebuild = await timed('rebuild', () =>
        benchRebuild(rebuildOptions, settings.rebuildOrders, seededOrders, settings.rebuildBoxSeconds, log),
      );
    // On the rebuild's data. After a time-boxed rebuild, orders_read lacks the generated orders:
    // the verify then reports them as differences, and its time is still the replay's.
    if (runs('verify') && (figures.rebuild !== undefined || !runs('rebuild')))
      figures.verify = await timed('verify', () =>
        benchVerify(rebuildOptions, settings.rebuildBoxSeconds, log),
      );
  } finally {
    await service?.child.stop(30_000);
    if (!keep) await rm(workDir, { recursive: true, force: true });
  }

  const rows = buildRows(figures, lagLimits.at(-1) ?? 60);
  printRows(rows);
  console.log(
    `\nphase durations (s): ${Object.entries(phaseSeconds)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
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
    command: [
      ...Object.entries(process.env)
        .filter(([k, v]) => k.startsWith('BENCH_') && v !== undefined && k !== 'BENCH_CPU_PROF_DIR')
        .map(([k, v]) => `${k}=${v}`),
      'npm run bench',
      ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
    ].join(' '),
    quick,
    settings,
    machine: { ...m, loadAverageStart: loadStart, loadAverageEnd: loadEnd },
    cacheStore: redisUrl ? 'redis' : 'memory',
    seed: { args: seedArgs, seconds: seedSeconds },
    phaseSeconds,
    lagHistogramBucketLimitsSeconds: lagLimits,
    orders: figures.orders,
    saturation: figures.saturation,
    queries: figures.queries ? queries : undefined,
    mixed: figures.mixed,
    overload: figures.overload,
    rebuild: figures.rebuild,
    verify: figures.verify,
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
