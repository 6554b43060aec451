/**
 * Sessions, transactions and retryable writes through the official driver against the embedded
 * server (in this process, in memory, test commands enabled for fail points).
 */
import {
  MongoServerError,
  type ClientSession,
  type Collection,
  type Document,
  type MongoClient,
} from 'mongodb';
import { withEmbeddedServer } from '../helpers/embedded-server.js';

const mongo = withEmbeddedServer({ enableTestCommands: true });
const shortLived = withEmbeddedServer({ transactionLifetimeLimitSeconds: 1 });

interface Stock extends Document {
  _id: string;
  qty: number;
}

interface Counter extends Document {
  _id: number;
  n: number;
}

let client: MongoClient;
let dbCounter = 0;

beforeAll(async () => {
  client = await mongo.client();
});

function freshDb(): ReturnType<MongoClient['db']> {
  return client.db(`txn_${process.pid}_${++dbCounter}`);
}

async function seeded<T extends Document>(name: string, docs: T[]): Promise<Collection<T>> {
  const coll = freshDb().collection<T>(name);
  // Collections exist before the transactions that use them (DDL here is not transactional).
  await coll.insertMany(docs as never);
  return coll;
}

async function inSession<R>(fn: (s: ClientSession) => Promise<R>): Promise<R> {
  const s = client.startSession();
  try {
    return await fn(s);
  } finally {
    await s.endSession();
  }
}

describe('withTransaction', () => {
  it('commits every write together', async () => {
    const stock = await seeded<Stock>('stock', [{ _id: 'A', qty: 10 }]);
    const reservations = stock.db.collection<{ _id?: string; sku?: string; qty?: number }>('reservations');
    await reservations.insertOne({ _id: 'seed' });
    await inSession((s) =>
      s.withTransaction(async () => {
        await stock.updateOne({ _id: 'A' }, { $inc: { qty: -3 } }, { session: s });
        await reservations.insertOne({ sku: 'A', qty: 3 }, { session: s });
      }),
    );
    expect(await stock.findOne({ _id: 'A' })).toEqual({ _id: 'A', qty: 7 });
    expect(await reservations.countDocuments({ sku: 'A' })).toBe(1);
  });

  it('an error in the callback aborts: nothing is visible', async () => {
    const stock = await seeded<Stock>('stock', [{ _id: 'A', qty: 10 }]);
    await expect(
      inSession((s) =>
        s.withTransaction(async () => {
          await stock.updateOne({ _id: 'A' }, { $inc: { qty: -3 } }, { session: s });
          throw new Error('out of stock');
        }),
      ),
    ).rejects.toThrow('out of stock');
    expect(await stock.findOne({ _id: 'A' })).toEqual({ _id: 'A', qty: 10 });
  });
});

describe('snapshot isolation', () => {
  it('another session does not see uncommitted writes; the transaction sees its own', async () => {
    const stock = await seeded<Stock>('stock', [{ _id: 'A', qty: 10 }]);
    await inSession(async (s) => {
      s.startTransaction();
      await stock.updateOne({ _id: 'A' }, { $set: { qty: 99 } }, { session: s });
      expect((await stock.findOne({ _id: 'A' }, { session: s }))?.qty).toBe(99);
      expect((await stock.findOne({ _id: 'A' }))?.qty).toBe(10);
      await s.commitTransaction();
    });
    expect((await stock.findOne({ _id: 'A' }))?.qty).toBe(99);
  });

  it('the transaction does not see writes committed after it started', async () => {
    const stock = await seeded<Stock>('stock', [{ _id: 'A', qty: 10 }]);
    await inSession(async (s) => {
      s.startTransaction();
      expect((await stock.findOne({ _id: 'A' }, { session: s }))?.qty).toBe(10);
      await stock.insertOne({ _id: 'B', qty: 1 });
      await stock.updateOne({ _id: 'A' }, { $set: { qty: 0 } });
      expect((await stock.findOne({ _id: 'A' }, { session: s }))?.qty).toBe(10);
      expect(await stock.countDocuments({}, { session: s })).toBe(1);
      await s.abortTransaction();
    });
  });
});

describe('write conflicts', () => {
  it('the second writer gets WriteConflict (112) labelled TransientTransactionError', async () => {
    const stock = await seeded<Stock>('stock', [{ _id: 'A', qty: 10 }]);
    const a = client.startSession();
    const b = client.startSession();
    try {
      a.startTransaction();
      b.startTransaction();
      await stock.updateOne({ _id: 'A' }, { $inc: { qty: -1 } }, { session: a });
      const err = await stock
        .updateOne({ _id: 'A' }, { $inc: { qty: -1 } }, { session: b })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MongoServerError);
      expect((err as MongoServerError).code).toBe(112);
      expect((err as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
      await a.commitTransaction();
      await b.abortTransaction();
    } finally {
      await a.endSession();
      await b.endSession();
    }
    expect((await stock.findOne({ _id: 'A' }))?.qty).toBe(9);
  });

  it('withTransaction retries a conflicting transaction to success: no lost update', async () => {
    const stock = await seeded<Stock>('stock', [{ _id: 'A', qty: 10 }]);
    const decrement = (): Promise<void> =>
      inSession((s) =>
        s.withTransaction(async () => {
          const current = await stock.findOne({ _id: 'A' }, { session: s });
          await new Promise((r) => setTimeout(r, 20));
          await stock.updateOne({ _id: 'A' }, { $set: { qty: (current?.qty ?? 0) - 1 } }, { session: s });
        }),
      );
    await Promise.all([decrement(), decrement(), decrement(), decrement()]);
    expect((await stock.findOne({ _id: 'A' }))?.qty).toBe(6);
  }, 20_000);

  it('two transactions reserving the last unit: exactly one wins each round', async () => {
    const db = freshDb();
    const stock = db.collection<Stock>('stock');
    const reservations = db.collection<{ _id?: string; sku: string; who: string }>('reservations');
    await db.createCollection('reservations');
    for (let round = 0; round < 10; round++) {
      await stock.insertOne({ _id: `sku${round}`, qty: 1 });
      const reserve = (who: string): Promise<boolean> =>
        inSession((s) =>
          s.withTransaction(async () => {
            const item = await stock.findOne({ _id: `sku${round}` }, { session: s });
            if (!item || item.qty < 1) return false;
            await stock.updateOne({ _id: `sku${round}` }, { $inc: { qty: -1 } }, { session: s });
            await reservations.insertOne({ sku: `sku${round}`, who }, { session: s });
            return true;
          }),
        );
      const outcomes = await Promise.all([reserve('a'), reserve('b')]);
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect((await stock.findOne({ _id: `sku${round}` }))?.qty).toBe(0);
      expect(await reservations.countDocuments({ sku: `sku${round}` })).toBe(1);
    }
  }, 30_000);

  it('a plain write on a document an open transaction holds waits for it, then applies', async () => {
    const counters = await seeded<Counter>('counters', [{ _id: 1, n: 0 }]);
    await inSession(async (s) => {
      s.startTransaction();
      await counters.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session: s });
      const plain = counters.updateOne({ _id: 1 }, { $inc: { n: 10 } });
      await new Promise((r) => setTimeout(r, 50));
      await s.commitTransaction();
      expect((await plain).modifiedCount).toBe(1);
    });
    expect((await counters.findOne({ _id: 1 }))?.n).toBe(11);
  });
});

describe('retryable writes', () => {
  afterEach(async () => {
    await client.db('admin').command({ configureFailPoint: 'onPrimaryTransactionalWrite', mode: 'off' });
    await client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
  });

  it('a write retried after a network error with the same txnNumber is applied once', async () => {
    const counters = await seeded<Counter>('counters', [{ _id: 1, n: 0 }]);
    // The first attempt commits, then the server drops the connection before replying.
    await client.db('admin').command({
      configureFailPoint: 'onPrimaryTransactionalWrite',
      mode: { times: 1 },
      data: { closeConnection: true },
    });
    const events: Document[] = [];
    const retrying = await mongo.client({ monitorCommands: true, retryWrites: true });
    retrying.on('commandStarted', (e) => {
      if (e.commandName === 'update') events.push(e.command);
    });
    const r = await retrying
      .db(counters.dbName)
      .collection<Counter>('counters')
      .updateOne({ _id: 1 }, { $inc: { n: 1 } });
    expect(r.modifiedCount).toBe(1);
    expect(events).toHaveLength(2);
    expect(events[1].txnNumber).toEqual(events[0].txnNumber);
    expect(await counters.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });
  });

  it('a retryable error from the server is labelled RetryableWriteError and retried', async () => {
    const counters = await seeded<Counter>('counters', [{ _id: 1, n: 0 }]);
    await client.db('admin').command({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: ['update'], errorCode: 189 },
    });
    await counters.updateOne({ _id: 1 }, { $inc: { n: 1 } });
    expect(await counters.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });
  });
});

describe('sessions', () => {
  it('$listLocalSessions shows the live sessions', async () => {
    const listed = await client
      .db('admin')
      .aggregate([{ $listLocalSessions: {} }])
      .toArray();
    expect(listed.length).toBeGreaterThan(0);
    expect(listed[0]).toEqual({
      _id: { id: expect.anything(), uid: expect.anything() },
      lastUse: expect.any(Date),
    });
  });

  it('causal consistency: reads carry afterClusterTime and see the session’s writes', async () => {
    const coll = await seeded<Counter>('cc', [{ _id: 1, n: 0 }]);
    const sent: Document[] = [];
    const c = await mongo.client({ monitorCommands: true });
    c.on('commandStarted', (e) => {
      if (e.commandName === 'find') sent.push(e.command);
    });
    const s = c.startSession({ causalConsistency: true });
    const cc = c.db(coll.dbName).collection<Counter>('cc');
    await cc.updateOne({ _id: 1 }, { $set: { n: 5 } }, { session: s });
    expect((await cc.findOne({ _id: 1 }, { session: s }))?.n).toBe(5);
    expect(sent[0].readConcern.afterClusterTime).toBeDefined();
    await s.endSession();
  });
});

describe('transaction lifetime limit', () => {
  it('aborts an abandoned transaction: its commit fails with NoSuchTransaction, nothing is visible', async () => {
    const c = await shortLived.client();
    const coll = c.db('lifetime').collection<Counter>('c');
    await coll.insertOne({ _id: 0, n: 0 });
    const s = c.startSession();
    s.startTransaction();
    await coll.insertOne({ _id: 1, n: 1 }, { session: s });
    await new Promise((r) => setTimeout(r, 1_500));
    const err = await s.commitTransaction().catch((e: unknown) => e);
    expect((err as MongoServerError).code).toBe(251);
    expect(await coll.countDocuments()).toBe(1);
    await s.endSession();
  }, 10_000);
});
