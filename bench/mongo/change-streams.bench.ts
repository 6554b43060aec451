/**
 * Change-stream part of `npm run bench:mongo` (called from bench.ts with the durable server's
 * client). Measures, through the driver:
 *  (d) latency from a write to its event delivered, with 1 and with 10 open streams on the
 *      collection: one writer inserts, waits until every stream has the event, and repeats; the
 *      time runs from just before insertOne (so it includes the write's round trip and commit,
 *      and, for w:1 writes, the journal flush that makes an event visible) to the event's arrival;
 *  (e) events/s one stream delivers: a backlog of inserts is read back by one stream started
 *      before them (scan, event building, wire and driver decoding included).
 * Prints its tables; returns the numbers for the results file.
 */
import type { ChangeStream, Collection, Document, MongoClient, Timestamp } from 'mongodb';
import { fmt, percentile } from './measure.js';

export interface ChangeStreamLatency {
  streams: number;
  writeConcern: string;
  events: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ChangeStreamBenchResult {
  latency: ChangeStreamLatency[];
  throughput: { events: number; seconds: number; eventsPerSec: number };
}

interface Doc extends Document {
  _id: number;
}

/** The cluster time just after everything committed so far (a stream start that misses nothing later). */
async function nextClusterTime(client: MongoClient): Promise<Timestamp> {
  const session = client.startSession();
  try {
    await client.db('admin').command({ ping: 1 }, { session });
    const t = session.operationTime as Timestamp;
    return new (t.constructor as typeof Timestamp)({ t: t.t, i: t.i + 1 });
  } finally {
    await session.endSession();
  }
}

/** (d): sequential writes, each timed until all `streams` delivered its event. */
async function latency(
  client: MongoClient,
  coll: Collection<Doc>,
  streams: number,
  durable: boolean,
  seconds: number,
): Promise<ChangeStreamLatency> {
  const start = await nextClusterTime(client);
  const watchers: ChangeStream<Doc>[] = Array.from({ length: streams }, () =>
    coll.watch<Doc>([], { startAtOperationTime: start, maxAwaitTimeMS: 10_000 }),
  );
  const waiting = new Map<number, { left: number; t0: number; done: () => void }>();
  const samples: number[] = [];
  let closed = false;
  const readers = watchers.map(async (w) => {
    while (!closed) {
      let e: Document;
      try {
        e = await w.next();
      } catch {
        return;
      }
      const id = (e.documentKey as { _id: number } | undefined)?._id;
      const entry = id === undefined ? undefined : waiting.get(id);
      if (!entry) continue;
      samples.push(performance.now() - entry.t0);
      if (--entry.left === 0) entry.done();
    }
  });
  const writeConcern = durable ? { w: 1, j: true } : { w: 1 };
  const deadline = performance.now() + seconds * 1000;
  for (let i = 0; performance.now() < deadline; i++) {
    const delivered = new Promise<void>((resolve) => {
      waiting.set(i, { left: streams, t0: performance.now(), done: resolve });
    });
    await coll.insertOne({ _id: i, at: new Date() }, { writeConcern });
    await delivered;
    waiting.delete(i);
  }
  closed = true;
  await Promise.all(watchers.map((w) => w.close()));
  await Promise.all(readers);
  await coll.deleteMany({});
  samples.sort((a, b) => a - b);
  return {
    streams,
    writeConcern: durable ? 'w:1, j:true' : 'w:1',
    events: samples.length,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    maxMs: samples[samples.length - 1] ?? NaN,
  };
}

/** (e): one stream reads back a backlog of `count` inserts. */
async function throughput(
  client: MongoClient,
  coll: Collection<Doc>,
  count: number,
): Promise<ChangeStreamBenchResult['throughput']> {
  const start = await nextClusterTime(client);
  for (let i = 0; i < count; i += 1000) {
    const docs = Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({
      _id: i + j,
      sku: `sku-${i + j}`,
      qty: j,
      at: new Date(),
    }));
    await coll.insertMany(docs, { ordered: false });
  }
  const stream = coll.watch<Doc>([], { startAtOperationTime: start, maxAwaitTimeMS: 1000 });
  const t0 = performance.now();
  for (let n = 0; n < count; n++) await stream.next();
  const secs = (performance.now() - t0) / 1000;
  await stream.close();
  return { events: count, seconds: secs, eventsPerSec: count / secs };
}

export async function benchChangeStreams(
  client: MongoClient,
  seconds: number,
): Promise<ChangeStreamBenchResult> {
  const db = client.db('bench_cs');
  const coll = db.collection<Doc>('latency');
  await coll.insertOne({ _id: -1 });
  const runs: ChangeStreamLatency[] = [];
  for (const streams of [1, 10]) {
    for (const durable of [false, true]) {
      console.log(
        `(d) change-stream latency, ${streams} stream(s), ${durable ? 'j:true' : 'w:1'} writes, ${seconds} s ...`,
      );
      runs.push(await latency(client, coll, streams, durable, seconds));
    }
  }
  console.log('(e) events/s of one stream over a 50,000-insert backlog ...');
  const tp = await throughput(client, db.collection<Doc>('throughput'), 50_000);

  console.log('\n(d) change-stream latency: insertOne issued -> event delivered (sequential writes)');
  const header = ['streams', 'writes', 'events', 'p50 ms', 'p99 ms', 'max ms'];
  const rows = runs.map((r) => [
    String(r.streams),
    r.writeConcern,
    fmt(r.events),
    fmt(r.p50Ms, 2),
    fmt(r.p99Ms, 2),
    fmt(r.maxMs, 1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log(
    `\n(e) one change stream delivered ${fmt(tp.events)} events in ${fmt(tp.seconds, 2)} s: ${fmt(tp.eventsPerSec)} events/s`,
  );
  return { latency: runs, throughput: tp };
}
