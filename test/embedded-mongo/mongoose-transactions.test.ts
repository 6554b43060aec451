/**
 * TRANSACTIONS through Mongoose (`connection.transaction()` / `session.withTransaction`) against the
 * embedded server: commit, abort, isolation of uncommitted writes, and write conflicts retried by
 * withTransaction. In its own file so that the transaction layer (a later issue) and the core
 * Mongoose suite fail independently.
 */
import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import { withEmbeddedServer } from '../helpers/embedded-server.js';

const mongo = withEmbeddedServer();

interface Stock {
  sku: string;
  qty: number;
}

interface Reservation {
  sku: string;
  qty: number;
}

let conn: Connection;
let Stocks: Model<Stock>;
let Reservations: Model<Reservation>;

beforeAll(async () => {
  conn = await mongoose
    .createConnection(mongo.uri, { dbName: 'tx', serverSelectionTimeoutMS: 5000 })
    .asPromise();
  Stocks = conn.model<Stock>(
    'Stock',
    new Schema<Stock>({ sku: { type: String, unique: true }, qty: Number }),
  );
  Reservations = conn.model<Reservation>(
    'Reservation',
    new Schema<Reservation>({ sku: String, qty: Number }),
  );
  // Collections must exist before a transaction writes to them on MongoDB < 4.4; create them anyway.
  await Promise.all([Stocks.init(), Reservations.init()]);
  await Reservations.createCollection();
}, 30_000);

afterAll(async () => {
  await conn?.close(true);
});

beforeEach(async () => {
  await Stocks.deleteMany({});
  await Reservations.deleteMany({});
  await Stocks.create({ sku: 'A', qty: 10 });
});

describe('TRANSACTIONS (Mongoose)', () => {
  it('connection.transaction() commits every write together', async () => {
    await conn.transaction(async (session) => {
      await Reservations.create([{ sku: 'A', qty: 3 }], { session });
      await Stocks.updateOne({ sku: 'A' }, { $inc: { qty: -3 } }, { session });
    });
    expect((await Stocks.findOne({ sku: 'A' }).lean())?.qty).toBe(7);
    expect(await Reservations.countDocuments({ sku: 'A' })).toBe(1);
  });

  it('an error inside the transaction aborts it: no write is visible', async () => {
    await expect(
      conn.transaction(async (session) => {
        await Reservations.create([{ sku: 'A', qty: 3 }], { session });
        await Stocks.updateOne({ sku: 'A' }, { $inc: { qty: -3 } }, { session });
        throw new Error('out of stock');
      }),
    ).rejects.toThrow('out of stock');
    expect((await Stocks.findOne({ sku: 'A' }).lean())?.qty).toBe(10);
    expect(await Reservations.countDocuments()).toBe(0);
  });

  it('uncommitted writes are visible inside the session only', async () => {
    const session = await conn.startSession();
    try {
      session.startTransaction();
      await Stocks.updateOne({ sku: 'A' }, { $set: { qty: 99 } }, { session });
      expect((await Stocks.findOne({ sku: 'A' }).session(session).lean())?.qty).toBe(99);
      expect((await Stocks.findOne({ sku: 'A' }).lean())?.qty).toBe(10);
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect((await Stocks.findOne({ sku: 'A' }).lean())?.qty).toBe(99);
  });

  it('concurrent conflicting transactions both commit through withTransaction retries', async () => {
    const decrement = async (): Promise<void> => {
      const session = await conn.startSession();
      try {
        await session.withTransaction(async () => {
          const current = await Stocks.findOne({ sku: 'A' }).session(session).orFail();
          await new Promise((r) => setTimeout(r, 50));
          await Stocks.updateOne({ sku: 'A' }, { $set: { qty: current.qty - 1 } }, { session });
        });
      } finally {
        await session.endSession();
      }
    };
    await Promise.all([decrement(), decrement()]);
    // A lost update would leave 9: the loser must see WriteConflict (112) and retry.
    expect((await Stocks.findOne({ sku: 'A' }).lean())?.qty).toBe(8);
  }, 20_000);

  it('two transactions reserving the last unit: exactly one wins, the other sees it gone after retrying', async () => {
    await Stocks.updateOne({ sku: 'A' }, { $set: { qty: 1 } });
    const reserve = (who: string): Promise<boolean> =>
      conn.transaction(async (session) => {
        const stock = await Stocks.findOne({ sku: 'A' }).session(session).orFail();
        await new Promise((r) => setTimeout(r, 20));
        if (stock.qty < 1) return false;
        await Stocks.updateOne({ sku: 'A' }, { $inc: { qty: -1 } }, { session });
        await Reservations.create([{ sku: who, qty: 1 }], { session });
        return true;
      });
    const outcomes = await Promise.all([reserve('a'), reserve('b')]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await Stocks.findOne({ sku: 'A' }).lean())?.qty).toBe(0);
    expect(await Reservations.countDocuments()).toBe(1);
  }, 20_000);
});
