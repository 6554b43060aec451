/**
 * insertMany growth part of `npm run bench:mongo`: 16 concurrent writers insert batches of 1,000
 * small documents (j:false) into a collection with three secondary indexes, from empty to
 * `total` documents; prints docs/s per tenth of the load, so the slowdown as the collection
 * grows shows (first tenth vs last tenth).
 */
import type { MongoClient } from 'mongodb';
import { fmt, printTable } from './measure.js';

export interface GrowthResult {
  total: number;
  /** docs/s in each tenth of the load, in order. */
  tenths: number[];
  /** last tenth's rate / first tenth's. */
  lastOverFirst: number;
}

const BATCH = 1000;
const WRITERS = 16;

export async function benchInsertGrowth(client: MongoClient, total: number): Promise<GrowthResult> {
  const coll = client
    .db('bench_growth')
    .collection<{ _id: number }>('items', { writeConcern: { w: 1, j: false } });
  await coll.createIndexes([{ key: { sku: 1 } }, { key: { customer: 1, at: -1 } }, { key: { price: 1 } }]);
  const batches = Math.ceil(total / BATCH);
  const perTenth = Math.max(1, Math.floor(batches / 10));
  const tenths: number[] = [];
  let next = 0;
  let done = 0;
  let sliceStart = performance.now();
  console.log(
    `(h) insertMany growth: 0 -> ${fmt(total)} documents, 3 secondary indexes, ${WRITERS} writers ...`,
  );
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let b = next++; b < batches; b = next++) {
        const base = b * BATCH;
        const docs = Array.from({ length: Math.min(BATCH, total - base) }, (_, j) => {
          const i = base + j;
          return {
            _id: i,
            sku: `sku-${(i * 7919) % 1_000_003}`,
            customer: `c${i % 5000}`,
            at: new Date(1_700_000_000_000 + i * 1000),
            price: (i % 9973) / 100,
            qty: i % 7,
          };
        });
        await coll.insertMany(docs, { ordered: false });
        if (++done % perTenth === 0 && tenths.length < 10) {
          const now = performance.now();
          tenths.push((perTenth * BATCH) / ((now - sliceStart) / 1000));
          sliceStart = now;
          console.log(
            `(h) ${fmt(done * BATCH)} documents: ${fmt(tenths[tenths.length - 1])} docs/s in this tenth`,
          );
        }
      }
    }),
  );
  await client.db('bench_growth').dropDatabase();
  const result = { total, tenths, lastOverFirst: tenths[tenths.length - 1] / tenths[0] };
  printTable(
    `(h) insertMany of 1,000 (16 writers, j:false) into a collection with 3 secondary indexes, 0 -> ${fmt(total)} docs`,
    ['tenth', 'docs/s'],
    tenths.map((r, i) => [String(i + 1), fmt(r)]),
  );
  console.log(`(h) last tenth / first tenth: ${fmt(result.lastOverFirst, 2)}`);
  return result;
}
