/**
 * Change streams through the official driver, as a service watching its collections would use
 * them: collection / database / deployment streams, every event type with mongod's shapes,
 * updateLookup, pre- and post-images, user stages, resuming (resumeAfter, startAfter after an
 * invalidate, startAtOperationTime, the driver's own resume token) exactly once, getMore that
 * waits for commits, invalid tokens, and ChangeStreamHistoryLost (286) once retention has dropped
 * the resume point. The SIGKILL test lives in change-streams-crash.test.ts.
 */
import {
  Binary,
  Long,
  MongoServerError,
  Timestamp,
  type ChangeStream,
  type ChangeStreamDocument,
  type ChangeStreamOptions,
  type Document,
  type MongoClient,
  type ResumeToken,
} from 'mongodb';
import { jest } from '@jest/globals';
import { MongoClient as Client } from 'mongodb';
import { startEmbeddedMongo } from '../../src/embedded-mongo/index.js';
import {
  makeTempDir,
  removeTempDir,
  TEST_CLIENT_OPTIONS,
  withEmbeddedServer,
} from '../helpers/embedded-server.js';

const mongo = withEmbeddedServer();
jest.setTimeout(20_000);

type Event = ChangeStreamDocument & Document;

interface Doc extends Document {
  _id?: string | number;
}

/** The next event, failing the test instead of hanging when none comes. */
async function next(stream: ChangeStream<Document, Event>, timeoutMs = 5000): Promise<Event> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no change event within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([stream.next(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function take(stream: ChangeStream<Document, Event>, n: number): Promise<Event[]> {
  const out: Event[] = [];
  for (let i = 0; i < n; i++) out.push(await next(stream));
  return out;
}

/**
 * Opens the server cursor now (the driver is lazy), so later writes are after its start. The
 * first tryNext() also runs one getMore, which waits maxAwaitTimeMS (watch() below keeps it short).
 * Only for streams that start "now": tryNext() would consume a resumed stream's first event.
 */
async function opened(stream: ChangeStream<Document, Event>): Promise<ChangeStream<Document, Event>> {
  await stream.tryNext();
  return stream;
}

interface Watchable {
  watch<T extends Document, E extends Document>(
    pipeline?: Document[],
    options?: ChangeStreamOptions,
  ): ChangeStream<T, E>;
}

/** watch() with a short maxAwaitTimeMS, so an idle getMore does not hold a test for a second. */
function watch(
  target: Watchable,
  pipeline: Document[] = [],
  options: ChangeStreamOptions = {},
): ChangeStream<Document, Event> {
  return target.watch<Document, Event>(pipeline, { maxAwaitTimeMS: 100, ...options });
}

async function errorOf(work: Promise<unknown>): Promise<MongoServerError> {
  try {
    await work;
  } catch (e) {
    if (e instanceof MongoServerError) return e;
    throw e;
  }
  throw new Error('expected a server error');
}

let client: MongoClient;
beforeAll(async () => {
  client = await mongo.client();
});

describe('collection stream: document events', () => {
  it('reports insert, update, replace and delete with mongod shapes', async () => {
    const coll = client.db('cs').collection<Doc>('crud');
    const stream = await opened(watch(coll));
    await coll.insertOne({ _id: 1, a: 1, arr: [1, 2, 3], gone: true });
    await coll.updateOne({ _id: 1 }, { $set: { a: 2, 'b.c': 3 }, $unset: { gone: '' } });
    await coll.updateOne({ _id: 1 }, [{ $set: { arr: [1] } }]);
    await coll.replaceOne({ _id: 1 }, { x: 'new' });
    await coll.deleteOne({ _id: 1 });
    const [ins, upd, trunc, rep, del] = await take(stream, 5);

    expect(ins).toMatchObject({
      operationType: 'insert',
      ns: { db: 'cs', coll: 'crud' },
      documentKey: { _id: 1 },
      fullDocument: { _id: 1, a: 1, arr: [1, 2, 3], gone: true },
    });
    expect(typeof (ins._id as { _data: unknown })._data).toBe('string');
    expect(ins.clusterTime).toBeInstanceOf(Timestamp);
    expect(ins.wallTime).toBeInstanceOf(Date);
    expect(ins).not.toHaveProperty('collectionUUID');

    expect(upd).toMatchObject({
      operationType: 'update',
      documentKey: { _id: 1 },
      updateDescription: {
        updatedFields: { a: 2, b: { c: 3 } },
        removedFields: ['gone'],
        truncatedArrays: [],
      },
    });
    expect(upd).not.toHaveProperty('fullDocument');
    expect(upd.updateDescription).not.toHaveProperty('disambiguatedPaths');

    expect(trunc).toMatchObject({
      operationType: 'update',
      updateDescription: {
        updatedFields: {},
        removedFields: [],
        truncatedArrays: [{ field: 'arr', newSize: 1 }],
      },
    });
    expect(rep).toMatchObject({ operationType: 'replace', fullDocument: { _id: 1, x: 'new' } });
    expect(del).toMatchObject({ operationType: 'delete', documentKey: { _id: 1 } });
    expect(del).not.toHaveProperty('fullDocument');

    const tokens = [ins, upd, trunc, rep, del].map((e) => (e._id as { _data: string })._data);
    expect([...tokens].sort()).toEqual(tokens);
    expect(new Set(tokens).size).toBe(5);
    await stream.close();
  });

  it('shows only its own collection, and applies the user pipeline to events', async () => {
    const db = client.db('cs');
    const stream = await opened(
      watch(db.collection<Doc>('mine'), [
        { $match: { 'fullDocument.keep': true } },
        { $project: { operationType: 1, ns: 1, k: '$fullDocument.k' } },
      ]),
    );
    await db.collection<Doc>('other').insertOne({ keep: true, k: 'other' });
    await db.collection<Doc>('mine').insertMany([
      { keep: false, k: 'dropped' },
      { keep: true, k: 'kept' },
    ]);
    const e = await next(stream);
    expect(e).toEqual({ _id: e._id, operationType: 'insert', ns: { db: 'cs', coll: 'mine' }, k: 'kept' });
    await stream.close();
  });

  it('fullDocument: updateLookup returns the current document (null once deleted)', async () => {
    const coll = client.db('cs').collection<Doc>('lookup');
    const stream = await opened(watch(coll, [], { fullDocument: 'updateLookup' }));
    await coll.insertOne({ _id: 'a', n: 1 });
    await coll.updateOne({ _id: 'a' }, { $inc: { n: 1 } });
    await coll.updateOne({ _id: 'a' }, { $inc: { n: 1 } });
    const [, first, second] = await take(stream, 3);
    expect(first.fullDocument).toEqual({ _id: 'a', n: 3 });
    expect(second.fullDocument).toEqual({ _id: 'a', n: 3 });

    await coll.updateOne({ _id: 'a' }, { $inc: { n: 1 } });
    await coll.deleteOne({ _id: 'a' });
    const [afterDelete] = await take(stream, 2);
    expect(afterDelete).toMatchObject({ operationType: 'update', fullDocument: null });
    await stream.close();
  });

  it('pre- and post-images exist only for collections with changeStreamPreAndPostImages', async () => {
    const db = client.db('cs');
    await db.createCollection('images', { changeStreamPreAndPostImages: { enabled: true } });
    await db.createCollection('plain');
    const images = db.collection<Doc>('images');
    const plain = db.collection<Doc>('plain');
    await images.insertOne({ _id: 1, v: 'one' });
    await plain.insertOne({ _id: 1, v: 'one' });

    const opts = { fullDocument: 'whenAvailable', fullDocumentBeforeChange: 'whenAvailable' } as const;
    const s1 = await opened(watch(images, [], opts));
    await images.updateOne({ _id: 1 }, { $set: { v: 'two' } });
    await images.replaceOne({ _id: 1 }, { v: 'three' });
    await images.deleteOne({ _id: 1 });
    const [u, r, d] = await take(s1, 3);
    expect(u).toMatchObject({
      fullDocumentBeforeChange: { _id: 1, v: 'one' },
      fullDocument: { _id: 1, v: 'two' },
    });
    expect(r).toMatchObject({
      fullDocumentBeforeChange: { _id: 1, v: 'two' },
      fullDocument: { _id: 1, v: 'three' },
    });
    expect(d).toMatchObject({ fullDocumentBeforeChange: { _id: 1, v: 'three' } });
    await s1.close();

    const s2 = await opened(watch(plain, [], opts));
    await plain.updateOne({ _id: 1 }, { $set: { v: 'two' } });
    const [pu] = await take(s2, 1);
    expect(pu).toMatchObject({ fullDocumentBeforeChange: null, fullDocument: null });
    await s2.close();

    const s3 = await opened(watch(plain, [], { fullDocumentBeforeChange: 'required' }));
    await plain.updateOne({ _id: 1 }, { $set: { v: 'three' } });
    const err = await errorOf(next(s3));
    expect(err.code).toBe(47);
    await s3.close();
  });

  it('showExpandedEvents: DDL events, collectionUUID and disambiguatedPaths', async () => {
    const db = client.db('csx');
    const stream = await opened(watch(db, [], { showExpandedEvents: true }));
    await db.createCollection('t');
    await db.collection<Doc>('t').createIndex({ a: 1 });
    await db.command({ collMod: 't', index: { name: 'a_1', hidden: true } });
    await db.collection<Doc>('t').dropIndex('a_1');
    await db.collection<Doc>('t').insertOne({ _id: 1, m: { '1': 0 } });
    await db.collection<Doc>('t').updateOne({ _id: 1 }, { $set: { 'm.1': 5 } });
    const [create, createIndexes, modify, dropIndexes, insert, update] = await take(stream, 6);
    expect(create).toMatchObject({
      operationType: 'create',
      ns: { db: 'csx', coll: 't' },
      operationDescription: { idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } },
    });
    expect(create.collectionUUID).toBeInstanceOf(Binary);
    expect(createIndexes).toMatchObject({
      operationType: 'createIndexes',
      operationDescription: { indexes: [{ v: 2, key: { a: 1 }, name: 'a_1' }] },
    });
    expect(modify).toMatchObject({
      operationType: 'modify',
      operationDescription: { index: { name: 'a_1', hidden: true } },
      stateBeforeChange: { indexOptions: { hidden: false } },
    });
    expect(dropIndexes).toMatchObject({
      operationType: 'dropIndexes',
      operationDescription: { indexes: [{ key: { a: 1 }, name: 'a_1' }] },
    });
    expect(insert.collectionUUID).toEqual(create.collectionUUID);
    expect(update).toMatchObject({
      updateDescription: { updatedFields: { 'm.1': 5 }, disambiguatedPaths: { 'm.1': ['m', '1'] } },
    });
    await stream.close();
  });
});

describe('DDL events and invalidation', () => {
  it('a collection stream ends with invalidate after drop; startAfter continues past it', async () => {
    const db = client.db('csd');
    const coll = db.collection<Doc>('c');
    await coll.insertOne({ _id: 0 });
    const stream = await opened(watch(coll));
    await coll.insertOne({ _id: 1 });
    await coll.drop();
    const [, drop, invalidate] = await take(stream, 3);
    expect(drop).toMatchObject({ operationType: 'drop', ns: { db: 'csd', coll: 'c' } });
    expect(invalidate).toMatchObject({ operationType: 'invalidate' });
    expect(invalidate).not.toHaveProperty('ns');
    expect(stream.closed || (await stream.tryNext().catch(() => null)) === null).toBe(true);

    const err = await errorOf(opened(watch(coll, [], { resumeAfter: invalidate._id })));
    expect(err.code).toBe(260);

    await coll.insertOne({ _id: 'recreated' });
    const after = watch(coll, [], { startAfter: invalidate._id });
    const [recreated] = await take(after, 1);
    expect(recreated).toMatchObject({ operationType: 'insert', documentKey: { _id: 'recreated' } });
    await after.close();
  });

  it('rename invalidates streams on the source and the target', async () => {
    const db = client.db('csr');
    await db.collection<Doc>('from').insertOne({ _id: 1 });
    const src = await opened(watch(db.collection<Doc>('from')));
    const dst = await opened(watch(db.collection<Doc>('to')));
    await db.renameCollection('from', 'to');
    for (const stream of [src, dst]) {
      const [rename, invalidate] = await take(stream, 2);
      expect(rename).toMatchObject({
        operationType: 'rename',
        ns: { db: 'csr', coll: 'from' },
        to: { db: 'csr', coll: 'to' },
      });
      expect(invalidate.operationType).toBe('invalidate');
    }
  });

  it('a database stream sees drops and dropDatabase, then invalidate; a cluster stream goes on', async () => {
    const db = client.db('csdb');
    await db.collection<Doc>('a').insertOne({ _id: 1 });
    await db.collection<Doc>('b').insertOne({ _id: 1 });
    const dbStream = await opened(watch(db));
    const cluster = await opened(watch(client));
    await db.dropDatabase();
    await client.db('csdb2').collection<Doc>('later').insertOne({ _id: 'after' });
    const dbEvents = await take(dbStream, 4);
    expect(dbEvents.map((e) => e.operationType)).toEqual(['drop', 'drop', 'dropDatabase', 'invalidate']);
    expect(dbEvents[2].ns).toEqual({ db: 'csdb' });
    const clusterEvents = await take(cluster, 4);
    expect(clusterEvents.map((e) => e.operationType)).toEqual(['drop', 'drop', 'dropDatabase', 'insert']);
    expect(clusterEvents[3].ns).toEqual({ db: 'csdb2', coll: 'later' });
    await cluster.close();
  });

  it('a cluster stream ignores admin, config and local', async () => {
    const cluster = await opened(watch(client));
    await client.db('local').collection<Doc>('x').insertOne({ _id: 1 });
    await client.db('config').collection<Doc>('x').insertOne({ _id: 1 });
    await client.db('csc').collection<Doc>('x').insertOne({ _id: 'seen' });
    const [e] = await take(cluster, 1);
    expect(e.ns).toEqual({ db: 'csc', coll: 'x' });
    await cluster.close();
  });
});

describe('resuming', () => {
  it('resumeAfter a token delivers every later event exactly once', async () => {
    const coll = client.db('csres').collection<Doc>('r');
    const stream = await opened(watch(coll));
    await coll.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }]);
    await coll.insertOne({ _id: 4 });
    const events = await take(stream, 4);
    await stream.close();
    const resumed = watch(coll, [], { resumeAfter: events[1]._id });
    const again = await take(resumed, 2);
    expect(again.map((e) => e.documentKey)).toEqual([{ _id: 3 }, { _id: 4 }]);
    expect(await resumed.tryNext()).toBeNull();
    await resumed.close();
  });

  it('the driver resume token after empty batches (postBatchResumeToken) loses and repeats nothing', async () => {
    const coll = client.db('csres').collection<Doc>('pbrt');
    const stream = await opened(watch(coll, [{ $match: { 'fullDocument.keep': true } }]));
    await coll.insertOne({ _id: 'filtered', keep: false });
    expect(await stream.tryNext()).toBeNull();
    const token = stream.resumeToken as ResumeToken;
    await stream.close();
    await coll.insertOne({ _id: 'later', keep: true });
    const resumed = watch(coll, [], { resumeAfter: token });
    const [e] = await take(resumed, 1);
    expect(e.documentKey).toEqual({ _id: 'later' });
    await resumed.close();
  });

  it('startAtOperationTime starts at that cluster time, inclusive', async () => {
    const coll = client.db('csres').collection<Doc>('optime');
    await coll.insertOne({ _id: 'before' });
    const session = client.startSession();
    await coll.insertOne({ _id: 'at' }, { session });
    const at = session.operationTime as Timestamp;
    await session.endSession();
    await coll.insertOne({ _id: 'after' });
    const stream = watch(coll, [], { startAtOperationTime: at });
    const events = await take(stream, 2);
    expect(events.map((e) => e.documentKey)).toEqual([{ _id: 'at' }, { _id: 'after' }]);
    await stream.close();
  });

  it('rejects malformed and foreign tokens', async () => {
    const coll = client.db('csres').collection<Doc>('bad');
    expect((await errorOf(opened(watch(coll, [], { resumeAfter: { _data: 'zz' } })))).code).toBe(9);
    expect((await errorOf(opened(watch(coll, [], { resumeAfter: { _data: 'ABCD' } })))).code).toBe(260);
    expect((await errorOf(opened(watch(coll, [], { resumeAfter: { x: 1 } })))).code).toBe(40647);
    const future = '82' + 'FFFFFFF0' + '00000001' + '01' + '01' + '00000000' + '00';
    const err = await errorOf(opened(watch(coll, [], { resumeAfter: { _data: future } })));
    expect(err.code).toBe(280);
    expect(err.errorLabels).toContain('NonResumableChangeStreamError');
  });

  it('rejects stages a change stream does not allow, and a projected-out _id', async () => {
    const coll = client.db('csres').collection<Doc>('stages');
    expect((await errorOf(opened(watch(coll, [{ $group: { _id: null } }])))).code).toBe(20);
    const stream = await opened(watch(coll, [{ $project: { _id: 0 } }]));
    await coll.insertOne({ _id: 1 });
    const err = await errorOf(next(stream as ChangeStream<Document, Event>));
    expect(err.code).toBe(280);
  });
});

describe('getMore and awaitData', () => {
  it('waits for the next commit instead of returning early, and wakes on it', async () => {
    const coll = client.db('csw').collection<Doc>('w');
    // No opened(): next() opens the stream at once, then its getMore waits for the insert.
    const stream = watch(coll, [], { maxAwaitTimeMS: 3000 });
    const t0 = performance.now();
    setTimeout(() => void coll.insertOne({ _id: 'late' }), 300);
    const e = await next(stream);
    const waited = performance.now() - t0;
    expect(e.documentKey).toEqual({ _id: 'late' });
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(2000);

    const idle0 = performance.now();
    const stream2 = await opened(watch(coll, [], { maxAwaitTimeMS: 600 }));
    await client.db('csw').collection<Doc>('unrelated').insertOne({ _id: 1 });
    expect(await stream2.tryNext()).toBeNull();
    expect(performance.now() - idle0).toBeGreaterThanOrEqual(550);
    await stream.close();
    await stream2.close();
  });
});

describe('transactions', () => {
  it('events appear only after commit, in order, with the commit clusterTime, lsid and txnNumber', async () => {
    const coll = client.db('cstxn').collection<Doc>('t');
    await coll.insertOne({ _id: 'seed' });
    const stream = await opened(watch(coll, [], { maxAwaitTimeMS: 300, promoteLongs: false }));
    const session = client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ _id: 'a' }, { session });
      await coll.updateOne({ _id: 'seed' }, { $set: { touched: true } }, { session });
      await coll.deleteOne({ _id: 'a' }, { session });
      expect(await stream.tryNext()).toBeNull();
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    const events = await take(stream, 3);
    expect(events.map((e) => e.operationType)).toEqual(['insert', 'update', 'delete']);
    const ts = events.map((e) => (e.clusterTime as Timestamp).toString());
    expect(new Set(ts).size).toBe(1);
    for (const e of events) {
      expect(e.lsid).toEqual({ id: expect.any(Binary) });
      expect(e.txnNumber).toEqual(expect.any(Long));
    }
    await stream.close();
  });
});

describe('retention', () => {
  const small = withEmbeddedServer({ oplogSizeMB: 0.05 });

  it('resuming from a point the oplog no longer holds fails with ChangeStreamHistoryLost (286)', async () => {
    const c = await small.client();
    const coll = c.db('retain').collection<Doc>('r');
    const stream = await opened(watch(coll));
    await coll.insertOne({ _id: 'first' });
    const [first] = await take(stream, 1);
    await stream.close();
    const pad = 'x'.repeat(1000);
    for (let i = 0; i < 100; i++) await coll.insertOne({ _id: i, pad });
    const err = await errorOf(opened(watch(coll, [], { resumeAfter: first._id })));
    expect(err.code).toBe(286);
    expect(err.codeName).toBe('ChangeStreamHistoryLost');
    const op = await errorOf(
      opened(watch(coll, [], { startAtOperationTime: first.clusterTime as Timestamp })),
    );
    expect(op.code).toBe(286);
  });
});

describe('retention by age', () => {
  const aged = withEmbeddedServer({ oplogRetentionHours: 0.3 / 3600 });

  it('entries older than oplogRetentionHours are gone', async () => {
    const c = await aged.client();
    const coll = c.db('aged').collection<Doc>('r');
    const stream = await opened(watch(coll));
    await coll.insertOne({ _id: 'old' });
    const [old] = await take(stream, 1);
    await stream.close();
    await new Promise((r) => setTimeout(r, 500));
    await coll.insertOne({ _id: 'new' });
    expect((await errorOf(opened(watch(coll, [], { resumeAfter: old._id })))).code).toBe(286);
  });
});

describe('on disk', () => {
  it('w:1 writes reach a waiting stream promptly; history, descriptions and images survive a restart', async () => {
    const dbPath = await makeTempDir('embedded-mongo-cs-disk');
    try {
      let server = await startEmbeddedMongo({ dbPath, logLevel: 'error' });
      let c = await new Client(server.uri, TEST_CLIENT_OPTIONS).connect();
      let db = c.db('disk');
      await db.createCollection('imgs', { changeStreamPreAndPostImages: { enabled: true } });
      // next() opens the stream at once; its getMore then waits for the w:1 insert, whose event
      // must not wait for the journal's periodic flush (the waiting stream asks for one).
      const stream = watch(db, [], { maxAwaitTimeMS: 5000 });
      const t0 = performance.now();
      setTimeout(
        () => void db.collection<Doc>('imgs').insertOne({ _id: 1, v: 1 }, { writeConcern: { w: 1 } }),
        300,
      );
      await next(stream);
      expect(performance.now() - t0).toBeLessThan(1000);
      await db.collection<Doc>('imgs').updateOne({ _id: 1 }, { $set: { v: 2 }, $unset: { gone: 1 } });
      await db.collection<Doc>('imgs').deleteOne({ _id: 1 });
      const [update, del] = await take(stream, 2);
      await stream.close();
      await c.close();
      await server.stop();

      server = await startEmbeddedMongo({ dbPath, logLevel: 'error' });
      c = await new Client(server.uri, TEST_CLIENT_OPTIONS).connect();
      db = c.db('disk');
      const resumed = watch(db, [], {
        startAtOperationTime: update.clusterTime as Timestamp,
        fullDocument: 'required',
        fullDocumentBeforeChange: 'required',
      });
      const [u2, d2] = await take(resumed, 2);
      expect(u2._id).toEqual(update._id);
      expect(u2).toMatchObject({
        operationType: 'update',
        updateDescription: { updatedFields: { v: 2 }, removedFields: [] },
        fullDocument: { _id: 1, v: 2 },
        fullDocumentBeforeChange: { _id: 1, v: 1 },
      });
      expect(d2._id).toEqual(del._id);
      expect(d2.fullDocumentBeforeChange).toEqual({ _id: 1, v: 2 });
      await resumed.close();
      await c.close();
      await server.stop();
    } finally {
      await removeTempDir(dbPath);
    }
  });
});
