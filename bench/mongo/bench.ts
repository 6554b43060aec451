/**
 * Benchmark of the embedded MongoDB-compatible server through the official driver (not a test:
 * it measures and prints, it asserts nothing).
 *
 *   npm run bench:mongo [-- --seconds 3 --docs 100000 --dir .data]
 *
 * The server runs durably (a dbPath) in its own child process, like a real mongod. Measured:
 *  (c) the disk's raw fsync rate in the data directory's file system (append 4 KiB + fdatasync),
 *      the physical bound of one durable write at a time;
 *  (a) insertOne throughput with {j: true} at concurrency 1, 8 and 32 (docs/s, p50/p99 latency):
 *      above the fsync rate only if concurrent writers share fsyncs (group commit);
 *  (b) at N documents, findOne by a uniquely indexed field vs the same query on an unindexed copy.
 * Results go to bench/results/mongo-<timestamp>.json with a description of the machine.
 */
import { closeSync, fdatasyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MongoClient, type Collection, type Document } from 'mongodb';
import { startServerChild, type ServerChild } from '../../test/helpers/server-child.js';
import { benchChangeStreams } from './change-streams.bench.js';
import { benchInsertGrowth } from './insert-growth.bench.js';
import { benchPerOperation } from './per-op.bench.js';
import { fmt, printTable, stats, timed, type LatencyStats } from './measure.js';
import { benchTransactions } from './transactions.bench.js';

interface BenchDoc extends Document {
  _id: number | string;
}

function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      // package.json marks the root both from bench/ (ts) and dist/bench/ (js)
      closeSync(openSync(path.join(dir, 'package.json'), 'r'));
      return dir;
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) throw new Error('package.json not found above the benchmark');
      dir = parent;
    }
  }
}

/**
 * (c) Append 4 KiB + fdatasync in a loop, as a journal does: how many durable flushes per second
 * this file system gives one writer. (Appends also update the file size, like a journal's.)
 */
function fsyncRate(dir: string, seconds: number): LatencyStats {
  const file = path.join(dir, 'fsync-probe.bin');
  const block = Buffer.alloc(4096, 0xab);
  const fd = openSync(file, 'w');
  const latencies: number[] = [];
  const started = performance.now();
  try {
    while (performance.now() - started < seconds * 1000) {
      const t0 = performance.now();
      writeSync(fd, block);
      fdatasyncSync(fd);
      latencies.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    unlinkSync(file);
  }
  return stats(latencies, (performance.now() - started) / 1000);
}

/** The winning plan's stage names (classic or SBE explain layout). */
function planStages(explain: Document): string[] {
  const stages: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
        if (key === 'stage' && typeof value === 'string') stages.push(value);
        else walk(value);
      }
    }
  };
  walk((explain.queryPlanner as Document | undefined)?.winningPlan);
  return stages;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '3' },
      docs: { type: 'string', default: '100000' },
      dir: { type: 'string' },
      'op-seconds': { type: 'string', default: '1.5' },
      'stream-backlog': { type: 'string', default: '30000' },
      'growth-docs': { type: 'string', default: '200000' },
      only: { type: 'string' },
    },
  });
  const seconds = Number(values.seconds);
  const opSeconds = Number(values['op-seconds']);
  const growthDocs = Number(values['growth-docs']);
  // --only per-op: the per-operation table (and the load it reads), without the other parts.
  const onlyPerOp = values.only === 'per-op';
  const docCount = Number(values.docs);
  const root = repoRoot();
  // Not os.tmpdir(): /tmp is often tmpfs, where fsync costs nothing and the numbers would lie.
  const parent = path.resolve(values.dir ?? path.join(root, '.data'));
  await mkdir(parent, { recursive: true });
  const workDir = await mkdtemp(path.join(parent, 'bench-mongo-'));
  const dbPath = path.join(workDir, 'db');
  await mkdir(dbPath);

  const machine = {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpuCount: os.cpus().length,
    totalMemGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
  console.log(`embedded-mongo benchmark — ${new Date().toISOString()}`);
  console.log(
    `machine: ${machine.cpuCount} x ${machine.cpuModel}, ${machine.totalMemGiB} GiB, ${machine.platform}, node ${machine.node}`,
  );
  console.log(`data directory: ${dbPath} (server in a child process, durable)`);

  let server: ServerChild | undefined;
  let client: MongoClient | undefined;
  try {
    // (c) first, on an idle disk.
    // (c) on an idle disk, before and after the insert runs: shared disks vary a lot over time.
    const probeSeconds = Math.min(seconds, 2);
    const fsyncBefore = onlyPerOp ? undefined : fsyncRate(dbPath, probeSeconds);

    server = await startServerChild({ dbPath, logLevel: 'error' });
    client = new MongoClient(server.uri, { maxPoolSize: 64, serverSelectionTimeoutMS: 10_000 });
    await client.connect();
    const db = client.db('bench');

    // (a) durable insert throughput.
    const inserts: Array<{ concurrency: number } & LatencyStats> = [];
    for (const concurrency of onlyPerOp ? [] : [1, 8, 32]) {
      const coll: Collection<BenchDoc> = db.collection<BenchDoc>(`inserts_c${concurrency}`, {
        writeConcern: { w: 1, j: true },
      });
      await timed(concurrency, 0.3, (w, i) =>
        coll.insertOne({ _id: `warm-${w}-${i}`, w, i }).then(() => undefined),
      );
      console.log(`(a) insertOne {j: true} at concurrency ${concurrency} for ${seconds} s ...`);
      const result = await timed(concurrency, seconds, (w, i) =>
        coll
          .insertOne({ _id: `${w}-${i}`, worker: w, seq: i, at: new Date(), payload: 'x'.repeat(100) })
          .then(() => undefined),
      );
      inserts.push({ concurrency, ...result });
    }

    const fsyncAfter = onlyPerOp ? undefined : fsyncRate(dbPath, probeSeconds);

    // (b) indexed vs unindexed lookup at docCount documents.
    const lookup = db.collection<BenchDoc>('lookup');
    await lookup.createIndex({ email: 1 }, { unique: true });
    const loadStarted = performance.now();
    const batch = 1000;
    for (let start = 0; start < docCount; start += batch) {
      const n = Math.min(batch, docCount - start);
      await lookup.insertMany(
        Array.from({ length: n }, (_, j) => {
          const i = start + j;
          return {
            _id: i,
            email: `user${i}@example.com`,
            emailCopy: `user${i}@example.com`,
            n: i,
            pad: 'y'.repeat(64),
          };
        }),
        { ordered: false },
      );
      if ((start + n) % 10_000 === 0 || start + n === docCount) {
        const elapsed = (performance.now() - loadStarted) / 1000;
        console.log(
          `(b) loaded ${fmt(start + n)} / ${fmt(docCount)} documents (${fmt((start + n) / elapsed)} docs/s)`,
        );
      }
    }
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const randomKey = (): string => `user${Math.floor(Math.random() * docCount)}@example.com`;
    const indexedPlan = planStages(await lookup.find({ email: randomKey() }).explain('queryPlanner'));
    const unindexedPlan = planStages(await lookup.find({ emailCopy: randomKey() }).explain('queryPlanner'));
    console.log(`(b) findOne by unique index for ${seconds} s (plan: ${indexedPlan.join(' <- ')}) ...`);
    const indexed = await timed(1, seconds, async () => {
      if ((await lookup.findOne({ email: randomKey() })) === null) throw new Error('indexed lookup missed');
    });
    console.log(
      `(b) findOne on the unindexed copy for ${seconds} s (plan: ${unindexedPlan.join(' <- ')}) ...`,
    );
    const unindexed = await timed(1, seconds, async () => {
      if ((await lookup.findOne({ emailCopy: randomKey() })) === null)
        throw new Error('unindexed lookup missed');
    });
    const ratio = indexed.opsPerSec / unindexed.opsPerSec;
    const perOperation = await benchPerOperation(client, server.pid, {
      seconds: opSeconds,
      docs: docCount,
      streamBacklog: Number(values['stream-backlog']),
    });
    const growth = growthDocs > 0 ? await benchInsertGrowth(client, growthDocs) : undefined;
    const changeStreams = onlyPerOp ? undefined : await benchChangeStreams(client, seconds);
    const transactions = onlyPerOp ? undefined : await benchTransactions(client, seconds);

    if (fsyncBefore && fsyncAfter) {
      const fsyncRef = (fsyncBefore.opsPerSec + fsyncAfter.opsPerSec) / 2;
      printTable(
        '(c) disk: append 4 KiB + fdatasync (physical bound for one durable write at a time)',
        ['when', 'fsyncs/s', 'p50 ms', 'p99 ms'],
        [
          ['before (a)', fmt(fsyncBefore.opsPerSec), fmt(fsyncBefore.p50Ms, 2), fmt(fsyncBefore.p99Ms, 2)],
          ['after (a)', fmt(fsyncAfter.opsPerSec), fmt(fsyncAfter.p50Ms, 2), fmt(fsyncAfter.p99Ms, 2)],
        ],
      );
      printTable(
        '(a) insertOne with {w: 1, j: true} through the driver',
        ['concurrency', 'docs/s', 'p50 ms', 'p99 ms', 'x mean fsync rate'],
        inserts.map((r) => [
          String(r.concurrency),
          fmt(r.opsPerSec),
          fmt(r.p50Ms, 2),
          fmt(r.p99Ms, 2),
          fmt(r.opsPerSec / fsyncRef, 2),
        ]),
      );
    }
    printTable(
      `(b) findOne at ${fmt(docCount)} documents (loaded in ${fmt(loadSeconds, 1)} s)`,
      ['query', 'ops/s', 'p50 ms', 'p99 ms', 'plan'],
      [
        [
          'unique index {email}',
          fmt(indexed.opsPerSec),
          fmt(indexed.p50Ms, 2),
          fmt(indexed.p99Ms, 2),
          indexedPlan.join('<-'),
        ],
        [
          'unindexed {emailCopy}',
          fmt(unindexed.opsPerSec, 1),
          fmt(unindexed.p50Ms, 2),
          fmt(unindexed.p99Ms, 2),
          unindexedPlan.join('<-'),
        ],
      ],
    );
    console.log(`\nindexed / unindexed: ${fmt(ratio, 1)} x`);

    const resultsDir = path.join(root, 'bench', 'results');
    await mkdir(resultsDir, { recursive: true });
    const stamp = new Date().toISOString();
    const file = path.join(resultsDir, `mongo-${stamp.replace(/[:.]/g, '-')}.json`);
    const results = {
      benchmark: 'embedded-mongo',
      timestamp: stamp,
      command: 'npm run bench:mongo',
      options: { seconds, docs: docCount, dataDir: parent },
      machine,
      fsync: { before: fsyncBefore, after: fsyncAfter },
      inserts,
      lookup: { docs: docCount, loadSeconds, indexed, unindexed, ratio, indexedPlan, unindexedPlan },
      changeStreams,
      transactions,
      perOperation,
      growth,
    };
    await writeFile(file, JSON.stringify(results, null, 2) + '\n');
    console.log(`\nresults: ${path.relative(root, file)}`);
    console.log(
      `reproduce: npm run bench:mongo -- --seconds ${seconds} --docs ${docCount} --op-seconds ${opSeconds} --growth-docs ${growthDocs}${onlyPerOp ? ' --only per-op' : ''}`,
    );
  } finally {
    await client?.close(true);
    await server?.stop(60_000).catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
