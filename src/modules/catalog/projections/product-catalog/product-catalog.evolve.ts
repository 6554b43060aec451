/**
 * The pure part of the `product_catalog` projection: (current state, event) -> next state.
 *
 * Exactness: product events carry absolute values (the inventory, price, rating totals after the
 * change; ProductUpdated the new value of each changed field), and every field group remembers the
 * product version that last set it (`fieldVersions`). An event only sets a group it is newer than,
 * so applying events twice, late, or in any order gives the same state (evolve is commutative and
 * idempotent per product). View batches are guarded by their own aggregate's version (their
 * payload's `totalViews` is absolute). Activity metrics (purchases, trending) are not event-local:
 * they are recomputed from the helper collection by `withActivity`.
 */
import type { StoredEvent } from '../../../../shared/events/event-registry.js';
import {
  CatalogEventType,
  ORDER_DELIVERED_EVENT_TYPE,
  type InventoryAdjustedPayload,
  type ProductCreatedPayload,
  type ProductDiscontinuedPayload,
  type ProductPriceChangedPayload,
  type ProductUpdatedPayload,
  type ProductViewsRecordedPayload,
  type ReviewAddedPayload,
  type StockMovementPayload,
} from '../../catalog.public.js';
import type { FieldVersions, ProductActivity, ProductCatalogState } from './product-catalog.schema.js';
import { averageRating, popularityScore, purchaseCount, trendingScore } from './product-metrics.js';

/** Events of the product aggregate (aggregateId = productId, aggregateVersion = product version). */
export const PRODUCT_EVENT_TYPES: readonly string[] = [
  CatalogEventType.PRODUCT_CREATED,
  CatalogEventType.PRODUCT_UPDATED,
  CatalogEventType.PRODUCT_PRICE_CHANGED,
  CatalogEventType.INVENTORY_ADJUSTED,
  CatalogEventType.PRODUCT_DISCONTINUED,
  CatalogEventType.REVIEW_ADDED,
  CatalogEventType.STOCK_RESERVED,
  CatalogEventType.STOCK_RELEASED,
  CatalogEventType.STOCK_CONSUMED,
];

/** Everything the projection consumes. */
export const PRODUCT_CATALOG_HANDLES: readonly string[] = [
  ...PRODUCT_EVENT_TYPES,
  CatalogEventType.PRODUCT_VIEWS_RECORDED,
  ORDER_DELIVERED_EVENT_TYPE,
];

export function emptyProductState(productId: string): ProductCatalogState {
  return {
    productId,
    listed: false,
    sku: null,
    name: null,
    description: null,
    brand: null,
    category: [],
    categoryPath: null,
    price: null,
    currency: null,
    images: [],
    features: [],
    status: null,
    stockLevel: 0,
    reserved: 0,
    inStock: false,
    slug: null,
    searchKeywords: [],
    metrics: {
      averageRating: 0,
      reviewCount: 0,
      ratingSum: 0,
      viewCount: 0,
      purchaseCount: 0,
      popularityScore: 0,
      trendingScore: 0,
    },
    fieldVersions: {},
    lastSyncedFrom: { writeModelVersion: 0, appliedThrough: 0, pendingVersions: [], viewsVersion: 0 },
    createdAt: null,
    updatedAt: null,
  };
}

/** The product a catalog or views event is about. */
export function productIdOf(event: StoredEvent): string {
  if (event.type === CatalogEventType.PRODUCT_VIEWS_RECORDED) {
    return (event.payload as unknown as ProductViewsRecordedPayload).productId;
  }
  return event.aggregateId;
}

/** Applies one product or views event. Returns a new state; never mutates `state`. */
export function evolve(state: ProductCatalogState | null, event: StoredEvent): ProductCatalogState {
  const s = structuredClone(state ?? emptyProductState(productIdOf(event)));
  const v = event.aggregateVersion;
  const fv = s.fieldVersions;
  const take = (field: keyof FieldVersions): boolean => {
    if ((fv[field] ?? 0) >= v) return false;
    fv[field] = v;
    return true;
  };
  const setInventory = (inv: { quantity: number; reserved: number }): void => {
    if (!take('inventory')) return;
    s.stockLevel = inv.quantity;
    s.reserved = inv.reserved;
  };

  switch (event.type) {
    case CatalogEventType.PRODUCT_CREATED: {
      const p = event.payload as unknown as ProductCreatedPayload;
      if (take('created')) {
        s.listed = true;
        s.sku = p.sku;
        s.createdAt = new Date(event.occurredAt);
      }
      if (take('name')) s.name = p.name;
      if (take('description')) s.description = p.description;
      if (take('brand')) s.brand = p.brand;
      if (take('category')) s.category = [...p.category];
      if (take('images')) s.images = [...p.images];
      if (take('features')) s.features = [...p.features];
      if (take('price')) {
        s.price = p.price;
        s.currency = p.currency;
      }
      if (take('status')) s.status = p.status;
      setInventory(p.inventory);
      break;
    }
    case CatalogEventType.PRODUCT_UPDATED: {
      const c = (event.payload as unknown as ProductUpdatedPayload).changes;
      if (c.name !== undefined && take('name')) s.name = c.name;
      if (c.description !== undefined && take('description')) s.description = c.description;
      if (c.brand !== undefined && take('brand')) s.brand = c.brand;
      if (c.category !== undefined && take('category')) s.category = [...c.category];
      if (c.images !== undefined && take('images')) s.images = [...c.images];
      if (c.features !== undefined && take('features')) s.features = [...c.features];
      break;
    }
    case CatalogEventType.PRODUCT_PRICE_CHANGED: {
      const p = event.payload as unknown as ProductPriceChangedPayload;
      if (take('price')) {
        s.price = p.price;
        s.currency = p.currency;
      }
      break;
    }
    case CatalogEventType.INVENTORY_ADJUSTED:
      setInventory((event.payload as unknown as InventoryAdjustedPayload).inventory);
      break;
    case CatalogEventType.STOCK_RESERVED:
    case CatalogEventType.STOCK_RELEASED:
    case CatalogEventType.STOCK_CONSUMED:
      setInventory((event.payload as unknown as StockMovementPayload).inventory);
      break;
    case CatalogEventType.PRODUCT_DISCONTINUED: {
      const p = event.payload as unknown as ProductDiscontinuedPayload;
      if (take('status')) s.status = p.status;
      break;
    }
    case CatalogEventType.REVIEW_ADDED: {
      const p = event.payload as unknown as ReviewAddedPayload;
      if (take('ratings')) {
        s.metrics.ratingSum = p.ratings.sum;
        s.metrics.reviewCount = p.ratings.count;
      }
      break;
    }
    case CatalogEventType.PRODUCT_VIEWS_RECORDED: {
      const p = event.payload as unknown as ProductViewsRecordedPayload;
      if (v > s.lastSyncedFrom.viewsVersion) {
        s.lastSyncedFrom.viewsVersion = v;
        fv.views = v;
        s.metrics.viewCount = p.totalViews;
      }
      return derive(s);
    }
    default:
      return derive(s);
  }
  const synced = s.lastSyncedFrom;
  if (v > synced.writeModelVersion) {
    synced.writeModelVersion = v;
    s.updatedAt = new Date(event.occurredAt);
  }
  if (v > synced.appliedThrough && !synced.pendingVersions.includes(v)) {
    const pending = new Set([...synced.pendingVersions, v]);
    while (pending.delete(synced.appliedThrough + 1)) synced.appliedThrough++;
    synced.pendingVersions = [...pending].sort((a, b) => a - b);
  }
  return derive(s);
}

/** Sets the metrics that come from the helper collection (all of the product's activity). */
export function withActivity(
  state: ProductCatalogState,
  activities: readonly ProductActivity[],
): ProductCatalogState {
  const s = structuredClone(state);
  s.metrics.purchaseCount = purchaseCount(activities);
  s.metrics.trendingScore = trendingScore(activities);
  return derive(s);
}

/** Activities an event contributes (purchases of a delivered order, or one views batch). */
export function activitiesOf(event: StoredEvent): ProductActivity[] {
  if (event.type === CatalogEventType.PRODUCT_VIEWS_RECORDED) {
    const p = event.payload as unknown as ProductViewsRecordedPayload;
    return [
      {
        _id: `view:${event.aggregateId}:${event.aggregateVersion}`,
        productId: p.productId,
        kind: 'view',
        units: p.count,
        at: new Date(event.occurredAt),
      },
    ];
  }
  if (event.type === ORDER_DELIVERED_EVENT_TYPE) {
    const p = event.payload as { orderId?: string; changedAt?: string; items?: unknown };
    const orderId = p.orderId ?? event.aggregateId;
    const changedAt = p.changedAt ? new Date(p.changedAt) : new Date(event.occurredAt);
    const at = Number.isNaN(changedAt.getTime()) ? new Date(event.occurredAt) : changedAt;
    const units = new Map<string, number>();
    const items = Array.isArray(p.items) ? (p.items as { productId: string; quantity: number }[]) : [];
    for (const item of items) units.set(item.productId, (units.get(item.productId) ?? 0) + item.quantity);
    return [...units].map(([productId, n]) => ({
      _id: `purchase:${orderId}:${productId}`,
      productId,
      kind: 'purchase',
      units: n,
      at,
    }));
  }
  return [];
}

const slugify = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

function keywords(s: ProductCatalogState): string[] {
  const words = new Set<string>();
  const sources = [s.name, s.brand, s.sku, ...s.category, ...s.features];
  for (const text of sources) {
    if (!text) continue;
    for (const w of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (w.length >= 2) words.add(w);
  }
  if (s.sku) words.add(s.sku.toLowerCase());
  return [...words].sort();
}

/** Recomputes every derived field from the state's own fields. */
function derive(s: ProductCatalogState): ProductCatalogState {
  s.categoryPath = s.category.length > 0 ? s.category.join('/') : null;
  s.inStock = s.status === 'active' && s.stockLevel > 0;
  s.slug = s.name && s.sku ? `${slugify(s.name)}-${slugify(s.sku)}`.replace(/^-+/, '') : null;
  s.searchKeywords = keywords(s);
  s.metrics.averageRating = averageRating(s.metrics.ratingSum, s.metrics.reviewCount);
  s.metrics.popularityScore = popularityScore(s.metrics);
  return s;
}
