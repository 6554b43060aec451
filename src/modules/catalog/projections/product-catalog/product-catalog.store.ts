/**
 * Load/save of `product_catalog` and its helper collection, behind a small interface so the
 * projection's logic runs in unit specs against the in-memory store below and in the service
 * against MongoDB (through the runtime's ProjectionContext, so rebuilds write to shadow
 * collections).
 */
import type { ClientSession, Collection } from 'mongodb';
import { Decimal128, MongoServerError } from 'mongodb';
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
  load(productId: string): Promise<LoadedProduct | null>;
  /** Inserts (expectedRev null) or replaces if still at expectedRev; false when someone else won. */
  save(state: ProductCatalogState, expectedRev: number | null): Promise<boolean>;
  /** Records an activity once (same _id again changes nothing). */
  addActivity(activity: ProductActivity): Promise<void>;
  activities(productId: string): Promise<ProductActivity[]>;
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

const isDuplicateKey = (e: unknown): boolean => e instanceof MongoServerError && e.code === 11000;

export class MongoProductCatalogStore implements ProductCatalogStore {
  private readonly products: Collection<ProductCatalogDocument>;
  private readonly activity: Collection<ProductActivity>;
  private readonly session: ClientSession | undefined;

  constructor(ctx: Pick<ProjectionContext, 'collection' | 'session'>) {
    this.products = ctx.collection<ProductCatalogDocument>(PRODUCT_CATALOG);
    this.activity = ctx.collection<ProductActivity>(PRODUCT_CATALOG_ACTIVITY);
    this.session = ctx.session;
  }

  async load(productId: string): Promise<LoadedProduct | null> {
    const doc = await this.products.findOne({ _id: productId }, { session: this.session });
    return doc ? fromDocument(doc) : null;
  }

  async save(state: ProductCatalogState, expectedRev: number | null): Promise<boolean> {
    if (expectedRev === null) {
      try {
        await this.products.insertOne(toDocument(state, 1), { session: this.session });
        return true;
      } catch (e) {
        if (isDuplicateKey(e)) return false;
        throw e;
      }
    }
    const res = await this.products.replaceOne(
      { _id: state.productId, rev: expectedRev },
      toDocument(state, expectedRev + 1),
      { session: this.session },
    );
    return res.matchedCount === 1;
  }

  async addActivity(a: ProductActivity): Promise<void> {
    const { _id, ...fields } = a;
    try {
      await this.activity.updateOne(
        { _id },
        { $setOnInsert: fields },
        { upsert: true, session: this.session },
      );
    } catch (e) {
      if (!isDuplicateKey(e)) throw e; // a concurrent upsert of the same fact won
    }
  }

  async activities(productId: string): Promise<ProductActivity[]> {
    return this.activity.find({ productId }, { session: this.session }).sort({ _id: 1 }).toArray();
  }
}

/** For unit specs: the same contract over Maps (deep copies in and out, like a database). */
export class InMemoryProductCatalogStore implements ProductCatalogStore {
  readonly products = new Map<string, LoadedProduct>();
  readonly activity = new Map<string, ProductActivity>();

  load(productId: string): Promise<LoadedProduct | null> {
    const p = this.products.get(productId);
    return Promise.resolve(p ? structuredClone(p) : null);
  }

  save(state: ProductCatalogState, expectedRev: number | null): Promise<boolean> {
    const cur = this.products.get(state.productId);
    if ((cur?.rev ?? null) !== expectedRev) return Promise.resolve(false);
    this.products.set(state.productId, { state: structuredClone(state), rev: (expectedRev ?? 0) + 1 });
    return Promise.resolve(true);
  }

  addActivity(a: ProductActivity): Promise<void> {
    if (!this.activity.has(a._id)) this.activity.set(a._id, structuredClone(a));
    return Promise.resolve();
  }

  activities(productId: string): Promise<ProductActivity[]> {
    return Promise.resolve(
      [...this.activity.values()]
        .filter((a) => a.productId === productId)
        .sort((a, b) => (a._id < b._id ? -1 : 1))
        .map((a) => structuredClone(a)),
    );
  }
}
