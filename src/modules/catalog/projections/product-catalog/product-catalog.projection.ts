/**
 * The `product_catalog` projection: catalog product events, product view batches and delivered
 * orders -> one browsing document per product (+ the activity helper collection).
 *
 * Events come in batches; each product document is updated by read -> pure evolve -> compare-and-set
 * on `rev` (one read and one bulk write per batch), retried on a concurrent write (fast path, resync stream and a second instance may apply at the same time),
 * so no update is lost and none is applied on a stale read. Activity facts (a delivered order's
 * units, a views batch) are first recorded once by id in `product_catalog_activity`, then the
 * metrics are recomputed from all of them inside the same compare-and-set loop: a duplicate or
 * late event adds nothing, and the last writer always read every fact recorded before it.
 */
import type { StoredEvent } from '../../../../shared/events/event-registry.js';
import {
  APPLIED_ALL,
  type BatchOutcome,
  type Projection,
  type ProjectionContext,
} from '../../../../shared/projections/projection.js';
import { CatalogEventType, ORDER_DELIVERED_EVENT_TYPE } from '../../catalog.public.js';
import { keysAffectedByProduct } from './product-cache-keys.js';
import {
  activitiesOf,
  emptyProductState,
  evolve,
  PRODUCT_CATALOG_HANDLES,
  productIdOf,
  withActivity,
} from './product-catalog.evolve.js';
import {
  PRODUCT_CATALOG_COLLECTIONS,
  type ProductActivity,
  type ProductCatalogState,
} from './product-catalog.schema.js';
import { MongoProductCatalogStore, type ProductCatalogStore } from './product-catalog.store.js';
import { isDeepStrictEqual } from 'node:util';

const MAX_CAS_ROUNDS = 50;

export class ProductCatalogProjection implements Projection {
  readonly name = 'product_catalog';
  readonly handles = PRODUCT_CATALOG_HANDLES;
  readonly collections = PRODUCT_CATALOG_COLLECTIONS;

  async applyBatch(events: readonly StoredEvent[], ctx: ProjectionContext): Promise<BatchOutcome> {
    const touched = await applyToStore(new MongoProductCatalogStore(ctx), events);
    // Invalidate even when nothing changed: a retried batch must re-send an invalidation that
    // failed after the write (the write itself is then a no-op).
    await ctx.invalidate([...new Set(touched.flatMap(keysAffectedByProduct))]);
    return APPLIED_ALL;
  }
}

/**
 * Applies a batch of events through a store; returns the product ids it concerns. Exported for the
 * unit specs (in-memory store) and usable by any caller holding a store.
 *
 * Activities (a delivered order's units, a views batch) are recorded first, in one write; then per
 * product: its events folded with the pure `evolve`, and, when the batch brought activity, the
 * metrics recomputed from all of the product's activities; one guarded write for all products,
 * repeated for the products another writer saved meanwhile.
 */
export async function applyToStore(
  store: ProductCatalogStore,
  events: readonly StoredEvent[],
): Promise<string[]> {
  const byProduct = new Map<string, StoredEvent[]>();
  const withActivities = new Set<string>();
  const activities: ProductActivity[] = [];
  const add = (productId: string, e: StoredEvent | null): void => {
    const list = byProduct.get(productId) ?? [];
    if (e) list.push(e);
    byProduct.set(productId, list);
  };
  for (const e of events) {
    if (e.type === ORDER_DELIVERED_EVENT_TYPE) {
      // Purchases may be projected before the product's own events (another aggregate, another
      // stream): keep an unlisted document that the product events complete.
      for (const a of activitiesOf(e)) {
        activities.push(a);
        withActivities.add(a.productId);
        add(a.productId, null);
      }
    } else if (e.type === CatalogEventType.PRODUCT_VIEWS_RECORDED) {
      const productId = productIdOf(e);
      activities.push(...activitiesOf(e));
      withActivities.add(productId);
      add(productId, e);
    } else if (PRODUCT_CATALOG_HANDLES.includes(e.type)) {
      add(productIdOf(e), e);
    }
  }
  if (byProduct.size === 0) return [];
  await store.addActivities(activities);
  let pending = [...byProduct.keys()];
  for (let round = 0; round < MAX_CAS_ROUNDS && pending.length > 0; round++) {
    const loaded = await store.loadMany(pending);
    // Activities are read after the products: a writer whose save this round's loads already see
    // recorded its activities before saving, so they are read here too; one that saves later makes
    // this round's save lose, and the next round reads again.
    const acts = await store.activitiesOf(pending.filter((id) => withActivities.has(id)));
    const saves: { state: ProductCatalogState; expectedRev: number | null }[] = [];
    for (const id of pending) {
      const current = loaded.get(id) ?? null;
      let state = (byProduct.get(id) ?? []).reduce<ProductCatalogState | null>(
        (s, e) => evolve(s, e),
        current?.state ?? null,
      );
      if (withActivities.has(id)) state = withActivity(state ?? emptyProductState(id), acts.get(id) ?? []);
      if (state === null || (current && isDeepStrictEqual(state, current.state))) continue;
      saves.push({ state, expectedRev: current?.rev ?? null });
    }
    pending = [...(await store.saveMany(saves))];
  }
  if (pending.length > 0) {
    throw new Error(`product_catalog: ${pending[0]} kept changing under ${MAX_CAS_ROUNDS} attempts`);
  }
  return [...byProduct.keys()];
}
