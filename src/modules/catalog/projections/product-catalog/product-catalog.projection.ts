/**
 * The `product_catalog` projection: catalog product events, product view batches and delivered
 * orders -> one browsing document per product (+ the activity helper collection).
 *
 * Each product document is updated by read -> pure evolve -> compare-and-set on `rev`, retried on
 * a concurrent write (fast path, resync stream and a second instance may apply at the same time),
 * so no update is lost and none is applied on a stale read. Activity facts (a delivered order's
 * units, a views batch) are first recorded once by id in `product_catalog_activity`, then the
 * metrics are recomputed from all of them inside the same compare-and-set loop: a duplicate or
 * late event adds nothing, and the last writer always read every fact recorded before it.
 */
import type { StoredEvent } from '../../../../shared/events/event-registry.js';
import type { Projection, ProjectionContext } from '../../../../shared/projections/projection.js';
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

const MAX_CAS_ATTEMPTS = 50;

export class ProductCatalogProjection implements Projection {
  readonly name = 'product_catalog';
  readonly handles = PRODUCT_CATALOG_HANDLES;
  readonly collections = PRODUCT_CATALOG_COLLECTIONS;

  async apply(event: StoredEvent, ctx: ProjectionContext): Promise<void> {
    const touched = await applyToStore(new MongoProductCatalogStore(ctx), event);
    // Invalidate even when nothing changed: a retried event must re-send an invalidation that
    // failed after the write (the write itself is then a no-op).
    await ctx.invalidate(touched.flatMap(keysAffectedByProduct));
  }
}

/**
 * Applies one event through a store; returns the product ids it concerns. Exported for the unit
 * specs (in-memory store) and usable by any caller holding a store.
 */
export async function applyToStore(store: ProductCatalogStore, event: StoredEvent): Promise<string[]> {
  if (event.type === ORDER_DELIVERED_EVENT_TYPE) {
    const activities = activitiesOf(event);
    for (const a of activities) {
      await store.addActivity(a);
      // Purchases may be projected before the product's own events (another aggregate, another
      // stream): keep an unlisted document that the product events complete.
      await update(
        store,
        a.productId,
        (s, acts) => withActivity(s ?? emptyProductState(a.productId), acts),
        true,
      );
    }
    return activities.map((a) => a.productId);
  }
  if (event.type === CatalogEventType.PRODUCT_VIEWS_RECORDED) {
    const productId = productIdOf(event);
    for (const a of activitiesOf(event)) await store.addActivity(a);
    await update(store, productId, (s, acts) => withActivity(evolve(s, event), acts), true);
    return [productId];
  }
  if (!PRODUCT_CATALOG_HANDLES.includes(event.type)) return [];
  const productId = productIdOf(event);
  await update(store, productId, (s) => evolve(s, event), false);
  return [productId];
}

async function update(
  store: ProductCatalogStore,
  productId: string,
  next: (state: ProductCatalogState | null, activities: readonly ProductActivity[]) => ProductCatalogState,
  withActivities: boolean,
): Promise<void> {
  for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
    const current = await store.load(productId);
    const activities = withActivities ? await store.activities(productId) : [];
    const state = next(current?.state ?? null, activities);
    if (current && isDeepStrictEqual(state, current.state)) return;
    if (await store.save(state, current?.rev ?? null)) return;
  }
  throw new Error(`product_catalog: ${productId} kept changing under ${MAX_CAS_ATTEMPTS} attempts`);
}
