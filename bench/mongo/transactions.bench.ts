/**
 * Transaction part of `npm run bench:mongo` (called from bench.ts with the durable server's
 * client): (f) multi-document transactions committed per second with 1 and 16 concurrent
 * sessions. Each transaction moves an amount between two of 1,000 accounts (two updates) and
 * appends a ledger entry (an insert), with the driver's withTransaction (which retries write
 * conflicts); commits are durable (w: majority). The totals are checked afterwards, so a lost or
 * doubled update would show.
 */
import type { MongoClient } from 'mongodb';
import { fmt, printTable, timed, type LatencyStats } from './measure.js';

const ACCOUNTS = 1000;

export interface TransactionBenchRow extends LatencyStats {
  sessions: number;
  retries: number;
}

export async function benchTransactions(
  client: MongoClient,
  seconds: number,
): Promise<TransactionBenchRow[]> {
  const db = client.db('bench_txn');
  const accounts = db.collection<{ _id: number; balance: number }>('accounts');
  const ledger = db.collection('ledger');
  await accounts.insertMany(Array.from({ length: ACCOUNTS }, (_, i) => ({ _id: i, balance: 1000 })));
  await ledger.createIndex({ at: 1 });
  const rows: TransactionBenchRow[] = [];
  for (const sessions of [1, 16]) {
    console.log(`(f) transactions with ${sessions} concurrent session(s) for ${seconds} s ...`);
    let attempts = 0;
    let commits = 0;
    const result = await timed(sessions, seconds, async () => {
      const from = Math.floor(Math.random() * ACCOUNTS);
      const to = (from + 1 + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS;
      const session = client.startSession();
      try {
        await session.withTransaction(
          async () => {
            attempts++;
            await accounts.updateOne({ _id: from }, { $inc: { balance: -1 } }, { session });
            await accounts.updateOne({ _id: to }, { $inc: { balance: 1 } }, { session });
            await ledger.insertOne({ from, to, amount: 1, at: new Date() }, { session });
          },
          { writeConcern: { w: 'majority' } },
        );
        commits++;
      } finally {
        await session.endSession();
      }
    });
    rows.push({ sessions, ...result, retries: attempts - commits });
  }
  const [{ total }] = await accounts
    .aggregate<{ total: number }>([{ $group: { _id: null, total: { $sum: '$balance' } } }])
    .toArray();
  if (total !== ACCOUNTS * 1000)
    throw new Error(`transaction bench lost updates: total ${total}, expected ${ACCOUNTS * 1000}`);
  printTable(
    '(f) transactions (2 updates + 1 insert, withTransaction, w: majority) over 1,000 accounts',
    ['sessions', 'commits/s', 'p50 ms', 'p99 ms', 'retries'],
    rows.map((r) => [
      String(r.sessions),
      fmt(r.opsPerSec),
      fmt(r.p50Ms, 2),
      fmt(r.p99Ms, 2),
      String(r.retries),
    ]),
  );
  console.log('(f) balances still sum to the initial total: no update lost or applied twice');
  return rows;
}
