/**
 * Transactions across a crash. The server runs in a child process on a temp dbPath; several
 * sessions commit transactions (default write concern, w: "majority", durable before the reply),
 * each writing an order, its two lines in another collection and a per-writer total; the server is
 * SIGKILLed mid-stream and restarted on the same directory. Then every acknowledged commit must be
 * there in full, no transaction may be there in part, and the totals must match the orders: a
 * commit is all or nothing, and an acknowledged one is durable.
 */
import { jest } from '@jest/globals';
import type { Document, MongoClient } from 'mongodb';
import { withServerChildren } from '../helpers/embedded-server.js';

jest.setTimeout(90_000);
const children = withServerChildren();

const CLIENT_OPTIONS = { serverSelectionTimeoutMS: 3000, retryWrites: false } as const;
const DB = 'crashtx';
const WRITERS = 4;

interface Order extends Document {
  _id: string;
  writer: number;
}

interface Line extends Document {
  _id: string;
  order: string;
}

interface Total extends Document {
  _id: number;
  orders: number;
}

async function writer(
  client: MongoClient,
  w: number,
  acked: Set<string>,
  stop: () => boolean,
): Promise<void> {
  const db = client.db(DB);
  for (let i = 0; !stop(); i++) {
    const id = `w${w}-${i}`;
    const session = client.startSession();
    try {
      await session.withTransaction(async () => {
        await db.collection<Order>('orders').insertOne({ _id: id, writer: w }, { session });
        await db.collection<Line>('lines').insertMany(
          [
            { _id: `${id}-a`, order: id },
            { _id: `${id}-b`, order: id },
          ],
          { session },
        );
        await db.collection<Total>('totals').updateOne({ _id: w }, { $inc: { orders: 1 } }, { session });
      });
      acked.add(id);
    } catch {
      return; // the crash
    } finally {
      await session.endSession().catch(() => undefined);
    }
  }
}

describe('transactions and a crash', () => {
  it('every acknowledged commit survives SIGKILL in full; no transaction survives in part', async () => {
    const dbPath = await children.tempDir('embedded-mongo-tx-crash');
    const first = await children.start({ dbPath });
    const setup = await children.client(first.uri, CLIENT_OPTIONS);
    const db = setup.db(DB);
    await db
      .collection<Total>('totals')
      .insertMany(Array.from({ length: WRITERS }, (_, w) => ({ _id: w, orders: 0 })));
    await db.createCollection('orders');
    await db.createCollection('lines');

    const acked = new Set<string>();
    let stopped = false;
    const clients = await Promise.all(
      Array.from({ length: WRITERS }, () => children.client(first.uri, CLIENT_OPTIONS)),
    );
    const running = clients.map((c, w) => writer(c, w, acked, () => stopped));
    while (acked.size < 40) await new Promise((r) => setTimeout(r, 20));
    await first.crash();
    stopped = true;
    await Promise.all(running);
    await Promise.all(clients.map((c) => c.close(true)));

    const second = await children.start({ dbPath });
    const reader = await children.client(second.uri, CLIENT_OPTIONS);
    const rdb = reader.db(DB);
    const orders = await rdb.collection<Order>('orders').find().toArray();
    const lines = await rdb.collection<Line>('lines').find().toArray();
    const totals = await rdb.collection<Total>('totals').find().sort({ _id: 1 }).toArray();

    const orderIds = new Set(orders.map((o) => o._id));
    console.log(`transactions crash: ${acked.size} commits acknowledged, ${orderIds.size} recovered`);
    // Durable: every acknowledged commit is there.
    for (const id of acked) expect(orderIds.has(id)).toBe(true);
    // Atomic: each order has exactly its two lines, and no line is without its order.
    const linesByOrder = new Map<string, number>();
    for (const l of lines) linesByOrder.set(l.order, (linesByOrder.get(l.order) ?? 0) + 1);
    for (const id of orderIds) expect(linesByOrder.get(id)).toBe(2);
    for (const order of linesByOrder.keys()) expect(orderIds.has(order)).toBe(true);
    // The totals moved with the orders.
    for (let w = 0; w < WRITERS; w++) {
      expect(totals[w].orders).toBe(orders.filter((o) => o.writer === w).length);
    }
    // At most the commit in flight per writer is there without its acknowledgement.
    expect(orderIds.size - acked.size).toBeLessThanOrEqual(WRITERS);
    await second.stop();
  });
});
