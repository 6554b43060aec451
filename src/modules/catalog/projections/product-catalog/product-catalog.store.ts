/**
 * Load/save of `product_catalog` and its helper collection, behind a small interface so the
 * projection's logic runs in unit specs against the in-memory store below and in the service
 * against MongoDB (through the runtime's ProjectionContext, so rebuilds write to shadow
 * collections).
 */
import type { ClientSession, Collection } from 'mongodb';
import { Decimal128, MongoBulkWriteError } from 'mongodb';
import { saveMany, type WithRev } from '../../../../shared/projections/batch-save.js';
import type { ProjectionContext } from '../../../../shared/projections/projection.js';
import {
  PRODUCT_CATALOG,
  PRODUCT_CATALOG_ACTIVITY,
  type ProductActivity,
  type ProductCatalogDocument,
  type ProductCatalogState,
} from './product-catalog.schema.js';

export interface LoadedProduct {
  state: ProductCatalogState;
  rev: number;
}

export interface ProductCatalogStore {
  /** The stored products among `productIds` (one read). */
  loadMany(productIds: readonly string[]): Promise<Map<string, LoadedProduct>>;
  /**
   * Inserts (expectedRev null) or replaces each product if still at its expectedRev (one write);
   * resolves to the ids whose save lost to another writer.
   */
  saveMany(
    saves: readonly { state: ProductCatalogState; expectedRev: number | null }[],
  ): Promise<Set<string>>;
  /** Records activities once each (the same _id again changes nothing). */
  addActivities(activities: readonly ProductActivity[]): Promise<void>;
  /** All recorded activities of these products, per product in _id order (one read). */
  activitiesOf(productIds: readonly string[]): Promise<Map<string, ProductActivity[]>>;
}

export function toDocument(state: ProductCatalogState, rev: number): ProductCatalogDocument {
  return {
    _id: state.productId,
    ...state,
    price: state.price === null ? null : Decimal128.fromString(state.price),
    rev,
  };
}

export function fromDocument(doc: ProductCatalogDocument): LoadedProduct {
  const { _id, rev, price, ...rest } = doc;
  void _id;
  // Documents written before appliedThrough existed: treat them as contiguous up to their version
  // (what the live fast path produced); a rebuild makes them exact.
  const synced = rest.lastSyncedFrom;
  const lastSyncedFrom = {
    ...synced,
    appliedThrough: synced.appliedThrough ?? synced.writeModelVersion,
    pendingVersions: synced.pendingVersions ?? [],
  };
  return { state: { ...rest, lastSyncedFrom, price: price === null ? null : price.toString() }, rev };
}

export class MongoProductCatalogStore implements ProductCatalogStore {
  private readonly products: Collection<ProductCatalogDocument>;
  private readonly activity: Collection<ProductActivity>;
  private readonly session: ClientSession | undefined;

  constructor(ctx: Pick<ProjectionContext, 'collection' | 'session'>) {
    this.products = ctx.collection<ProductCatalogDocument>(PRODUCT_CATALOG);
    this.activity = ctx.collection<ProductActivity>(PRODUCT_CATALOG_ACTIVITY);
    this.session = ctx.session;
  }

  async loadMany(productIds: readonly string[]): Promise<Map<string, LoadedProduct>> {
    const out = new Map<string, LoadedProduct>();
    if (productIds.length === 0) return out;
    const docs = await this.products
      .find({ _id: { $in: [...productIds] } }, { session: this.session })
      .toArray();
    for (const d of docs) out.set(d._id, fromDocument(d));
    return out;
  }

  saveMany(
    saves: readonly { state: ProductCatalogState; expectedRev: number | null }[],
  ): Promise<Set<string>> {
    return saveMany<ProductCatalogDocument, 'rev'>(
      this.products as unknown as Collection<WithRev<ProductCatalogDocument, 'rev'>>,
      saves.map((s) => ({ id: s.state.productId, next: toDocument(s.state, 0), prevRev: s.expectedRev })),
      { revField: 'rev', session: this.session },
    );
  }

  async addActivities(activities: readonly ProductActivity[]): Promise<void> {
    if (activities.length === 0) return;
    try {
      await this.activity.bulkWrite(
        activities.map(({ _id, ...fields }) => ({
          updateOne: { filter: { _id }, update: { $setOnInsert: fields }, upsert: true },
        })),
        { ordered: false, session: this.session },
      );
    } catch (e) {
      // A concurrent upsert of the same fact won: it is recorded, which is all this asks.
      const errors = e instanceof MongoBulkWriteError ? [e.writeErrors].flat() : [];
      if (errors.length === 0 || errors.some((we) => we.code !== 11000)) throw e;
    }
  }

  async activitiesOf(productIds: readonly string[]): Promise<Map<string, ProductActivity[]>> {
    const out = new Map<string, ProductActivity[]>(productIds.map((id) => [id, []]));
    if (productIds.length === 0) return out;
    const docs = await this.activity
      .find({ productId: { $in: [...productIds] } }, { session: this.session })
      .sort({ productId: 1, _id: 1 })
      .toArray();
    for (const a of docs) out.get(a.productId)?.push(a);
    return out;
  }
}

/** For unit specs: the same contract over Maps (deep copies in and out, like a database). */
export class InMemoryProductCatalogStore implements ProductCatalogStore {
  readonly products = new Map<string, LoadedProduct>();
  readonly activity = new Map<string, ProductActivity>();

  loadMany(productIds: readonly string[]): Promise<Map<string, LoadedProduct>> {
    const out = new Map<string, LoadedProduct>();
    for (const id of productIds) {
      const p = this.products.get(id);
      if (p) out.set(id, structuredClone(p));
    }
    return Promise.resolve(out);
  }

  saveMany(
    saves: readonly { state: ProductCatalogState; expectedRev: number | null }[],
  ): Promise<Set<string>> {
    const lost = new Set<string>();
    for (const { state, expectedRev } of saves) {
      const cur = this.products.get(state.productId);
      if ((cur?.rev ?? null) !== expectedRev) lost.add(state.productId);
      else this.products.set(state.productId, { state: structuredClone(state), rev: (expectedRev ?? 0) + 1 });
    }
    return Promise.resolve(lost);
  }

  addActivities(activities: readonly ProductActivity[]): Promise<void> {
    for (const a of activities) if (!this.activity.has(a._id)) this.activity.set(a._id, structuredClone(a));
    return Promise.resolve();
  }

  activitiesOf(productIds: readonly string[]): Promise<Map<string, ProductActivity[]>> {
    const all = [...this.activity.values()].sort((a, b) => (a._id < b._id ? -1 : 1));
    return Promise.resolve(
      new Map(
        productIds.map((id) => [id, all.filter((a) => a.productId === id).map((a) => structuredClone(a))]),
      ),
    );
  }
}
