/**
 * The `orders_summary` projection: loads and saves; the rules are in `orders-summary.evolve.ts`.
 *
 * Owned collections: `orders_summary_facts` (one fact per order, saved guarded by `_rev`) and
 * `orders_summary` (one document per UTC day, `_id` 'YYYY-MM-DD').
 *
 * After a fact changes, its day is recomputed from all facts of the day (index on `day`). Two
 * recomputations may race; each carries `stamp` = the sum of the `_rev`s of the facts it read. Since
 * a fact's `_rev` only grows and facts are never deleted, a later state of the day's facts always
 * has a larger stamp, and equal stamps mean equal facts: the summary is written only over a smaller
 * stamp, so a stale recomputation can never overwrite a newer one. The recomputation also runs when
 * the fact did not change, so a retry after a crash between the two writes completes it.
 *
 * After the recomputation the fact is marked `summarizedRev = _rev`, which is what a query with a
 * consistency token waits for. A fact already marked at its current `_rev` needs no recomputation
 * (the resync path re-delivers events the fast path applied; skipping them halves the work).
 *
 * Cost: a recomputation reads all facts of the day, so it grows with the orders of that day.
 * Concurrent applies for one day (the fast path under load) share recomputations through a
 * CoalescingRunner: a run that starts after the caller's fact was saved, at most two per burst.
 *
 * Cache key invalidated: `orders-summary:<day>`.
 */
import type {
  Projection,
  ProjectionCollection,
  ProjectionContext,
  StoredEvent,
} from '../../../../shared/projections/projection.js';
import { CoalescingRunner } from '../../../../shared/projections/coalescing-runner.js';
import { updateGuarded, withoutRev, type Stored } from '../guarded-save.js';
import {
  SUMMARY_HANDLES,
  evolveFact,
  summarize,
  type OrdersSummaryDoc,
  type SummaryFact,
} from './orders-summary.evolve.js';

export const ORDERS_SUMMARY = 'orders_summary';
export const ORDERS_SUMMARY_FACTS = 'orders_summary_facts';

export type StoredSummary = OrdersSummaryDoc & { stamp: number; computedAt: Date };
/** A fact as stored: `summarizedRev` = the `_rev` the day's summary last included. */
type StoredFact = Stored<SummaryFact> & { summarizedRev?: number };

export const ORDERS_SUMMARY_COLLECTIONS: readonly ProjectionCollection[] = [
  { name: ORDERS_SUMMARY, indexes: [], verifyIgnore: ['stamp', 'computedAt'] },
  {
    name: ORDERS_SUMMARY_FACTS,
    indexes: [{ key: { day: 1 }, options: { name: 'day' } }],
    verifyIgnore: ['_rev', 'summarizedRev'],
  },
];

const isDuplicateKey = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;

export class OrdersSummaryProjection implements Projection {
  readonly name = ORDERS_SUMMARY;
  readonly handles = SUMMARY_HANDLES;
  readonly collections = ORDERS_SUMMARY_COLLECTIONS;
  private readonly recomputations = new CoalescingRunner();

  async apply(event: StoredEvent, ctx: ProjectionContext): Promise<void> {
    const facts = ctx.collection<StoredFact>(ORDERS_SUMMARY_FACTS);
    await updateGuarded(facts, event.aggregateId, (current) => evolveFact(current, event), ctx.session);
    const fact = await facts.findOne({ _id: event.aggregateId }, { session: ctx.session });
    if (!fact?.day) return;
    if (fact.summarizedRev === fact._rev) return; // this state of the fact is already in the summary
    const day = fact.day;
    if (ctx.session) await this.recompute(day, ctx);
    else {
      // Keyed by the target collection too: a rebuild writes shadow collections with its own ctx.
      const summaries = ctx.collection<StoredSummary>(ORDERS_SUMMARY);
      const key = `${summaries.dbName}.${summaries.collectionName}/${day}`;
      await this.recomputations.run(key, () => this.recompute(day, ctx));
    }
    // Read-your-writes: the summary now includes this fact state (not a change of the fact, so
    // `_rev` stays; `summarizedRev` is bookkeeping that verify ignores).
    await facts.updateOne(
      { _id: fact._id, _rev: fact._rev },
      { $set: { summarizedRev: fact._rev } },
      { session: ctx.session },
    );
  }

  async recompute(day: string, ctx: ProjectionContext): Promise<void> {
    const facts = ctx.collection<Stored<SummaryFact>>(ORDERS_SUMMARY_FACTS);
    const summaries = ctx.collection<StoredSummary>(ORDERS_SUMMARY);
    const dayFacts = await facts.find({ day }, { session: ctx.session }).toArray();
    const stamp = dayFacts.reduce((sum, f) => sum + f._rev, 0);
    const doc: StoredSummary = {
      ...summarize(
        day,
        dayFacts.map((f) => withoutRev(f)),
      ),
      stamp,
      computedAt: new Date(),
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await summaries.replaceOne({ _id: day, stamp: { $lt: stamp } }, doc, {
        session: ctx.session,
      });
      if (res.matchedCount === 1) break;
      try {
        await summaries.insertOne(doc, { session: ctx.session });
        break;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
        // Exists with a stamp >= ours (nothing to do) or was inserted just now (try the replace again).
      }
    }
    await ctx.invalidate([`orders-summary:${day}`]);
  }
}
