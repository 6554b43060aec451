/**
 * Durability through the wire: the server runs in a child process on a temp dbPath and is SIGKILLed
 * while writers insert with {j: true}. After a restart on the same directory every acknowledged
 * document must be there exactly once and intact (types included), and nothing that was never
 * attempted, or half-written, may appear. Also: a clean stop keeps everything (documents, updates,
 * deletes, indexes, renames), and a 100k-document directory restarts quickly.
 */
import {
  Binary,
  Decimal128,
  Double,
  BSON,
  Int32,
  Long,
  MongoServerError,
  type Collection,
  type Document,
  type MongoClient,
} from 'mongodb';
import { readdir } from 'node:fs/promises';
import {
  withEmbeddedServerOnDisk,
  withServerChildren,
  type ServerChild,
} from '../helpers/embedded-server.js';

const children = withServerChildren();

const CLIENT_OPTIONS = { serverSelectionTimeoutMS: 3000, retryWrites: false, retryReads: false } as const;
const WRITERS = 8;
const ROUNDS = 3;
const DB = 'durable';
const COLL = 'events';

interface CrashDoc extends Document {
  _id: string;
}

interface AnyIdDoc extends Document {
  _id?: string | number;
}

/** A document with one field of each common BSON type, so recovery must preserve types exactly. */
function makeDoc(round: number, writer: number, seq: number): CrashDoc {
  return {
    _id: `r${round}-w${writer}-${seq}`,
    key: `k-${round}-${writer}-${seq}`,
    writer: new Int32(writer),
    seq: new Int32(seq),
    big: Long.fromBigInt(BigInt(seq) * 1_000_000_007n + BigInt(writer)),
    price: Decimal128.fromString(`${seq}.${writer}5`),
    ratio: new Double(seq / 7 + 0.5),
    at: new Date(1_700_000_000_000 + seq * 1000 + writer),
    tags: [`t${seq % 5}`, 'x', new Int32(round)],
    nested: { a: { b: `v${seq}`, empty: {} }, flag: seq % 2 === 0, nothing: null },
    bin: new Binary(Buffer.from([round, writer, seq & 0xff, (seq >> 8) & 0xff])),
    pad: 'p'.repeat((seq * 37) % 500),
  };
}

/** Canonical Extended JSON: equal strings mean equal values, equal BSON types and equal field order. */
const canonical = (doc: Document): string => BSON.EJSON.stringify(doc, { relaxed: false });

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function stderrOf(child: ServerChild): string {
  return `\n--- server stderr (tail) ---\n${child.stderrTail().slice(-4000)}`;
}

async function readAll(coll: Collection<CrashDoc>): Promise<CrashDoc[]> {
  return coll.find({}, { promoteValues: false, sort: { _id: 1 } }).toArray();
}

describe('crash recovery (SIGKILL during j:true inserts)', () => {
  it(`every acknowledged insert survives ${ROUNDS} crashes, exactly once and intact`, async () => {
    const dbPath = await children.tempDir('embedded-mongo-crash');
    const attempted = new Map<string, CrashDoc>();
    const acked = new Set<string>();
    let server = await children.start({ dbPath });
    {
      const client = await children.client(server.uri, CLIENT_OPTIONS);
      await client.db(DB).collection(COLL).createIndex({ key: 1 }, { unique: true });
      await client.close(true);
    }

    for (let round = 1; round <= ROUNDS; round++) {
      const client: MongoClient = await children.client(server.uri, CLIENT_OPTIONS);
      const coll = client.db(DB).collection<CrashDoc>(COLL, { writeConcern: { w: 1, j: true } });
      let stop = false;
      const roundAcked = { count: 0 };
      const writer = async (w: number): Promise<void> => {
        for (let seq = 0; !stop; seq++) {
          const doc = makeDoc(round, w, seq);
          attempted.set(doc._id, doc);
          try {
            await coll.insertOne({ ...doc });
          } catch {
            return; // the server is gone; whether this one landed is unknown (allowed either way)
          }
          acked.add(doc._id);
          roundAcked.count += 1;
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
      const killAfterMs = 300 + Math.floor(Math.random() * 500);
      await sleep(killAfterMs);
      const exit = await server.crash();
      stop = true;
      await Promise.all(writers);
      await client.close(true);
      expect(exit.signal).toBe('SIGKILL');
      // Otherwise the round proves nothing: the server must have acknowledged durable writes in time.
      expect(roundAcked.count).toBeGreaterThan(0);

      server = await children.start({ dbPath });
      const reader = await children.client(server.uri, CLIENT_OPTIONS);
      const docs = await readAll(reader.db(DB).collection<CrashDoc>(COLL));
      const seen = new Map<string, number>();
      for (const doc of docs) seen.set(doc._id, (seen.get(doc._id) ?? 0) + 1);

      const duplicated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
      const missing = [...acked].filter((id) => !seen.has(id));
      const unknown = docs.filter((d) => !attempted.has(d._id)).map((d) => d._id);
      const corrupt = docs
        .filter((d) => attempted.has(d._id))
        .filter((d) => canonical(d) !== canonical(attempted.get(d._id) as CrashDoc))
        .map((d) => `${d._id}: got ${canonical(d).slice(0, 300)}`);
      const summary =
        `round ${round}: killed after ${killAfterMs} ms; acked ${acked.size} (this round ${roundAcked.count}), ` +
        `attempted ${attempted.size}, recovered ${docs.length}`;
      console.log(summary);
      expect({
        duplicated,
        missing: missing.slice(0, 20),
        missingCount: missing.length,
        unknown,
        corrupt,
      }).toEqual({
        duplicated: [],
        missing: [],
        missingCount: 0,
        unknown: [],
        corrupt: [],
      });
      expect(docs.length).toBeGreaterThanOrEqual(acked.size);
      expect(docs.length).toBeLessThanOrEqual(attempted.size);
      const coll2 = reader.db(DB).collection<CrashDoc>(COLL);
      expect(await coll2.countDocuments()).toBe(docs.length);

      // The secondary unique index was recovered and is still enforced.
      const indexes = await coll2.listIndexes().toArray();
      expect(indexes.map((i) => i.name).sort()).toEqual(['_id_', 'key_1']);
      const [anyAcked] = acked;
      const dup = attempted.get(anyAcked) as CrashDoc;
      let dupError: unknown;
      try {
        await coll2.insertOne({ ...dup, _id: `dup-${round}` });
      } catch (err) {
        dupError = err;
      }
      expect(dupError).toBeInstanceOf(MongoServerError);
      expect((dupError as MongoServerError).code).toBe(11000);
      await reader.close(true);
      if (missing.length > 0 || corrupt.length > 0) throw new Error(`${summary}${stderrOf(server)}`);
    }
    await server.stop();
  }, 60_000);
});

describe('clean restart', () => {
  it('keeps documents, updates, deletes, indexes, renames and drops', async () => {
    const dbPath = await children.tempDir('embedded-mongo-clean');
    const first = await children.start({ dbPath });
    const client = await children.client(first.uri, CLIENT_OPTIONS);
    const db = client.db('shop');
    const items = db.collection<CrashDoc>('items');
    const docs = Array.from({ length: 1000 }, (_, i) => makeDoc(0, i % 8, i));
    await items.insertMany(docs.map((d) => ({ ...d })));
    await items.createIndex({ key: 1 }, { unique: true });
    await items.createIndex({ writer: 1, seq: -1 }, { name: 'by_writer' });
    await items.createIndex({ at: 1 }, { expireAfterSeconds: 10 * 365 * 24 * 3600 });
    await items.updateMany({ writer: 3 }, { $set: { touched: true } });
    await items.deleteMany({ writer: 5 });
    await db.collection<AnyIdDoc>('temp').insertOne({ _id: 1 });
    await db.collection<AnyIdDoc>('old_name').insertOne({ _id: 'renamed' });
    await db.renameCollection('old_name', 'new_name');
    await db.collection<AnyIdDoc>('temp').drop();
    await client.db('gone').collection<AnyIdDoc>('c').insertOne({ _id: 1 });
    await client.db('gone').dropDatabase();
    await client.close(true);
    const exit = await first.stop();
    expect(exit).toEqual({ code: 0, signal: null });

    const second = await children.start({ dbPath });
    const reader = await children.client(second.uri, CLIENT_OPTIONS);
    const rdb = reader.db('shop');
    const expected = docs
      .filter((d) => d.writer.value !== 5)
      .map((d) => (d.writer.value === 3 ? { ...d, touched: true } : d))
      .sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
    const recovered = await readAll(rdb.collection<CrashDoc>('items'));
    expect(recovered.length).toBe(expected.length);
    expect(recovered.map(canonical)).toEqual(expected.map(canonical));
    const indexes = await rdb.collection('items').listIndexes().toArray();
    expect(
      indexes.map((i) => ({ name: i.name, key: i.key, unique: i.unique, ttl: i.expireAfterSeconds })),
    ).toEqual([
      { name: '_id_', key: { _id: 1 }, unique: undefined, ttl: undefined },
      { name: 'key_1', key: { key: 1 }, unique: true, ttl: undefined },
      { name: 'by_writer', key: { writer: 1, seq: -1 }, unique: undefined, ttl: undefined },
      { name: 'at_1', key: { at: 1 }, unique: undefined, ttl: 10 * 365 * 24 * 3600 },
    ]);
    const names = (await rdb.listCollections().toArray()).map((c) => c.name).sort();
    expect(names).toEqual(['items', 'new_name']);
    expect(await rdb.collection<AnyIdDoc>('new_name').findOne({})).toEqual({ _id: 'renamed' });
    const dbs = (await reader.db('admin').admin().listDatabases()).databases.map((d) => d.name);
    expect(dbs).not.toContain('gone');
    await reader.close(true);
    await second.stop();
  }, 60_000);
});

describe('restart of a 100k-document data directory', () => {
  it('recovers after a crash and after a clean stop within a generous bound', async () => {
    const total = 100_000;
    const batch = 5_000;
    const dbPath = await children.tempDir('embedded-mongo-100k');
    const server = await children.start({ dbPath });
    const client = await children.client(server.uri, CLIENT_OPTIONS);
    const coll = client.db('big').collection<AnyIdDoc>('docs', { writeConcern: { w: 1, j: true } });
    await coll.createIndex({ k: 1 }, { unique: true });
    const loadStarted = performance.now();
    for (let start = 0; start < total; start += batch) {
      await coll.insertMany(
        Array.from({ length: batch }, (_, j) => ({
          _id: start + j,
          k: `key-${start + j}`,
          v: j,
          pad: 'x'.repeat(64),
        })),
        { ordered: false },
      );
    }
    const loadMs = performance.now() - loadStarted;
    await client.close(true);
    await server.crash();

    const afterCrash = await children.start({ dbPath, startTimeoutMs: 90_000 });
    const crashClient = await children.client(afterCrash.uri, CLIENT_OPTIONS);
    const crashColl = crashClient.db('big').collection<AnyIdDoc>('docs');
    expect(await crashColl.estimatedDocumentCount()).toBe(total);
    expect(await crashColl.findOne({ k: `key-${total - 1}` })).toMatchObject({ _id: total - 1 });
    await crashClient.close(true);
    await afterCrash.stop(60_000);

    const afterStop = await children.start({ dbPath, startTimeoutMs: 90_000 });
    const stopClient = await children.client(afterStop.uri, CLIENT_OPTIONS);
    expect(await stopClient.db('big').collection('docs').countDocuments()).toBe(total);
    await stopClient.close(true);
    await afterStop.stop(60_000);

    console.log(
      `100k docs: load ${(loadMs / 1000).toFixed(1)} s; startup after SIGKILL ${(afterCrash.startupMs / 1000).toFixed(2)} s; ` +
        `startup after clean stop ${(afterStop.startupMs / 1000).toFixed(2)} s (both include node startup)`,
    );
    // Shared machines: only a generous bound. The issue asks for seconds, not minutes.
    expect(afterCrash.startupMs).toBeLessThan(60_000);
    expect(afterStop.startupMs).toBeLessThan(60_000);
  }, 150_000);
});

describe('in-process server on a dbPath', () => {
  const mongo = withEmbeddedServerOnDisk();

  it('keeps its data in the data directory', async () => {
    const dbPath = mongo.dbPath as string;
    const client = await mongo.client();
    const coll = client.db('local_files').collection<AnyIdDoc>('c', { writeConcern: { w: 1, j: true } });
    await coll.insertOne({ _id: 1, v: 'x'.repeat(1000) });
    expect(await coll.findOne({ _id: 1 })).toMatchObject({ _id: 1 });
    const files = await readdir(dbPath);
    expect(files).toContain('mongod.lock');
    expect(files.length).toBeGreaterThan(1);
  });
});
