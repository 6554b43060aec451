/**
 * The `orders_summary` projection: one document per UTC day, kept by exact deltas
 * (orders-summary.deltas.ts); the facts' rules are in `orders-summary.evolve.ts`.
 *
 * Owned collections: `orders_summary` (the read model, `_id` 'YYYY-MM-DD'), `orders_summary_facts`
 * (one fact per order), `orders_summary_customers` / `orders_summary_products` (per day and
 * customer / product: the sums the top lists are taken from, by index).
 *
 * One batch: load its facts, evolve them, and from the facts that changed, the deltas of their
 * days; load the affected day / customer / product documents, move them by the deltas, write
 * everything, then take each affected day's top 10 customers and products from the helper
 * collections (index `{day, totalSpent}` / `{day, revenue}`) and write the day. Live, all of it is
 * one read-db transaction: a fact change and its delta commit together or not at all, and two
 * appliers of the same facts (fast path and resync path, two instances) conflict and retry instead
 * of counting twice. A rebuild or verify replays into its own collections with a single writer and
 * needs no transaction.
 *
 * A fact is saved with `summarizedRev = _rev`: the summary includes it in the same commit (what a
 * query with a consistency token waits for).
 *
 * Cache key invalidated: `orders-summary:<day>`.
 */
import {
  ReadPreference,
  type AnyBulkWriteOperation,
  type ClientSession,
  type Collection,
  type Document,
  type Filter,
} from 'mongodb';
import { byAggregate } from '../../../../shared/projections/event-groups.js';
import {
  loadMany,
  saveMany,
  withoutRevField,
  type WithRev,
} from '../../../../shared/projections/batch-save.js';
import {
  APPLIED_ALL,
  type BatchOutcome,
  type Projection,
  type ProjectionCollection,
  type ProjectionContext,
  type StoredEvent,
} from '../../../../shared/projections/projection.js';
import {
  SummaryDeltas,
  applyCustomerDelta,
  applyDayDelta,
  applyProductDelta,
  toTopCustomer,
  toTopProduct,
  type CustomerDay,
  type DayTotals,
  type ProductDay,
} from './orders-summary.deltas.js';
import {
  SUMMARY_HANDLES,
  TOP_N,
  evolveFact,
  type OrdersSummaryDoc,
  type SummaryFact,
} from './orders-summary.evolve.js';

export { ORDERS_SUMMARY } from './orders-summary.schema.js';
import { ORDERS_SUMMARY } from './orders-summary.schema.js';
export const ORDERS_SUMMARY_FACTS = 'orders_summary_facts';
export const ORDERS_SUMMARY_CUSTOMERS = 'orders_summary_customers';
export const ORDERS_SUMMARY_PRODUCTS = 'orders_summary_products';

export type StoredSummary = OrdersSummaryDoc & { computedAt: Date };
/** A fact as stored: `summarizedRev` = the `_rev` the day's summary includes. */
type FactDoc = SummaryFact & { summarizedRev?: number };

export const ORDERS_SUMMARY_COLLECTIONS: readonly ProjectionCollection[] = [
  { name: ORDERS_SUMMARY, indexes: [], verifyIgnore: ['computedAt'] },
  {
    name: ORDERS_SUMMARY_FACTS,
    indexes: [{ key: { day: 1 }, options: { name: 'day' } }],
    verifyIgnore: ['_rev', 'summarizedRev'],
  },
  {
    name: ORDERS_SUMMARY_CUSTOMERS,
    indexes: [
      { key: { day: 1, totalSpent: -1, customerId: 1 }, options: { name: 'day_spent' }, usedByApply: true },
    ],
  },
  {
    name: ORDERS_SUMMARY_PRODUCTS,
    indexes: [
      { key: { day: 1, revenue: -1, productId: 1 }, options: { name: 'day_revenue' }, usedByApply: true },
    ],
  },
];

const HANDLED: ReadonlySet<string> = new Set(SUMMARY_HANDLES);

export class OrdersSummaryProjection implements Projection {
  readonly name = ORDERS_SUMMARY;
  readonly handles = SUMMARY_HANDLES;
  readonly collections = ORDERS_SUMMARY_COLLECTIONS;

  async applyBatch(events: readonly StoredEvent[], ctx: ProjectionContext): Promise<BatchOutcome> {
    const byOrder = byAggregate(events, HANDLED);
    if (byOrder.size === 0) return APPLIED_ALL;
    let days: string[] = [];
    if (ctx.session || ctx.mode !== 'live') {
      days = await this.applyFacts(byOrder, ctx, ctx.session);
    } else {
      const session = ctx.db.client.startSession();
      try {
        await session.withTransaction(
          async () => {
            days = await this.applyFacts(byOrder, ctx, session);
          },
          // Primary: a transaction cannot read elsewhere, whatever the read connection's default.
          { readPreference: ReadPreference.primary, readConcern: { level: 'local' }, writeConcern: { w: 1 } },
        );
      } finally {
        await session.endSession();
      }
    }
    if (days.length > 0) await ctx.invalidate(days.map((d) => `orders-summary:${d}`));
    return APPLIED_ALL;
  }

  /** Facts and their deltas (inside the transaction when there is one); the days it changed. */
  private async applyFacts(
    byOrder: Map<string, StoredEvent[]>,
    ctx: ProjectionContext,
    session: ClientSession | undefined,
  ): Promise<string[]> {
    const opts = { revField: '_rev' as const, session };
    const facts = ctx.collection<WithRev<FactDoc, '_rev'>>(ORDERS_SUMMARY_FACTS);
    const loaded = await loadMany<FactDoc, '_rev'>(facts, [...byOrder.keys()], opts);
    const deltas = new SummaryDeltas();
    const writes: { id: string; next: FactDoc; prevRev: number | null }[] = [];
    for (const [id, list] of byOrder) {
      const prev = loaded.get(id) ?? null;
      const before: SummaryFact | null = prev ? stripFact(prev) : null;
      const after = list.reduce<SummaryFact | null>((f, e) => evolveFact(f, e), before);
      if (after === null || after === before) continue;
      const rev = (prev?._rev ?? 0) + 1;
      writes.push({ id, next: { ...after, summarizedRev: rev }, prevRev: prev ? prev._rev : null });
      deltas.add(before, after);
    }
    if (writes.length === 0) return [];
    const lost = await saveMany(facts, writes, opts);
    if (lost.size > 0) {
      // Only without a transaction (a rebuild has a single writer, so this is a bug or a second rebuild).
      throw new Error(`orders_summary_facts: ${lost.size} fact(s) changed concurrently; retrying the batch`);
    }
    await this.applyDeltas(deltas, ctx, session);
    return [...deltas.days.keys()];
  }

  private async applyDeltas(
    deltas: SummaryDeltas,
    ctx: ProjectionContext,
    session: ClientSession | undefined,
  ): Promise<void> {
    const customers = ctx.collection<CustomerDay>(ORDERS_SUMMARY_CUSTOMERS);
    const products = ctx.collection<ProductDay>(ORDERS_SUMMARY_PRODUCTS);
    const summaries = ctx.collection<StoredSummary>(ORDERS_SUMMARY);
    const [days, custDocs, prodDocs] = await Promise.all([
      byId(summaries, [...deltas.days.keys()], session),
      byId(customers, [...deltas.customers.keys()], session),
      byId(products, [...deltas.products.keys()], session),
    ]);
    await replaceAll(
      customers,
      [...deltas.customers].map(([key, d]) => applyCustomerDelta(custDocs.get(key) ?? null, key, d)),
      session,
    );
    await replaceAll(
      products,
      [...deltas.products].map(([key, d]) => applyProductDelta(prodDocs.get(key) ?? null, key, d)),
      session,
    );
    const next: StoredSummary[] = [];
    for (const [day, d] of deltas.days) {
      const totals: DayTotals = applyDayDelta(days.get(day) ?? null, day, d);
      const [topC, topP] = await Promise.all([
        customers
          .find({ day, orderCount: { $gt: 0 } }, { session })
          .sort({ day: 1, totalSpent: -1, customerId: 1 })
          .limit(TOP_N)
          .toArray(),
        products
          .find({ day, quantity: { $gt: 0 } }, { session })
          .sort({ day: 1, revenue: -1, productId: 1 })
          .limit(TOP_N)
          .toArray(),
      ]);
      next.push({
        ...totals,
        topCustomers: topC.map(toTopCustomer),
        topProducts: topP.map(toTopProduct),
        computedAt: new Date(),
      });
    }
    await replaceAll(summaries, next, session);
  }
}

function stripFact(stored: WithRev<FactDoc, '_rev'>): SummaryFact {
  const { summarizedRev: _ignored, ...fact } = withoutRevField<FactDoc, '_rev'>(stored, '_rev');
  void _ignored;
  return fact;
}

async function byId<T extends Document & { _id: string }>(
  coll: Collection<T>,
  ids: readonly string[],
  session: ClientSession | undefined,
): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  if (ids.length === 0) return out;
  for (const d of await coll
    .find({ _id: { $in: [...ids] } } as unknown as Filter<T>, { session })
    .toArray()) {
    out.set((d as unknown as { _id: string })._id, d as T);
  }
  return out;
}

async function replaceAll<T extends Document & { _id: string }>(
  coll: Collection<T>,
  docs: readonly T[],
  session: ClientSession | undefined,
): Promise<void> {
  if (docs.length === 0) return;
  await coll.bulkWrite(
    docs.map((d): AnyBulkWriteOperation<T> => ({
      replaceOne: { filter: { _id: d._id } as unknown as Filter<T>, replacement: d, upsert: true },
    })),
    { ordered: false, session },
  );
}
