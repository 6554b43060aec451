/**
 * Issue #7, "Hostile input": property-based fuzzing of every documented endpoint (read from
 * GET /docs-json, so new endpoints are fuzzed too) as an admin and as a customer. Each request:
 * no 5xx, an answer, the error shape on 4xx, and no collection of the write or read database
 * changed by a rejected request. After the run: Object.prototype is clean, /health is 200 and a
 * valid command and query still work. FUZZ_RUNS raises the number of requests, FUZZ_SEED changes
 * the (fixed by default) seed. Prints the inputs tried per endpoint and the statuses seen.
 */
import fc from 'fast-check';
import { MongoClient } from 'mongodb';
import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { quietFingerprint } from './db-fingerprint.js';
import { createFuzzWorld, type FuzzWorld } from './fuzz-fixtures.js';
import { FuzzRunner } from './fuzz-runner.js';
import { fuzzSettings } from './fuzz-settings.js';
import { operationsFrom, type FuzzOperation, type OpenApiDocument } from './openapi-operations.js';
import { sendRaw } from './raw-http.js';
import { requestArb } from './request-arbitraries.js';

const settings = fuzzSettings();
const prototypeKeys = (): string[] => Object.getOwnPropertyNames(Object.prototype).sort();

let t: TestApp;
let port: number;
let client: MongoClient;
let world: FuzzWorld;
let operations: FuzzOperation[];

const get = async (path: string, token?: string) =>
  sendRaw(
    port,
    { method: 'GET', target: path, headers: token ? [['Authorization', `Bearer ${token}`]] : [] },
    30_000,
  );

/** A projection rebuild (started by an accepted admin request) rewrites the read side for a while. */
async function rebuildRunning(): Promise<boolean> {
  const res = await get('/api/admin/projections', t.adminToken);
  const list = JSON.parse(res.body) as unknown;
  return (
    Array.isArray(list) &&
    list.some(
      (p: { rebuild?: { phase?: string } | null }) =>
        p.rebuild && !['done', 'failed'].includes(p.rebuild.phase ?? ''),
    )
  );
}

beforeAll(async () => {
  // Views flush and consistency-token waits end quickly, so a batch's effects are visible soon.
  t = await startTestApp({
    VIEW_FLUSH_INTERVAL_MS: '100',
    READ_YOUR_WRITES_TIMEOUT_MS: '200',
    RATE_LIMIT_COMMANDS: '0',
  });
  await t.app.listen(0, '127.0.0.1');
  port = (t.app.getHttpServer().address() as AddressInfo).port;
  client = new MongoClient(t.running.embedded!.uri);
  const docs = await get('/docs-json');
  operations = operationsFrom(JSON.parse(docs.body) as OpenApiDocument);
  const projections = JSON.parse((await get('/api/admin/projections', t.adminToken)).body) as unknown;
  const names = Array.isArray(projections)
    ? projections.map((p: { name?: unknown }) => p.name).filter((n): n is string => typeof n === 'string')
    : [];
  world = await createFuzzWorld(t, names);
  // The resync workers start by catching up on the fixtures' events: let them finish first.
  await quietFingerprint(client, [t.config.writeDbName, t.config.readDbName], { quietMs: 2_000 });
}, 120_000);

afterAll(async () => {
  await client?.close();
  await t?.close();
});

it('every endpoint survives hostile input: no 5xx, error shape, no state change on rejection', async () => {
  const before = prototypeKeys();
  const runner = new FuzzRunner(port, client, [t.config.writeDbName, t.config.readDbName], rebuildRunning);
  process.stdout.write(
    `http-fuzz: seed ${settings.seed} (FUZZ_SEED), ${settings.runs} requests per operation and principal (FUZZ_RUNS), ${operations.length} operations\n`,
  );
  const started = Date.now();
  let index = 0;
  for (const op of operations) {
    for (const [who, token] of [
      ['admin', world.adminToken],
      ['customer', world.customerToken],
    ] as const) {
      const requests = fc.sample(requestArb(op, world, token), {
        seed: settings.seed + index++,
        numRuns: settings.runs,
      });
      await runner.run(requests);
      const s = runner.stats.get(op.id);
      process.stdout.write(
        `http-fuzz: ${op.id} as ${who}: ${s?.tried ?? 0} tried so far, ${runner.findings.length} findings, ${Math.round((Date.now() - started) / 1000)} s\n`,
      );
    }
  }

  const statuses: Record<number, number> = {};
  let total = 0;
  for (const [op, s] of runner.stats) {
    total += s.tried;
    for (const [code, n] of Object.entries(s.statuses))
      statuses[Number(code)] = (statuses[Number(code)] ?? 0) + n;
    process.stdout.write(`http-fuzz: ${op}: ${s.tried} inputs, statuses ${JSON.stringify(s.statuses)}\n`);
  }
  const storedRejections = (await runner.settle()).storedRejections;
  process.stdout.write(
    `http-fuzz summary: seed ${settings.seed}, ${total} inputs over ${runner.stats.size} operations, statuses ${JSON.stringify(statuses)}, ` +
      `${runner.accepted} accepted, ${runner.bareErrors} bare 4xx from the HTTP parser, ${storedRejections} stored 4xx idempotency records, ` +
      `${runner.fingerprints} database checks, ${runner.findings.length} findings, ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  for (const f of runner.findings) process.stdout.write(`http-fuzz finding: ${JSON.stringify(f)}\n`);

  expect(runner.stats.size).toBe(operations.length);
  expect(runner.findings.map((f) => `${f.kind} ${f.status} ${f.op}: ${f.detail}`)).toEqual([]);
  expect(prototypeKeys()).toEqual(before);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}, 1_800_000);

it('after the run the service is up: /health 200, a valid command and a valid query work', async () => {
  let health = await get('/health');
  for (let i = 0; i < 50 && health.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 200));
    health = await get('/health');
  }
  expect(health.status).toBe(200);
  const command = await sendRaw(
    port,
    {
      method: 'POST',
      target: '/api/customers',
      headers: [
        ['Authorization', `Bearer ${t.adminToken}`],
        ['Content-Type', 'application/json'],
      ],
      body: Buffer.from(JSON.stringify({ name: 'After Fuzz', email: 'after-fuzz@example.com' })),
    },
    30_000,
  );
  expect(command.status).toBe(202);
  const product = await get(`/api/products/${world.productId}`);
  expect(product.status).toBe(200);
  expect(JSON.parse(product.body)).toMatchObject({ id: world.productId });
}, 60_000);
