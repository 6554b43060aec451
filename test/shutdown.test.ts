/**
 * Shutdown of the built service (`dist/src/main.js`, as `npm start` runs it) on SIGTERM, in each
 * state an orchestrator may stop it in: idle, under load (requests in flight), while the demo data
 * is being added (a first start, through `npm start` itself), during a projection rebuild. Each
 * must exit with code 0 within EXIT_BOUND_MS (a functional bound with a wide margin for a shared
 * machine; the measured times are printed and are typically far smaller), and its data directory
 * must reopen consistently: a new start on it comes up, its projections catch up and verify with
 * 0 differences, and every acknowledged write is there.
 *
 * Needs `npm run build` first (the service runs from dist/).
 */
import { MongoClient } from 'mongodb';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startEmbeddedMongo } from '../src/embedded-mongo/index.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';
import { processAlive, SERVICE_JWT_SECRET, ServiceMain, type LogLine } from './helpers/service-main.js';

const EXIT_BOUND_MS = 10_000;
const measured: string[] = [];

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(service: ServiceMain, method: string, url: string, body?: unknown): Promise<Answer> {
  const res = await fetch(service.origin + url, {
    method,
    headers: {
      Authorization: `Bearer ${service.adminToken()}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

let skuSeq = 0;
const product = (quantity = 100) => ({
  sku: `SHUT-${process.pid}-${++skuSeq}`,
  name: 'Shutdown Lamp',
  brand: 'Acme',
  category: ['Home', 'Lighting'],
  price: '12.50',
  quantity,
});

async function createProduct(service: ServiceMain, quantity = 100): Promise<string> {
  const a = await call(service, 'POST', '/api/products', product(quantity));
  expect(a.status).toBe(202);
  return a.body.id as string;
}

interface ProjectionStatus {
  name: string;
  eventsBehind: number;
}

/** Waits until no projection has a handled event after its checkpoint. */
async function caughtUp(service: ServiceMain, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const a = await call(service, 'GET', '/api/admin/projections');
    const all = a.body as unknown as ProjectionStatus[];
    if (a.status === 200 && all.every((p) => p.eventsBehind === 0)) return;
    last = a.body;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`projections not caught up: ${JSON.stringify(last)}`);
}

/** Every read model equals its replay of the event log. */
async function expectVerified(service: ServiceMain): Promise<void> {
  const a = await call(service, 'POST', '/api/admin/projections/verify?wait=true');
  expect(a.status).toBe(200);
  const reports = a.body as unknown as { projection: string; differences: number }[];
  expect(reports.map((r) => [r.projection, r.differences])).toEqual(reports.map((r) => [r.projection, 0]));
}

/** SIGTERM; expects exit code 0 within the bound and records the time. */
async function stopAndMeasure(service: ServiceMain, state: string): Promise<number> {
  const exit = await service.terminate('SIGTERM');
  const line = `${state}: exit ${exit.code ?? exit.signal} after ${Math.round(exit.ms)} ms`;
  measured.push(line);
  process.stdout.write(`shutdown ${line}\n`);
  expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
  expect(exit.ms).toBeLessThan(EXIT_BOUND_MS);
  const cut = service
    .messages()
    .filter((m) => /still running after SHUTDOWN_GRACE_MS|did not finish/.test(m));
  expect(cut).toEqual([]);
  return exit.ms;
}

/** Starts the service again on `dataDir`, waits until its projections caught up and verifies them. */
async function reopen(dataDir: string, env: Record<string, string> = {}): Promise<ServiceMain> {
  const service = await ServiceMain.start({ dataDir, env });
  await caughtUp(service);
  await expectVerified(service);
  return service;
}

const isMsg =
  (re: RegExp) =>
  (l: LogLine): boolean =>
    re.test(l.msg ?? '');

describe('shutdown on SIGTERM (built service)', () => {
  let dir: string;
  const running: ServiceMain[] = [];
  const started = async (s: Promise<ServiceMain>): Promise<ServiceMain> => {
    const service = await s;
    running.push(service);
    return service;
  };

  beforeEach(async () => {
    dir = await makeTempDir('shutdown');
  });

  afterEach(async () => {
    for (const s of running.splice(0)) s.kill();
    await removeTempDir(dir);
  });

  afterAll(() => {
    process.stdout.write(`shutdown times (bound ${EXIT_BOUND_MS} ms):\n  ${measured.join('\n  ')}\n`);
  });

  it('idle: exits 0 at once; the data directory reopens', async () => {
    const service = await started(ServiceMain.start({ dataDir: dir }));
    const id = await createProduct(service);
    await caughtUp(service);
    await stopAndMeasure(service, 'idle');
    expect(service.messages()).toContain('SIGTERM received: shutting down (forced exit after 10000 ms)');

    const again = await started(reopen(dir));
    expect((await call(again, 'GET', `/api/products/${id}`)).status).toBe(200);
    await stopAndMeasure(again, 'idle (after the restart)');
  }, 240_000);

  it('under load: requests in flight are answered, buffered views flushed, acknowledged writes kept', async () => {
    // Views are written only by the shutdown's flush (no interval or size flush during the test).
    const env = { VIEW_FLUSH_INTERVAL_MS: '60000', VIEW_FLUSH_BATCH_SIZE: '100000' };
    const service = await started(ServiceMain.start({ dataDir: dir, env }));
    const INITIAL = 1000;
    const products: string[] = [];
    for (let i = 0; i < 4; i++) products.push(await createProduct(service, INITIAL));
    const acked = {
      views: new Map<string, number>(),
      deltas: new Map<string, number>(),
      created: [] as string[],
    };
    const unanswered = { views: new Map<string, number>(), deltas: new Map<string, number>() };
    const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    let signalled = false;
    let inFlight = 0;
    let inFlightAtSignal = 0;
    let answeredAfterSignal = 0;
    let refused = 0;
    const statuses = new Map<number, number>();
    const worker = async (w: number): Promise<void> => {
      for (let n = 0; ; n++) {
        const target = products[(w + n) % products.length]!;
        const kind = n % 5 === 4 ? 'create' : n % 2 === 0 ? 'view' : 'delta';
        inFlight++;
        try {
          const a =
            kind === 'view'
              ? await call(service, 'POST', `/api/products/${target}/views`)
              : kind === 'delta'
                ? await call(service, 'POST', `/api/products/${target}/inventory`, { delta: 1 })
                : await call(service, 'POST', '/api/products', product());
          if (signalled) answeredAfterSignal++;
          statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
          if (a.status !== 202) continue; // counted; the test fails on any below
          if (kind === 'view') add(acked.views, target);
          else if (kind === 'delta') add(acked.deltas, target);
          else acked.created.push(a.body.id as string);
        } catch (e) {
          if (!signalled) throw e;
          // No answer: refused (the service stopped listening) or cut; it may or may not have happened.
          refused++;
          if (kind === 'view') add(unanswered.views, target);
          else if (kind === 'delta') add(unanswered.deltas, target);
          return;
        } finally {
          inFlight--;
        }
      }
    };
    const workers = Array.from({ length: 12 }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, 3000));
    signalled = true;
    inFlightAtSignal = inFlight;
    await stopAndMeasure(service, 'under load');
    await Promise.all(workers);
    process.stdout.write(
      `under load: ${inFlightAtSignal} requests in flight at the signal, ${answeredAfterSignal} answered after it, ` +
        `${refused} without an answer; statuses ${JSON.stringify([...statuses])}\n`,
    );
    expect([...statuses.keys()]).toEqual([202]);
    expect(inFlightAtSignal).toBeGreaterThan(0);
    expect(answeredAfterSignal).toBeGreaterThan(0);

    const again = await started(reopen(dir));
    for (const id of products) {
      const a = await call(again, 'GET', `/api/products/${id}`);
      expect(a.status).toBe(200);
      const metrics = a.body.metrics as { viewCount: number };
      const deltas = (a.body.stockLevel as number) - INITIAL;
      expect(deltas).toBeGreaterThanOrEqual(acked.deltas.get(id) ?? 0);
      expect(deltas).toBeLessThanOrEqual((acked.deltas.get(id) ?? 0) + (unanswered.deltas.get(id) ?? 0));
      // Buffered in memory until the shutdown: every acknowledged view was flushed.
      expect(metrics.viewCount).toBeGreaterThanOrEqual(acked.views.get(id) ?? 0);
      expect(metrics.viewCount).toBeLessThanOrEqual(
        (acked.views.get(id) ?? 0) + (unanswered.views.get(id) ?? 0),
      );
    }
    for (const id of acked.created)
      expect((await call(again, 'GET', `/api/products/${id}`)).status).toBe(200);
    await stopAndMeasure(again, 'after load (restart)');
  }, 240_000);

  it('while the demo data is added (first start via npm start): stops between commands, exits 0, restarts on the same data', async () => {
    const service = await started(
      ServiceMain.start({ dataDir: dir, env: { SEED_ON_START: 'true' }, via: 'npm' }),
    );
    await service.waitFor('the demo data to start', isMsg(/^Empty database: adding demo data/));
    const created: string[] = [];
    for (let i = 0; i < 3; i++) created.push(await createProduct(service));
    // Well into the orders (transactions on shared products), as an orchestrator's stop would be.
    await service.waitFor('10 % of the demo data', isMsg(/^seed: 10%/), 180_000);
    const pid = service.servicePid;
    expect(pid).toBeDefined();
    await stopAndMeasure(service, 'while adding demo data (npm start)');
    expect(processAlive(pid!)).toBe(false); // npm forwarded the signal to the service, which exited
    expect(
      service.messages().some((m) => /^Demo data stopped by the shutdown after \d+ of \d+ commands/.test(m)),
    ).toBe(true);
    expect(service.messages().some((m) => /^Adding demo data failed/.test(m))).toBe(false);

    const again = await started(reopen(dir, { SEED_ON_START: 'true' }));
    expect(again.messages().some((m) => /adding demo data/.test(m))).toBe(false); // not empty: not seeded again
    for (const id of created) expect((await call(again, 'GET', `/api/products/${id}`)).status).toBe(200);
    await stopAndMeasure(again, 'after demo data (restart)');
  }, 360_000);

  it('during a projection rebuild: the rebuild stops before its swap and cleans up; exits 0', async () => {
    await seedWithCli(dir, ['--products', '40', '--customers', '40', '--orders', '300']);
    // Small replay batches: the rebuild takes many batches, so the signal comes in the middle.
    const env = { PROJECTION_REPLAY_BATCH_SIZE: '5' };
    const service = await started(ServiceMain.start({ dataDir: dir, env }));
    await caughtUp(service);
    const start = await call(service, 'POST', '/api/admin/projections/orders_read/rebuild');
    expect(start.status).toBe(202);
    const deadline = Date.now() + 60_000;
    let progress: Record<string, unknown> = start.body;
    while (!(progress.phase === 'replaying' && (progress.processed as number) >= 20)) {
      if (Date.now() > deadline || ['done', 'failed'].includes(progress.phase as string))
        throw new Error(`rebuild not caught while replaying: ${JSON.stringify(progress)}`);
      await new Promise((r) => setTimeout(r, 20));
      progress = (await call(service, 'GET', '/api/admin/projections/orders_read/rebuild')).body;
    }
    await stopAndMeasure(
      service,
      `during a rebuild (${progress.processed}/${progress.total} events replayed)`,
    );
    expect(
      service.messages().some((m) => /orders_read: rebuild stopped \(the service is shutting down\)/.test(m)),
    ).toBe(true);

    // The stopped rebuild dropped its shadow collections while the database was still open.
    const mongo = await startEmbeddedMongo({ dbPath: dir, logLevel: 'error' });
    try {
      const client = await MongoClient.connect(mongo.uri);
      const names = (await client.db('app_read').listCollections({}, { nameOnly: true }).toArray()).map(
        (c) => c.name,
      );
      await client.close();
      expect(names).toContain('orders_read');
      expect(names.filter((n) => n.endsWith('__rebuild'))).toEqual([]);
    } finally {
      await mongo.stop();
    }

    const again = await started(reopen(dir));
    // Its lease was released: a new rebuild starts at once (no 409 until the old lease expires).
    const rebuilt = await call(again, 'POST', '/api/admin/projections/orders_read/rebuild?wait=true');
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body.phase).toBe('done');
    await expectVerified(again);
    await stopAndMeasure(again, 'after a rebuild (restart)');
  }, 360_000);
});

/** `npm run seed` on `dataDir` (the compiled CLI), with sizes; resolves when it exited 0. */
async function seedWithCli(dataDir: string, args: string[]): Promise<void> {
  const entry = path.resolve('dist/src/cli/seed.js');
  const child = spawn(process.execPath, [entry, ...args], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      EMBEDDED_MONGO_DBPATH: dataDir,
      JWT_SECRET: SERVICE_JWT_SECRET,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`seed exited ${code}:\n${output.slice(-4000)}`);
}
