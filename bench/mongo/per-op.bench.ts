/**
 * Per-operation part of `npm run bench:mongo` (called from bench.ts with the durable server's
 * client and the collection `bench.lookup` loaded with `docs` documents {_id: i, email (unique
 * index), ...}): for each operation, ops/s, p50/p99 latency, and CPU microseconds per operation of
 * the server process and of this (client) process, at 1 and 16 connections. The null responder
 * (null-responder.ts, its own process) answers `ping` in the same run, sampled just before each
 * round-trip row; each round trip's rate is given as a fraction of that sample at the same
 * concurrency (a transaction's as a fraction of a fifth of it: five round trips with the commit).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MongoClient, type Collection, type Db, type Document } from 'mongodb';
import { fmt, printTable, timed, type LatencyStats } from './measure.js';
import { ownCpuNs, processCpuNs } from './process-cpu.js';

export const CONCURRENCIES = [1, 16] as const;

export interface PerOpRow extends LatencyStats {
  operation: string;
  connections: number;
  /** Documents (or events) per operation: docs/s = opsPerSec × docsPerOp. */
  docsPerOp: number;
  serverCpuUsPerOp: number;
  clientCpuUsPerOp: number;
  /** opsPerSec × roundTrips ÷ the null responder's ping/s at this concurrency (round trips only). */
  ofNull?: number;
}

interface AnyIdDoc extends Document {
  _id: number | string;
}

interface Spec {
  name: string;
  docsPerOp?: number;
  /** Round trips per operation, for the fraction of the null responder; absent: not compared. */
  roundTrips?: number;
  op: (worker: number, i: number, connections?: number) => Promise<void>;
}

interface Measured {
  stats: LatencyStats;
  serverCpuNs: number;
  clientCpuNs: number;
}

async function measure(
  pid: number,
  connections: number,
  seconds: number,
  op: (worker: number, i: number) => Promise<void>,
): Promise<Measured> {
  // warm up connections and code (with other i, so inserted _ids differ from the measured run's)
  await timed(connections, Math.min(0.3, seconds / 4), (w, i) => op(w, 1_000_000_000 + i));
  const server0 = processCpuNs(pid);
  const client0 = ownCpuNs();
  const stats = await timed(connections, seconds, op);
  return { stats, serverCpuNs: processCpuNs(pid) - server0, clientCpuNs: ownCpuNs() - client0 };
}

function row(spec: Spec, connections: number, m: Measured, nullPing?: number): PerOpRow {
  const ops = m.stats.ops;
  return {
    operation: spec.name,
    connections,
    ...m.stats,
    docsPerOp: spec.docsPerOp ?? 1,
    serverCpuUsPerOp: m.serverCpuNs / 1000 / ops,
    clientCpuUsPerOp: m.clientCpuNs / 1000 / ops,
    ofNull:
      spec.roundTrips !== undefined && nullPing !== undefined
        ? (m.stats.opsPerSec * spec.roundTrips) / nullPing
        : undefined,
  };
}

interface NullResponder {
  port: number;
  pid: number;
  stop(): void;
}

async function startNullResponder(): Promise<NullResponder> {
  const entry = fileURLToPath(new URL('./null-responder.js', import.meta.url));
  const child = spawn(process.execPath, [entry], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`null responder exited (${code})`)));
  });
  const { port } = JSON.parse(line) as { port: number };
  return { port, pid: child.pid ?? 0, stop: () => child.stdin.end() };
}

/**
 * The null responder's `ping` through its own client, sampled next to each measured operation (the
 * shared machine's load changes within a run, so each ratio uses the sample taken beside it).
 */
class NullBaseline {
  private readonly samples: PerOpRow[] = [];

  private constructor(
    private readonly responder: NullResponder,
    private readonly client: MongoClient,
  ) {}

  static async start(): Promise<NullBaseline> {
    const responder = await startNullResponder();
    const client = new MongoClient(`mongodb://127.0.0.1:${responder.port}/?directConnection=true`, {
      maxPoolSize: 64,
    });
    await client.connect();
    return new NullBaseline(responder, client);
  }

  /** ping/s of the null responder at `connections`, measured now for `seconds`. */
  async sample(connections: number, seconds: number): Promise<number> {
    const admin = this.client.db('admin');
    const spec: Spec = {
      name: 'null responder: ping',
      op: () => admin.command({ ping: 1 }).then(() => undefined),
    };
    const r = row(spec, connections, await measure(this.responder.pid, connections, seconds, spec.op));
    this.samples.push(r);
    return r.opsPerSec;
  }

  /** Per concurrency, the sample with the median rate (named with the number of samples). */
  medianRows(): PerOpRow[] {
    return CONCURRENCIES.map((c) => {
      const mine = this.samples.filter((r) => r.connections === c).sort((a, b) => a.opsPerSec - b.opsPerSec);
      const lo = mine[0]?.opsPerSec ?? NaN;
      const hi = mine[mine.length - 1]?.opsPerSec ?? NaN;
      const median = mine[Math.floor(mine.length / 2)];
      return {
        ...median,
        operation: `null responder: ping (median of ${mine.length}, ${fmt(lo)}-${fmt(hi)})`,
      };
    });
  }

  async stop(): Promise<void> {
    await this.client.close(true);
    this.responder.stop();
  }
}

/** A getMore of `batch` documents per operation: each worker keeps its own cursor on `lookup`. */
function getMoreOp(db: Db, batch: number): Spec['op'] {
  const cursors = new Map<number, { id: unknown; left: number }>();
  return async (worker) => {
    let c = cursors.get(worker);
    if (!c || c.left < batch) {
      const res = await db.command({ find: 'lookup', filter: {}, batchSize: 0 }, { promoteLongs: false });
      c = { id: (res.cursor as Document).id, left: Number.MAX_SAFE_INTEGER };
      cursors.set(worker, c);
    }
    const res = await db.command(
      { getMore: c.id, collection: 'lookup', batchSize: batch },
      { promoteLongs: false },
    );
    const cursor = res.cursor as Document;
    const got = (cursor.nextBatch as Document[]).length;
    if (got !== batch) c.left = 0;
    if (String(cursor.id) === '0') cursors.delete(worker);
  };
}

/** Change-stream delivery: `streams` streams read a backlog of `backlog` inserts, each its share. */
async function benchStreamDelivery(db: Db, pid: number, streams: number, backlog: number): Promise<Measured> {
  const coll = db.collection<{ _id: number }>(`perop_cs_${streams}`);
  const session = db.client.startSession();
  await db.command({ ping: 1 }, { session });
  const start = session.operationTime;
  await session.endSession();
  for (let i = 0; i < backlog; i += 1000) {
    await coll.insertMany(
      Array.from({ length: Math.min(1000, backlog - i) }, (_, j) => ({
        _id: i + j,
        sku: `sku-${i + j}`,
        qty: j,
      })),
      { ordered: false },
    );
  }
  const watchers = Array.from({ length: streams }, () =>
    coll.watch([], { startAtOperationTime: start, maxAwaitTimeMS: 1000, batchSize: 1000 }),
  );
  const server0 = processCpuNs(pid);
  const client0 = ownCpuNs();
  const t0 = performance.now();
  let events = 0;
  await Promise.all(
    watchers.map(async (w) => {
      for (let n = 0; n < backlog / streams; n++) {
        await w.next();
        events++;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const m: Measured = {
    stats: { ops: events, seconds: secs, opsPerSec: events / secs, p50Ms: NaN, p99Ms: NaN },
    serverCpuNs: processCpuNs(pid) - server0,
    clientCpuNs: ownCpuNs() - client0,
  };
  await Promise.all(watchers.map((w) => w.close()));
  await coll.drop();
  return m;
}

export interface PerOpOptions {
  seconds: number;
  docs: number;
  /** Events each change-stream test delivers in all (each of its streams reads its share). */
  streamBacklog: number;
}

export async function benchPerOperation(
  client: MongoClient,
  serverPid: number,
  options: PerOpOptions,
): Promise<PerOpRow[]> {
  const { seconds, docs } = options;
  const nulls = await NullBaseline.start();
  const db = client.db('bench');
  const admin = client.db('admin');
  const lookup: Collection<AnyIdDoc> = db.collection<AnyIdDoc>('lookup');
  const insJ = db.collection<AnyIdDoc>('perop_insert_j', { writeConcern: { w: 1, j: true } });
  const insNoJ = db.collection<AnyIdDoc>('perop_insert', { writeConcern: { w: 1, j: false } });
  const many = db.collection<AnyIdDoc>('perop_many', { writeConcern: { w: 1, j: false } });
  const accounts = db.collection<{ _id: number; balance: number }>('perop_accounts');
  const ledger = db.collection('perop_ledger');
  await accounts.insertMany(Array.from({ length: 1000 }, (_, i) => ({ _id: i, balance: 1000 })));
  await ledger.createIndex({ at: 1 });
  const rand = (): number => Math.floor(Math.random() * docs);
  let manySeq = 0;
  const specs: Spec[] = [
    { name: 'ping', roundTrips: 1, op: () => admin.command({ ping: 1 }).then(() => undefined) },
    {
      name: 'insertOne j:true',
      roundTrips: 1,
      op: (w, i, c = 0) =>
        insJ.insertOne({ _id: `${c}-${w}-${i}`, w, i, s: 'x'.repeat(40) }).then(() => undefined),
    },
    {
      name: 'insertOne j:false',
      roundTrips: 1,
      op: (w, i, c = 0) =>
        insNoJ.insertOne({ _id: `${c}-${w}-${i}`, w, i, s: 'x'.repeat(40) }).then(() => undefined),
    },
    {
      name: 'insertMany 1,000 (j:false)',
      docsPerOp: 1000,
      op: () => {
        const base = (manySeq += 1000);
        const batch = Array.from({ length: 1000 }, (_, j) => ({ _id: base + j, n: j, s: 'item' }));
        return many.insertMany(batch, { ordered: false }).then(() => undefined);
      },
    },
    {
      name: 'findOne by _id',
      roundTrips: 1,
      op: async () => {
        if ((await lookup.findOne({ _id: rand() })) === null) throw new Error('findOne by _id missed');
      },
    },
    {
      name: 'findOne by unique index',
      roundTrips: 1,
      op: async () => {
        if ((await lookup.findOne({ email: `user${rand()}@example.com` })) === null)
          throw new Error('findOne by email missed');
      },
    },
    {
      name: 'updateOne by _id j:false',
      roundTrips: 1,
      op: async () => {
        const r = await lookup.updateOne(
          { _id: rand() },
          { $inc: { n: 1 } },
          { writeConcern: { w: 1, j: false } },
        );
        if (r.matchedCount !== 1) throw new Error('updateOne missed');
      },
    },
    {
      name: 'transaction 4 stmts, majority',
      roundTrips: 5,
      op: async () => {
        const from = Math.floor(Math.random() * 1000);
        const to = (from + 1 + Math.floor(Math.random() * 999)) % 1000;
        const session = client.startSession();
        try {
          await session.withTransaction(
            async () => {
              await accounts.findOne({ _id: from }, { session });
              await accounts.updateOne({ _id: from }, { $inc: { balance: -1 } }, { session });
              await accounts.updateOne({ _id: to }, { $inc: { balance: 1 } }, { session });
              await ledger.insertOne({ from, to, at: new Date() }, { session });
            },
            { writeConcern: { w: 'majority' } },
          );
        } finally {
          await session.endSession();
        }
      },
    },
    { name: 'getMore batch of 1,000', docsPerOp: 1000, roundTrips: 1, op: getMoreOp(db, 1000) },
  ];

  const rows: PerOpRow[] = [];
  for (const spec of specs) {
    for (const connections of CONCURRENCIES) {
      console.log(`(g) ${spec.name} at ${connections} connection(s) for ${seconds} s ...`);
      const nullNow =
        spec.roundTrips !== undefined ? await nulls.sample(connections, seconds / 2) : undefined;
      const m = await measure(serverPid, connections, seconds, (w, i) => spec.op(w, i, connections));
      rows.push(row(spec, connections, m, nullNow));
    }
  }
  for (const streams of CONCURRENCIES) {
    console.log(
      `(g) change-stream delivery: ${fmt(options.streamBacklog)} events over ${streams} stream(s) ...`,
    );
    const m = await benchStreamDelivery(db, serverPid, streams, options.streamBacklog);
    rows.push(row({ name: 'change-stream delivery (events)', op: async () => undefined }, streams, m));
  }
  const [{ total }] = await accounts
    .aggregate<{ total: number }>([{ $group: { _id: null, total: { $sum: '$balance' } } }])
    .toArray();
  if (total !== 1000 * 1000) throw new Error(`transaction bench lost updates: total ${total}`);
  rows.unshift(...nulls.medianRows());
  await nulls.stop();

  printTable(
    `(g) per operation, through the driver (server in its own process; ${fmt(docs)}-document collection for reads and updates)`,
    ['operation', 'conns', 'ops/s', 'docs/s', 'srv µs/op', 'cli µs/op', 'x null', 'p50 ms', 'p99 ms'],
    rows.map((r) => [
      r.operation,
      String(r.connections),
      fmt(r.opsPerSec),
      r.docsPerOp > 1 ? fmt(r.opsPerSec * r.docsPerOp) : '',
      fmt(r.serverCpuUsPerOp, r.serverCpuUsPerOp < 10 ? 1 : 0),
      fmt(r.clientCpuUsPerOp, r.clientCpuUsPerOp < 10 ? 1 : 0),
      r.ofNull === undefined ? '' : fmt(r.ofNull, 2),
      fmt(r.p50Ms, 2),
      fmt(r.p99Ms, 2),
    ]),
  );
  console.log(
    "x null: ops/s x round trips per op / the null responder's ping/s at the same concurrency, sampled just before the row",
  );
  return rows;
}
