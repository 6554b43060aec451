/**
 * CRUD, cursors, aggregation, indexes, collections and error codes through the official driver,
 * against the embedded server (in memory, in this process). Every expectation is MongoDB 8.0's
 * behaviour: results, counts and numeric error codes (never messages).
 */
import {
  Decimal128,
  Double,
  Int32,
  Long,
  MongoBulkWriteError,
  MongoServerError,
  ObjectId,
  Timestamp,
  type CommandStartedEvent,
  type CommandSucceededEvent,
  type Db,
  type Document,
  type MongoClient,
  type WriteError,
} from 'mongodb';
import { withEmbeddedServer } from '../helpers/embedded-server.js';

/** Documents with any `_id` (the driver's default schema types `_id` as ObjectId). */
interface TestDoc extends Document {
  _id?: number | string | ObjectId;
}

const mongo = withEmbeddedServer({ ttlMonitorSleepSecs: 1 });

let client: MongoClient;
const started: CommandStartedEvent[] = [];
const succeeded: CommandSucceededEvent[] = [];
let dbCounter = 0;

beforeAll(async () => {
  client = await mongo.client({ monitorCommands: true });
  client.on('commandStarted', (e) => started.push(e));
  client.on('commandSucceeded', (e) => succeeded.push(e));
});

beforeEach(() => {
  started.length = 0;
  succeeded.length = 0;
});

/** A fresh database per test, so tests never see each other's data. */
function freshDb(): Db {
  dbCounter += 1;
  return client.db(`crud_${dbCounter}`);
}

/** Awaits a rejection and checks it is a server error with MongoDB's numeric code (and name). */
async function expectServerError(
  work: Promise<unknown>,
  code: number,
  codeName?: string,
): Promise<MongoServerError> {
  let caught: unknown;
  try {
    await work;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(MongoServerError);
  const err = caught as MongoServerError;
  expect({ code: err.code, codeName: codeName === undefined ? undefined : err.codeName }).toEqual({
    code,
    codeName,
  });
  return err;
}

async function expectBulkError(work: Promise<unknown>): Promise<MongoBulkWriteError> {
  let caught: unknown;
  try {
    await work;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(MongoBulkWriteError);
  return caught as MongoBulkWriteError;
}

function writeErrorsOf(err: MongoBulkWriteError): WriteError[] {
  const errors: WriteError | readonly WriteError[] = err.writeErrors;
  return errors instanceof Array ? [...(errors as readonly WriteError[])] : [errors as WriteError];
}

/** Every `stage` name anywhere in an explain's winning plan (classic or SBE layout). */
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
  const planner = explain.queryPlanner as Document | undefined;
  expect(planner).toBeDefined();
  walk(planner?.winningPlan);
  return stages;
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('insert', () => {
  it('insertOne returns the id and the document reads back unchanged', async () => {
    const coll = freshDb().collection<TestDoc>('people');
    const doc = { name: 'Ann', age: 31, tags: ['a', 'b'], address: { city: 'Oslo' } };
    const res = await coll.insertOne(doc);
    expect(res.acknowledged).toBe(true);
    expect(res.insertedId).toBeInstanceOf(ObjectId);
    expect(await coll.findOne({ _id: res.insertedId })).toEqual({ _id: res.insertedId, ...doc });
  });

  it('insertMany ordered stops at the first duplicate _id and reports it as a write error', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    const err = await expectBulkError(coll.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 1 }, { _id: 3 }]));
    expect(err.code).toBe(11000);
    expect(err.insertedCount).toBe(2);
    const errors = writeErrorsOf(err);
    expect(errors.map((e) => [e.index, e.code])).toEqual([[2, 11000]]);
    // The driver's WriteError keeps only index/code/errmsg/errInfo; the server's reply has the key.
    const reply = succeeded.find((e) => e.commandName === 'insert')?.reply as Document | undefined;
    expect(reply?.writeErrors).toEqual([
      expect.objectContaining({ index: 2, code: 11000, keyPattern: { _id: 1 }, keyValue: { _id: 1 } }),
    ]);
    const ids = await coll.find({}, { sort: { _id: 1 } }).toArray();
    expect(ids).toEqual([{ _id: 1 }, { _id: 2 }]);
  });

  it('insertMany unordered inserts every valid document and reports each duplicate', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    const err = await expectBulkError(
      coll.insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }, { _id: 2 }, { _id: 3 }], { ordered: false }),
    );
    expect(err.insertedCount).toBe(3);
    expect(writeErrorsOf(err).map((e) => [e.index, e.code])).toEqual([
      [1, 11000],
      [3, 11000],
    ]);
    expect(await coll.countDocuments()).toBe(3);
  });

  it('a w:0 insert is applied although nothing is acknowledged', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    const res = await coll.insertOne({ _id: 'fire-and-forget', v: 1 }, { writeConcern: { w: 0 } });
    expect(res.acknowledged).toBe(false);
    expect(
      await eventually(async () => (await coll.findOne({ _id: 'fire-and-forget' })) !== null, 3000),
    ).toBe(true);
  });
});

describe('find and cursors', () => {
  let db: Db;
  beforeAll(async () => {
    db = freshDb();
    await db.collection<TestDoc>('items').insertMany(
      Array.from({ length: 25 }, (_, i) => ({
        _id: i,
        n: i,
        group: i % 3,
        name: `item-${String(i).padStart(2, '0')}`,
      })),
    );
  });

  it('applies filter, projection, sort, skip and limit', async () => {
    const docs = await db
      .collection<TestDoc>('items')
      .find({ n: { $gte: 5 } }, { projection: { _id: 0, n: 1 }, sort: { n: -1 }, skip: 2, limit: 5 })
      .toArray();
    expect(docs).toEqual([{ n: 22 }, { n: 21 }, { n: 20 }, { n: 19 }, { n: 18 }]);
  });

  it('sorts on a compound key and supports inclusion of computed projections', async () => {
    const docs = await db
      .collection<TestDoc>('items')
      .find(
        { n: { $lt: 6 } },
        { sort: { group: 1, n: -1 }, projection: { n: 1, double: { $multiply: ['$n', 2] } } },
      )
      .toArray();
    expect(docs).toEqual([
      { _id: 3, n: 3, double: 6 },
      { _id: 0, n: 0, double: 0 },
      { _id: 4, n: 4, double: 8 },
      { _id: 1, n: 1, double: 2 },
      { _id: 5, n: 5, double: 10 },
      { _id: 2, n: 2, double: 4 },
    ]);
  });

  it('iterates past several batches with getMore', async () => {
    const cursor = db.collection<TestDoc>('items').find({}, { sort: { _id: 1 }, batchSize: 3 });
    const ids: number[] = [];
    for await (const doc of cursor) ids.push(doc._id as unknown as number);
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => i));
    const getMores = started.filter((e) => e.commandName === 'getMore');
    // 3 in the first batch, then 7 full getMores and one with the last document.
    expect(getMores).toHaveLength(8);
    const last = succeeded.filter((e) => e.commandName === 'getMore').at(-1);
    // The driver may hand the Int64 back as a Long or a number: compare decimal strings.
    expect(String((last?.reply as Document).cursor.id)).toBe('0');
  });

  it('cursor.close() kills the server cursor (a later getMore gets CursorNotFound 43)', async () => {
    const cursor = db.collection<TestDoc>('items').find({}, { batchSize: 2 });
    await cursor.next();
    const id = cursor.id;
    expect(id).toBeDefined();
    expect(id?.isZero()).toBe(false);
    await cursor.close();
    const kill = succeeded.find((e) => e.commandName === 'killCursors');
    expect(kill).toBeDefined();
    expect(((kill?.reply as Document).cursorsKilled as unknown[]).map(String)).toEqual([String(id)]);
    await expectServerError(db.command({ getMore: id, collection: 'items' }), 43, 'CursorNotFound');
  });

  it('an exhausted single batch returns cursor id 0 (no getMore)', async () => {
    const docs = await db.collection<TestDoc>('items').find({ group: 1 }).toArray();
    expect(docs).toHaveLength(8);
    expect(started.filter((e) => e.commandName === 'getMore')).toHaveLength(0);
  });

  it('a hint naming no index is BadValue (2)', async () => {
    await expectServerError(
      db.collection<TestDoc>('items').find({}).hint({ nope: 1 }).toArray(),
      2,
      'BadValue',
    );
  });

  it('rejects unknown query operators with BadValue (2)', async () => {
    await expectServerError(
      db
        .collection<TestDoc>('items')
        .find({ n: { $bogus: 1 } })
        .toArray(),
      2,
      'BadValue',
    );
    await expectServerError(db.collection<TestDoc>('items').find({ $bogus: 1 }).toArray(), 2, 'BadValue');
  });
});

describe('BSON comparison semantics', () => {
  let db: Db;
  beforeAll(async () => {
    db = freshDb();
    await db.collection<TestDoc>('mixed').insertMany([
      { _id: 'str', v: 'b' },
      { _id: 'int', v: new Int32(2) },
      { _id: 'null', v: null },
      { _id: 'obj', v: { x: 1 } },
      { _id: 'bool', v: true },
      { _id: 'date', v: new Date(0) },
      { _id: 'oid', v: new ObjectId('000000000000000000000001') },
      { _id: 'double', v: new Double(1.5) },
      { _id: 'long', v: Long.fromNumber(3) },
      { _id: 'dec', v: Decimal128.fromString('2.5') },
      { _id: 'double2', v: new Double(2) },
    ]);
  });

  it('sorts across types in BSON order, numbers by value whatever their type', async () => {
    const docs = await db
      .collection<TestDoc>('mixed')
      .find({}, { sort: { v: 1, _id: 1 }, projection: { _id: 1 } })
      .toArray();
    expect(docs.map((d) => d._id)).toEqual([
      'null',
      'double',
      'double2',
      'int',
      'dec',
      'long',
      'str',
      'obj',
      'oid',
      'bool',
      'date',
    ]);
  });

  it('compares numbers across int32, int64, double and Decimal128, without crossing type brackets', async () => {
    const gt2 = await db
      .collection<TestDoc>('mixed')
      .find({ v: { $gt: 2 } }, { sort: { _id: 1 } })
      .toArray();
    expect(gt2.map((d) => d._id)).toEqual(['dec', 'long']);
    const eq2 = await db
      .collection<TestDoc>('mixed')
      .find({ v: 2 }, { sort: { _id: 1 } })
      .toArray();
    expect(eq2.map((d) => d._id)).toEqual(['double2', 'int']);
  });

  it('matches null against both null and missing fields', async () => {
    await db.collection<TestDoc>('nulls').insertMany([{ _id: 1, a: null }, { _id: 2 }, { _id: 3, a: 0 }]);
    const docs = await db
      .collection<TestDoc>('nulls')
      .find({ a: null }, { sort: { _id: 1 } })
      .toArray();
    expect(docs.map((d) => d._id)).toEqual([1, 2]);
    const exists = await db
      .collection<TestDoc>('nulls')
      .find({ a: { $exists: true } }, { sort: { _id: 1 } })
      .toArray();
    expect(exists.map((d) => d._id)).toEqual([1, 3]);
  });
});

describe('update', () => {
  it('updateOne reports matched and modified, and a no-op update modifies nothing', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.insertMany([
      { _id: 1, v: 1 },
      { _id: 2, v: 1 },
    ]);
    const res = await coll.updateOne({ v: 1 }, { $set: { v: 2 } });
    expect([res.matchedCount, res.modifiedCount, res.upsertedCount]).toEqual([1, 1, 0]);
    const noop = await coll.updateOne({ _id: 1 }, { $set: { v: 2 } });
    expect([noop.matchedCount, noop.modifiedCount]).toEqual([1, 0]);
    const none = await coll.updateOne({ _id: 99 }, { $set: { v: 2 } });
    expect([none.matchedCount, none.modifiedCount]).toEqual([0, 0]);
  });

  it('updateMany updates every match', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.insertMany(Array.from({ length: 10 }, (_, i) => ({ _id: i, g: i % 2, n: i })));
    const res = await coll.updateMany({ g: 0 }, { $inc: { n: 100 } });
    expect([res.matchedCount, res.modifiedCount]).toEqual([5, 5]);
    const docs = await coll.find({}, { sort: { _id: 1 } }).toArray();
    expect(docs.map((d) => d.n)).toEqual([100, 1, 102, 3, 104, 5, 106, 7, 108, 9]);
  });

  it('upsert inserts with the equality fields of the filter and $setOnInsert, then only updates', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    const first = await coll.updateOne(
      { key: 'k', n: { $gt: 5 } },
      { $set: { v: 1 }, $setOnInsert: { created: true } },
      { upsert: true },
    );
    expect([first.matchedCount, first.modifiedCount, first.upsertedCount]).toEqual([0, 0, 1]);
    expect(first.upsertedId).toBeInstanceOf(ObjectId);
    expect(await coll.findOne({}, { projection: { _id: 0 } })).toEqual({ key: 'k', v: 1, created: true });

    await coll.updateOne(
      { key: 'k' },
      { $set: { v: 2 }, $setOnInsert: { created: false } },
      { upsert: true },
    );
    expect(await coll.findOne({}, { projection: { _id: 0 } })).toEqual({ key: 'k', v: 2, created: true });
    expect(await coll.countDocuments()).toBe(1);
  });

  it('arrayFilters and the positional operator update the right elements', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.insertOne({
      _id: 1,
      grades: [
        { g: 80, m: 1 },
        { g: 95, m: 1 },
        { g: 90, m: 1 },
      ],
    });
    await coll.updateOne(
      { _id: 1 },
      { $set: { 'grades.$[e].m': 2 } },
      { arrayFilters: [{ 'e.g': { $gte: 90 } }] },
    );
    await coll.updateOne({ _id: 1, 'grades.g': 95 }, { $set: { 'grades.$.g': 96 } });
    expect(await coll.findOne({ _id: 1 })).toEqual({
      _id: 1,
      grades: [
        { g: 80, m: 1 },
        { g: 96, m: 2 },
        { g: 90, m: 2 },
      ],
    });
  });

  it('applies a pipeline-style update', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.insertOne({ _id: 1, a: 2, b: 3 });
    const res = await coll.updateOne({ _id: 1 }, [
      { $set: { total: { $add: ['$a', '$b'] } } },
      { $unset: 'a' },
    ]);
    expect(res.modifiedCount).toBe(1);
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, b: 3, total: 5 });
  });

  it('applies the field and array update operators together', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.insertOne({
      _id: 'ops',
      n: 1,
      m: 3,
      lo: 5,
      hi: 5,
      old: 'x',
      gone: true,
      arr: [4],
      set: [1],
      rm: [1, 2, 3, 4],
      popme: [1, 2, 3],
    });
    const before = Date.now();
    const update: Document = {
      $inc: { n: 1 },
      $mul: { m: 2 },
      $min: { lo: 1 },
      $max: { hi: 10 },
      $rename: { old: 'renamed' },
      $unset: { gone: '' },
      $currentDate: { at: true },
      $push: { arr: { $each: [5, 1, 3], $sort: 1, $slice: -3 } },
      $addToSet: { set: { $each: [1, 2] } },
      $pull: { rm: { $gt: 2 } },
      $pop: { popme: 1 },
    };
    await coll.updateOne({ _id: 'ops' }, update);
    const doc = await coll.findOne({ _id: 'ops' });
    expect(doc).toEqual({
      _id: 'ops',
      n: 2,
      m: 6,
      lo: 1,
      hi: 10,
      renamed: 'x',
      arr: [3, 4, 5],
      set: [1, 2],
      rm: [1, 2],
      popme: [1, 2],
      at: expect.any(Date),
    });
    expect((doc?.at as Date).getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('rejects conflicting operators (40), changing _id (66) and $inc on a string (14)', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.insertOne({ _id: 1, a: 1, s: 'x' });
    await expectServerError(
      coll.updateOne({ _id: 1 }, { $set: { a: 1 }, $inc: { a: 1 } }),
      40,
      'ConflictingUpdateOperators',
    );
    await expectServerError(coll.updateOne({ _id: 1 }, { $set: { _id: 2 } }), 66, 'ImmutableField');
    await expectServerError(coll.updateOne({ _id: 1 }, { $inc: { s: 1 } }), 14, 'TypeMismatch');
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, a: 1, s: 'x' });
  });

  it('replaceOne replaces the whole document but keeps _id, and can upsert', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.insertOne({ _id: 1, a: 1, b: 2 });
    const res = await coll.replaceOne({ a: 1 }, { c: 3 });
    expect([res.matchedCount, res.modifiedCount]).toEqual([1, 1]);
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, c: 3 });
    const up = await coll.replaceOne({ _id: 2 }, { d: 4 }, { upsert: true });
    expect([up.upsertedCount, up.upsertedId]).toEqual([1, 2]);
    expect(await coll.findOne({ _id: 2 })).toEqual({ _id: 2, d: 4 });
  });
});

describe('delete', () => {
  it('deleteOne removes one match, deleteMany all of them', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.insertMany(Array.from({ length: 6 }, (_, i) => ({ _id: i, g: i % 2 })));
    expect((await coll.deleteOne({ g: 0 })).deletedCount).toBe(1);
    expect(await coll.countDocuments({ g: 0 })).toBe(2);
    expect((await coll.deleteMany({ g: 1 })).deletedCount).toBe(3);
    expect((await coll.deleteMany({ g: 1 })).deletedCount).toBe(0);
    expect(await coll.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 2, g: 0 },
      { _id: 4, g: 0 },
    ]);
  });
});

describe('findOneAndUpdate / Replace / Delete', () => {
  it('returns the document before by default and after on request', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.insertOne({ _id: 1, n: 1 });
    expect(await coll.findOneAndUpdate({ _id: 1 }, { $inc: { n: 1 } })).toEqual({ _id: 1, n: 1 });
    expect(await coll.findOneAndUpdate({ _id: 1 }, { $inc: { n: 1 } }, { returnDocument: 'after' })).toEqual({
      _id: 1,
      n: 3,
    });
    expect(await coll.findOneAndUpdate({ _id: 2 }, { $inc: { n: 1 } })).toBeNull();
  });

  it('upserts: null before, the new document after', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    expect(await coll.findOneAndUpdate({ _id: 'a' }, { $set: { v: 1 } }, { upsert: true })).toBeNull();
    expect(
      await coll.findOneAndUpdate(
        { _id: 'b' },
        { $set: { v: 2 } },
        { upsert: true, returnDocument: 'after' },
      ),
    ).toEqual({ _id: 'b', v: 2 });
    expect(await coll.countDocuments()).toBe(2);
  });

  it('findOneAndUpdate can report metadata (lastErrorObject)', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    const res = await coll.findOneAndUpdate(
      { _id: 'x' },
      { $set: { v: 1 } },
      { upsert: true, returnDocument: 'after', includeResultMetadata: true },
    );
    expect(res.ok).toBe(1);
    expect(res.value).toEqual({ _id: 'x', v: 1 });
    expect(res.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false, upserted: 'x' });
  });

  it('findOneAndReplace and findOneAndDelete honour sort and projection', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.insertMany([
      { _id: 1, rank: 3, name: 'c' },
      { _id: 2, rank: 1, name: 'a' },
      { _id: 3, rank: 2, name: 'b' },
    ]);
    const replaced = await coll.findOneAndReplace(
      {},
      { rank: 10, name: 'z' },
      { sort: { rank: 1 }, returnDocument: 'after' },
    );
    expect(replaced).toEqual({ _id: 2, rank: 10, name: 'z' });
    const deleted = await coll.findOneAndDelete({}, { sort: { rank: -1 }, projection: { name: 1, _id: 0 } });
    expect(deleted).toEqual({ name: 'z' });
    expect(await coll.countDocuments()).toBe(2);
  });
});

describe('counting and distinct', () => {
  let db: Db;
  beforeAll(async () => {
    db = freshDb();
    await db.collection<TestDoc>('c').insertMany([
      { _id: 1, g: 'a', tags: ['x', 'y'] },
      { _id: 2, g: 'b', tags: ['y'] },
      { _id: 3, g: 'a', tags: [] },
      { _id: 4, g: 'c', tags: 'z' },
      { _id: 5, g: 'a' },
    ]);
  });

  it('countDocuments with filter, skip and limit; estimatedDocumentCount', async () => {
    const coll = db.collection<TestDoc>('c');
    expect(await coll.countDocuments()).toBe(5);
    expect(await coll.countDocuments({ g: 'a' })).toBe(3);
    expect(await coll.countDocuments({ g: 'a' }, { skip: 1, limit: 1 })).toBe(1);
    expect(await coll.countDocuments({ g: 'nope' })).toBe(0);
    expect(await coll.estimatedDocumentCount()).toBe(5);
    expect(await db.collection<TestDoc>('missing').estimatedDocumentCount()).toBe(0);
  });

  it('distinct unwinds arrays and honours the filter', async () => {
    const coll = db.collection<TestDoc>('c');
    expect((await coll.distinct('g')).sort()).toEqual(['a', 'b', 'c']);
    expect((await coll.distinct('tags')).sort()).toEqual(['x', 'y', 'z']);
    expect((await coll.distinct('tags', { g: 'a' })).sort()).toEqual(['x', 'y']);
    expect(await db.collection<TestDoc>('missing').distinct('g')).toEqual([]);
  });
});

describe('aggregate', () => {
  let db: Db;
  beforeAll(async () => {
    db = freshDb();
    await db.collection<TestDoc>('customers').insertMany([
      { _id: 'c1', name: 'Ann' },
      { _id: 'c2', name: 'Bob' },
      { _id: 'c3', name: 'Cid' },
    ]);
    await db.collection<TestDoc>('orders').insertMany([
      {
        _id: 1,
        customerId: 'c1',
        items: [
          { sku: 'a', qty: 2 },
          { sku: 'b', qty: 1 },
        ],
        total: Decimal128.fromString('10.10'),
      },
      { _id: 2, customerId: 'c2', items: [{ sku: 'a', qty: 5 }], total: Decimal128.fromString('20.20') },
      { _id: 3, customerId: 'c1', items: [], total: Decimal128.fromString('0.70') },
    ]);
  });

  it('$match, $group with accumulators and $sort', async () => {
    const res = await db
      .collection<TestDoc>('orders')
      .aggregate([
        { $match: { _id: { $gte: 1 } } },
        {
          $group: {
            _id: '$customerId',
            orders: { $sum: 1 },
            spent: { $sum: '$total' },
            ids: { $push: '$_id' },
            firstId: { $min: '$_id' },
          },
        },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(res).toEqual([
      { _id: 'c1', orders: 2, spent: Decimal128.fromString('10.80'), ids: [1, 3], firstId: 1 },
      { _id: 'c2', orders: 1, spent: Decimal128.fromString('20.20'), ids: [2], firstId: 2 },
    ]);
  });

  it('sums Decimal128 exactly in $group ($sum of 0.10 three times is 0.30)', async () => {
    const coll = db.collection<TestDoc>('money');
    await coll.insertMany([1, 2, 3].map((i) => ({ _id: i, p: Decimal128.fromString('0.10') })));
    const [res] = await coll
      .aggregate([{ $group: { _id: null, total: { $sum: '$p' }, avg: { $avg: '$p' } } }])
      .toArray();
    expect(res.total).toBeInstanceOf(Decimal128);
    expect((res.total as Decimal128).toString()).toBe('0.30');
    expect(Number((res.avg as Decimal128).toString())).toBe(0.1);
  });

  it('$lookup (localField/foreignField and pipeline) joins the other collection', async () => {
    const res = await db
      .collection<TestDoc>('orders')
      .aggregate([
        { $sort: { _id: 1 } },
        { $lookup: { from: 'customers', localField: 'customerId', foreignField: '_id', as: 'customer' } },
        {
          $lookup: {
            from: 'orders',
            let: { cid: '$customerId' },
            pipeline: [{ $match: { $expr: { $eq: ['$customerId', '$$cid'] } } }, { $count: 'n' }],
            as: 'sameCustomer',
          },
        },
        { $project: { _id: 1, name: { $first: '$customer.name' }, sameCustomer: 1 } },
      ])
      .toArray();
    expect(res).toEqual([
      { _id: 1, name: 'Ann', sameCustomer: [{ n: 2 }] },
      { _id: 2, name: 'Bob', sameCustomer: [{ n: 1 }] },
      { _id: 3, name: 'Ann', sameCustomer: [{ n: 2 }] },
    ]);
  });

  it('$unwind (with index and preserveNullAndEmptyArrays) then $group', async () => {
    const unwound = await db
      .collection<TestDoc>('orders')
      .aggregate([
        { $unwind: { path: '$items', includeArrayIndex: 'i', preserveNullAndEmptyArrays: true } },
        { $project: { _id: 1, sku: '$items.sku', i: 1 } },
        { $sort: { _id: 1, i: 1 } },
      ])
      .toArray();
    expect(unwound).toEqual([
      { _id: 1, sku: 'a', i: 0 },
      { _id: 1, sku: 'b', i: 1 },
      { _id: 2, sku: 'a', i: 0 },
      { _id: 3, i: null },
    ]);
    const bySku = await db
      .collection<TestDoc>('orders')
      .aggregate([
        { $unwind: '$items' },
        { $group: { _id: '$items.sku', qty: { $sum: '$items.qty' } } },
        { $sort: { qty: -1 } },
      ])
      .toArray();
    expect(bySku).toEqual([
      { _id: 'a', qty: 7 },
      { _id: 'b', qty: 1 },
    ]);
  });

  it('$facet runs sub-pipelines over the same input', async () => {
    const [res] = await db
      .collection<TestDoc>('orders')
      .aggregate([
        {
          $facet: {
            count: [{ $count: 'n' }],
            byCustomer: [{ $sortByCount: '$customerId' }],
            big: [
              { $match: { total: { $gt: Decimal128.fromString('5') } } },
              { $project: { _id: 1 } },
              { $sort: { _id: 1 } },
            ],
          },
        },
      ])
      .toArray();
    expect(res).toEqual({
      count: [{ n: 3 }],
      byCustomer: [
        { _id: 'c1', count: 2 },
        { _id: 'c2', count: 1 },
      ],
      big: [{ _id: 1 }, { _id: 2 }],
    });
  });

  it('$out replaces the target collection with the results', async () => {
    const out = db.collection<TestDoc>('orders_out');
    await out.insertOne({ _id: 'stale' });
    const cursorDocs = await db
      .collection<TestDoc>('orders')
      .aggregate([{ $project: { customerId: 1 } }, { $out: 'orders_out' }])
      .toArray();
    expect(cursorDocs).toEqual([]);
    expect(await out.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 1, customerId: 'c1' },
      { _id: 2, customerId: 'c2' },
      { _id: 3, customerId: 'c1' },
    ]);
  });

  it('$merge merges into matching documents and inserts the rest', async () => {
    const totals = db.collection<TestDoc>('totals');
    await totals.insertOne({ _id: 'c1', note: 'vip' });
    await db
      .collection<TestDoc>('orders')
      .aggregate([
        { $group: { _id: '$customerId', orders: { $sum: 1 } } },
        { $merge: { into: 'totals', on: '_id', whenMatched: 'merge', whenNotMatched: 'insert' } },
      ])
      .toArray();
    expect(await totals.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 'c1', note: 'vip', orders: 2 },
      { _id: 'c2', orders: 1 },
    ]);
  });

  it('$replaceRoot, $addFields, $bucket and $skip/$limit', async () => {
    const res = await db
      .collection<TestDoc>('orders')
      .aggregate([
        { $sort: { _id: 1 } },
        { $skip: 1 },
        { $limit: 1 },
        { $addFields: { 'meta.itemCount': { $size: '$items' } } },
        { $replaceRoot: { newRoot: '$meta' } },
      ])
      .toArray();
    expect(res).toEqual([{ itemCount: 1 }]);
    const buckets = await db
      .collection<TestDoc>('orders')
      .aggregate([{ $bucket: { groupBy: '$_id', boundaries: [0, 2, 10], default: 'other' } }])
      .toArray();
    expect(buckets).toEqual([
      { _id: 0, count: 1 },
      { _id: 2, count: 2 },
    ]);
  });
});

describe('bulkWrite', () => {
  it('applies mixed operations and reports every count', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.insertMany([
      { _id: 1, v: 1 },
      { _id: 2, v: 1 },
      { _id: 3, v: 1 },
    ]);
    const res = await coll.bulkWrite([
      { insertOne: { document: { _id: 4, v: 1 } } },
      { updateOne: { filter: { _id: 1 }, update: { $set: { v: 2 } } } },
      { updateMany: { filter: { v: 1 }, update: { $inc: { v: 10 } } } },
      { replaceOne: { filter: { _id: 2 }, replacement: { v: 'r' } } },
      { deleteOne: { filter: { _id: 3 } } },
      { updateOne: { filter: { _id: 5 }, update: { $set: { v: 5 } }, upsert: true } },
      { deleteMany: { filter: { v: 2 } } },
    ]);
    expect({
      inserted: res.insertedCount,
      matched: res.matchedCount,
      modified: res.modifiedCount,
      deleted: res.deletedCount,
      upserted: res.upsertedCount,
      upsertedIds: res.upsertedIds,
    }).toEqual({ inserted: 1, matched: 5, modified: 5, deleted: 2, upserted: 1, upsertedIds: { 5: 5 } });
    expect(await coll.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 2, v: 'r' },
      { _id: 4, v: 11 },
      { _id: 5, v: 5 },
    ]);
  });

  it('ordered stops at the first error; unordered goes on', async () => {
    const ordered = freshDb().collection<TestDoc>('c');
    const ops = [
      { insertOne: { document: { _id: 1 } } },
      { insertOne: { document: { _id: 1 } } },
      { insertOne: { document: { _id: 2 } } },
    ];
    const err = await expectBulkError(ordered.bulkWrite(ops));
    expect(writeErrorsOf(err).map((e) => [e.index, e.code])).toEqual([[1, 11000]]);
    expect(await ordered.countDocuments()).toBe(1);

    const unordered = freshDb().collection<TestDoc>('c');
    const err2 = await expectBulkError(unordered.bulkWrite(ops, { ordered: false }));
    expect(writeErrorsOf(err2).map((e) => [e.index, e.code])).toEqual([[1, 11000]]);
    expect(await unordered.countDocuments()).toBe(2);
  });
});

describe('indexes', () => {
  it('a unique index rejects duplicates on insert, update and upsert with 11000, keyPattern and keyValue', async () => {
    const coll = freshDb().collection<TestDoc>('users');
    expect(await coll.createIndex({ email: 1 }, { unique: true })).toBe('email_1');
    await coll.insertMany([
      { _id: 1, email: 'a@x' },
      { _id: 2, email: 'b@x' },
    ]);
    const onInsert = await expectServerError(coll.insertOne({ _id: 3, email: 'a@x' }), 11000, 'DuplicateKey');
    expect(onInsert.keyPattern).toEqual({ email: 1 });
    expect(onInsert.keyValue).toEqual({ email: 'a@x' });
    const onUpdate = await expectServerError(coll.updateOne({ _id: 2 }, { $set: { email: 'a@x' } }), 11000);
    expect(onUpdate.keyValue).toEqual({ email: 'a@x' });
    await expectServerError(
      coll.updateOne({ email: 'c@x' }, { $set: { email: 'b@x' } }, { upsert: true }),
      11000,
    );
    await expectServerError(coll.findOneAndUpdate({ _id: 1 }, { $set: { email: 'b@x' } }), 11000);
    expect(await coll.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 1, email: 'a@x' },
      { _id: 2, email: 'b@x' },
    ]);
  });

  it('building a unique index over existing duplicates fails with 11000', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.insertMany([
      { _id: 1, k: 1 },
      { _id: 2, k: 1 },
    ]);
    await expectServerError(coll.createIndex({ k: 1 }, { unique: true }), 11000);
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('compound unique indexes compare the whole key; names follow MongoDB', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    expect(await coll.createIndex({ a: 1, b: -1 }, { unique: true })).toBe('a_1_b_-1');
    await coll.insertMany([
      { a: 1, b: 1 },
      { a: 1, b: 2 },
      { a: 2, b: 1 },
    ]);
    const err = await expectServerError(coll.insertOne({ a: 1, b: 2 }), 11000);
    expect(err.keyPattern).toEqual({ a: 1, b: -1 });
    expect(err.keyValue).toEqual({ a: 1, b: 2 });
  });

  it('unique without sparse treats missing as null; sparse skips documents without the field', async () => {
    const plain = freshDb().collection<TestDoc>('c');
    await plain.createIndex({ k: 1 }, { unique: true });
    await plain.insertOne({ _id: 1 });
    const err = await expectServerError(plain.insertOne({ _id: 2 }), 11000);
    expect(err.keyValue).toEqual({ k: null });

    const sparse = freshDb().collection<TestDoc>('c');
    await sparse.createIndex({ k: 1 }, { unique: true, sparse: true });
    await sparse.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3, k: 1 }]);
    await expectServerError(sparse.insertOne({ _id: 4, k: 1 }), 11000);
    expect(await sparse.countDocuments()).toBe(3);
  });

  it('a partial unique index only constrains documents matching its filter', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.createIndex({ user: 1 }, { unique: true, partialFilterExpression: { status: 'active' } });
    await coll.insertMany([
      { user: 'u', status: 'closed' },
      { user: 'u', status: 'closed' },
      { user: 'u', status: 'active' },
    ]);
    await expectServerError(coll.insertOne({ user: 'u', status: 'active' }), 11000);
    const [idx] = (await coll.listIndexes().toArray()).filter((i) => i.name === 'user_1');
    expect(idx.partialFilterExpression).toEqual({ status: 'active' });
  });

  it('a TTL index is listed with expireAfterSeconds and its sweep deletes expired documents', async () => {
    const coll = freshDb().collection<TestDoc>('sessions');
    await coll.createIndex({ createdAt: 1 }, { expireAfterSeconds: 30 });
    await coll.insertMany([
      { _id: 'old', createdAt: new Date(Date.now() - 3_600_000) },
      { _id: 'fresh', createdAt: new Date() },
      { _id: 'not-a-date', createdAt: 'yesterday' },
    ]);
    const [idx] = (await coll.listIndexes().toArray()).filter((i) => i.name === 'createdAt_1');
    expect(idx.expireAfterSeconds).toBe(30);
    // The server runs with ttlMonitorSleepSecs: 1.
    expect(await eventually(async () => (await coll.countDocuments({ _id: 'old' })) === 0, 10_000)).toBe(
      true,
    );
    expect((await coll.find({}, { sort: { _id: 1 } }).toArray()).map((d) => d._id)).toEqual([
      'fresh',
      'not-a-date',
    ]);
  }, 15_000);

  it('listIndexes, dropIndex, and index errors (27, 72, 85, 86)', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.insertOne({ a: 1 });
    await coll.createIndex({ a: 1 }, { name: 'my_a' });
    expect(await coll.createIndex({ a: 1 }, { name: 'my_a' })).toBe('my_a');
    const indexes = await coll.listIndexes().toArray();
    expect(indexes.map((i) => ({ name: i.name, key: i.key, v: i.v }))).toEqual([
      { name: '_id_', key: { _id: 1 }, v: 2 },
      { name: 'my_a', key: { a: 1 }, v: 2 },
    ]);
    await expectServerError(coll.createIndex({ b: 1 }, { name: 'my_a' }), 86, 'IndexKeySpecsConflict');
    await expectServerError(coll.createIndex({ a: 1 }, { name: 'other' }), 85, 'IndexOptionsConflict');
    await coll.dropIndex('my_a');
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
    await expectServerError(coll.dropIndex('my_a'), 27, 'IndexNotFound');
    await expectServerError(coll.dropIndex('_id_'), 72, 'InvalidOptions');
    await expectServerError(
      freshDb().collection<TestDoc>('missing').listIndexes().toArray(),
      26,
      'NamespaceNotFound',
    );
  });

  it('explain shows IXSCAN for an indexed equality or range, COLLSCAN otherwise', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, email: `u${i}@x`, plain: i })));
    await coll.createIndex({ email: 1 }, { unique: true });
    const indexed = planStages(await coll.find({ email: 'u7@x' }).explain('queryPlanner'));
    expect(indexed).toContain('IXSCAN');
    expect(indexed).not.toContain('COLLSCAN');
    const range = planStages(await coll.find({ email: { $gte: 'u4' } }).explain('queryPlanner'));
    expect(range).toContain('IXSCAN');
    const unindexed = planStages(await coll.find({ plain: 7 }).explain('queryPlanner'));
    expect(unindexed).toContain('COLLSCAN');
    expect(unindexed).not.toContain('IXSCAN');

    const stats = await coll.find({ email: 'u7@x' }).explain('executionStats');
    expect(stats.executionStats).toMatchObject({ nReturned: 1, totalDocsExamined: 1 });
    const scanStats = await coll.find({ plain: 7 }).explain('executionStats');
    expect(scanStats.executionStats).toMatchObject({ nReturned: 1, totalDocsExamined: 50 });
  });
});

describe('collections and databases', () => {
  it('createCollection, listCollections (with filter), and NamespaceExists (48)', async () => {
    const db = freshDb();
    await db.createCollection('a');
    await db.collection<TestDoc>('b').insertOne({ x: 1 });
    const names = (await db.listCollections().toArray()).map((c) => c.name).sort();
    expect(names).toEqual(['a', 'b']);
    const onlyA = await db.listCollections({ name: 'a' }).toArray();
    expect(onlyA).toHaveLength(1);
    expect(onlyA[0]).toMatchObject({ name: 'a', type: 'collection' });
    await expectServerError(db.createCollection('a'), 48, 'NamespaceExists');
  });

  it('listDatabases lists databases with data; dropDatabase removes one', async () => {
    const db = freshDb();
    await db.collection<TestDoc>('c').insertOne({ x: 1 });
    const admin = client.db('admin').admin();
    const before = await admin.listDatabases();
    expect(before.databases.map((d) => d.name)).toContain(db.databaseName);
    const nameOnly = await admin.listDatabases({ nameOnly: true });
    expect(nameOnly.databases.map((d) => d.name)).toContain(db.databaseName);
    expect(await db.dropDatabase()).toBe(true);
    const after = await admin.listDatabases();
    expect(after.databases.map((d) => d.name)).not.toContain(db.databaseName);
    expect(await db.collection<TestDoc>('c').countDocuments()).toBe(0);
  });

  it('renameCollection moves data; an existing target needs dropTarget (48); a missing source is 26', async () => {
    const db = freshDb();
    await db.collection<TestDoc>('src').insertMany([{ _id: 1 }, { _id: 2 }]);
    await db.collection<TestDoc>('src').createIndex({ k: 1 });
    await db.collection<TestDoc>('target').insertOne({ _id: 'old' });
    await expectServerError(db.renameCollection('src', 'target'), 48, 'NamespaceExists');
    await db.renameCollection('src', 'target', { dropTarget: true });
    expect(
      await db
        .collection<TestDoc>('target')
        .find({}, { sort: { _id: 1 } })
        .toArray(),
    ).toEqual([{ _id: 1 }, { _id: 2 }]);
    expect((await db.collection<TestDoc>('target').listIndexes().toArray()).map((i) => i.name)).toEqual([
      '_id_',
      'k_1',
    ]);
    const names = (await db.listCollections().toArray()).map((c) => c.name);
    expect(names).toEqual(['target']);
    await expectServerError(db.renameCollection('missing', 'x'), 26, 'NamespaceNotFound');
  });

  it('drop removes a collection and its indexes', async () => {
    const db = freshDb();
    const coll = db.collection<TestDoc>('c');
    await coll.insertOne({ x: 1 });
    await coll.createIndex({ x: 1 });
    expect(await coll.drop()).toBe(true);
    expect(await db.listCollections().toArray()).toEqual([]);
    await coll.insertOne({ x: 2 });
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });
});

describe('errors and cluster time', () => {
  it('an unknown command is CommandNotFound (59)', async () => {
    await expectServerError(freshDb().command({ nope: 1 }), 59, 'CommandNotFound');
  });

  it('replies carry $clusterTime and operationTime, and writes advance them', async () => {
    const coll = freshDb().collection<TestDoc>('c');
    await coll.insertOne({ _id: 1 });
    await coll.findOne({ _id: 1 });
    await coll.insertOne({ _id: 2 });
    const replies = succeeded
      .filter((e) => ['insert', 'find'].includes(e.commandName))
      .map((e) => e.reply as Document);
    expect(replies).toHaveLength(3);
    for (const reply of replies) {
      expect(reply.operationTime).toBeInstanceOf(Timestamp);
      expect(reply.$clusterTime?.clusterTime).toBeInstanceOf(Timestamp);
      expect(reply.$clusterTime?.signature).toBeDefined();
    }
    const [first, , second] = replies.map((r) => r.operationTime as Timestamp);
    expect(second.greaterThan(first)).toBe(true);
  });
});

describe('handshake and admin commands', () => {
  it('presents itself as the primary of replica set rs0 running MongoDB 8.0', async () => {
    const admin = client.db('admin');
    const hello = await admin.command({ hello: 1 });
    expect(hello).toMatchObject({ isWritablePrimary: true, setName: 'rs0', ok: 1 });
    expect(hello.hosts).toEqual([hello.me]);
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(25);
    expect(hello.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
    const buildInfo = await admin.command({ buildInfo: 1 });
    expect(buildInfo.version).toMatch(/^8\.0\./);
    const commands = await admin.command({ listCommands: 1 });
    expect(Object.keys(commands.commands as Document)).toEqual(
      expect.arrayContaining(['find', 'insert', 'getMore']),
    );
    expect(await admin.command({ ping: 1 })).toMatchObject({ ok: 1 });
    expect(await admin.command({ serverStatus: 1 })).toMatchObject({ ok: 1 });
  });
});

describe('idle cursor timeout', () => {
  const shortLived = withEmbeddedServer({ cursorTimeoutMillis: 300 });

  it('closes a cursor left idle longer than cursorTimeoutMillis (getMore: CursorNotFound 43)', async () => {
    const other = await shortLived.client();
    const coll = other.db('cursors').collection<TestDoc>('c');
    await coll.insertMany(Array.from({ length: 10 }, (_, i) => ({ _id: i })));
    const cursor = coll.find({}, { batchSize: 2 });
    await cursor.next();
    await new Promise((r) => setTimeout(r, 1500));
    await expectServerError(cursor.toArray(), 43, 'CursorNotFound');
    await cursor.close();
  });
});
