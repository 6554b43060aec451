/**
 * Mongoose 9 `Model.watch()` against the embedded server, as a read-model projector would use it:
 * 'change' events for documents created, saved and deleted through the model, hydrated full
 * documents, a $match in the watch pipeline, and resuming from a saved resume token without
 * losing or repeating a change.
 */
import { jest } from '@jest/globals';
import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import type { ChangeStreamDocument, Document, ResumeToken, Timestamp } from 'mongodb';
import { withEmbeddedServer } from '../helpers/embedded-server.js';

jest.setTimeout(20_000);
const mongo = withEmbeddedServer();

interface Stock {
  sku: string;
  qty: number;
}

type Change = ChangeStreamDocument<Stock> & Document;

const stockSchema = new Schema<Stock>({
  sku: { type: String, required: true },
  qty: { type: Number, default: 0 },
});

let conn: Connection;
let Stocks: Model<Stock>;

beforeAll(async () => {
  conn = await mongoose
    .createConnection(mongo.uri, { dbName: 'projector', serverSelectionTimeoutMS: 5000 })
    .asPromise();
  Stocks = conn.model<Stock>('Stock', stockSchema);
  await Stocks.init();
}, 30_000);

afterAll(async () => {
  await conn?.close(true);
});

/**
 * Just after the last committed write: a stream starting there (startAtOperationTime is
 * inclusive) sees every later write and none before, whenever the driver opens it.
 */
async function now(): Promise<Timestamp> {
  const session = await conn.startSession();
  try {
    await Stocks.findOne({}).session(session);
    const last = session.operationTime as Timestamp;
    return new mongoose.mongo.Timestamp({ t: last.t, i: last.i + 1 });
  } finally {
    await session.endSession();
  }
}

/** Collects 'change' events until `count` arrived (or fails after a timeout). */
function collect(
  stream: mongoose.mongo.ChangeStream | ReturnType<Model<Stock>['watch']>,
  count: number,
): Promise<Change[]> {
  const events: Change[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${events.length} of ${count} changes arrived`)),
      10_000,
    );
    stream.on('error', (e: Error) => {
      clearTimeout(timer);
      reject(e);
    });
    stream.on('change', (e: Change) => {
      events.push(e);
      if (events.length === count) {
        clearTimeout(timer);
        resolve(events);
      }
    });
  });
}

describe('Model.watch()', () => {
  it('emits insert, update and delete for writes made through the model, with hydrated documents', async () => {
    const stream = Stocks.watch([], {
      startAtOperationTime: await now(),
      fullDocument: 'updateLookup',
      hydrate: true,
      maxAwaitTimeMS: 200,
    });
    const changes = collect(stream, 3);
    const doc = await Stocks.create({ sku: 'A-1', qty: 5 });
    doc.qty = 3;
    await doc.save();
    await Stocks.deleteOne({ _id: doc._id });
    const [insert, update, del] = await changes;
    await stream.close();

    expect(insert.operationType).toBe('insert');
    expect(insert.fullDocument).toBeInstanceOf(Stocks);
    expect((insert.fullDocument as unknown as Stock).sku).toBe('A-1');
    expect(update).toMatchObject({
      operationType: 'update',
      updateDescription: { updatedFields: { qty: 3 } },
    });
    expect(String((update.documentKey as { _id: unknown })._id)).toBe(String(doc._id));
    expect(del.operationType).toBe('delete');
    expect(String((del.documentKey as { _id: unknown })._id)).toBe(String(doc._id));
  });

  it('applies the watch pipeline ($match on operationType and fields)', async () => {
    const stream = Stocks.watch([{ $match: { operationType: 'insert', 'fullDocument.qty': { $gte: 10 } } }], {
      startAtOperationTime: await now(),
      maxAwaitTimeMS: 200,
    });
    const changes = collect(stream, 2);
    await Stocks.create([
      { sku: 'small', qty: 1 },
      { sku: 'big', qty: 10 },
    ]);
    await Stocks.updateOne({ sku: 'big' }, { $inc: { qty: 100 } });
    await Stocks.create({ sku: 'bigger', qty: 20 });
    const events = await changes;
    await stream.close();
    expect(events.map((e) => (e.fullDocument as Stock).sku)).toEqual(['big', 'bigger']);
  });

  it('resumes after a saved resume token: no change lost, none repeated', async () => {
    const first = Stocks.watch([], { startAtOperationTime: await now(), maxAwaitTimeMS: 200 });
    const seen = collect(first, 2);
    await Stocks.create({ sku: 'r-1', qty: 1 });
    await Stocks.create({ sku: 'r-2', qty: 2 });
    const [, second] = await seen;
    const token = second._id as ResumeToken;
    await first.close();

    await Stocks.create({ sku: 'r-3', qty: 3 });
    await Stocks.create({ sku: 'r-4', qty: 4 });
    const resumed = Stocks.watch([], { resumeAfter: token, maxAwaitTimeMS: 200 });
    const later = await collect(resumed, 2);
    await resumed.close();
    expect(later.map((e) => (e.fullDocument as Stock).sku)).toEqual(['r-3', 'r-4']);
  });
});
