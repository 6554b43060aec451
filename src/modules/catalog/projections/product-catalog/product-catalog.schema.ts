/**
 * `product_catalog` (read db): one denormalized document per product, for browsing and search,
 * plus its helper collection `product_catalog_activity` (one document per purchase or view batch
 * that feeds the activity metrics, so they are recomputed exactly instead of incremented).
 * Field meanings and metric formulas: README.md beside this file.
 */
import type { Decimal128 } from 'mongodb';
import { Schema } from 'mongoose';
import type { ProjectionCollection } from '../../../../shared/projections/projection.js';
import {
  indexesOf,
  readModelSchemaOptions,
  subSchema,
} from '../../../../shared/projections/schema-indexes.js';

export const PRODUCT_CATALOG = 'product_catalog';
export const PRODUCT_CATALOG_ACTIVITY = 'product_catalog_activity';

export interface ProductMetrics {
  /** ratingSum / reviewCount rounded to 2 decimals; 0 without reviews. */
  averageRating: number;
  reviewCount: number;
  /** Sum of all star ratings (kept so the average is exact). */
  ratingSum: number;
  viewCount: number;
  /** Units of the product in delivered orders. */
  purchaseCount: number;
  popularityScore: number;
  trendingScore: number;
}

/** Per-field "last applied product version": makes `evolve` commutative within one product. */
export type FieldVersions = Partial<
  Record<
    | 'created'
    | 'name'
    | 'description'
    | 'brand'
    | 'category'
    | 'images'
    | 'features'
    | 'price'
    | 'inventory'
    | 'ratings'
    | 'status'
    | 'views',
    number
  >
>;

/**
 * The read model as the pure code sees it (price as an exact decimal string). The stored document
 * is the same with `price` as Decimal128 and `_id` = productId.
 */
export interface ProductCatalogState {
  productId: string;
  /** False until `catalog.product-created` has been applied (such documents are never served). */
  listed: boolean;
  sku: string | null;
  name: string | null;
  description: string | null;
  brand: string | null;
  category: string[];
  /** category joined with '/', e.g. 'Electronics/Audio/Headphones' (prefix search). */
  categoryPath: string | null;
  price: string | null;
  currency: string | null;
  images: string[];
  features: string[];
  status: 'active' | 'discontinued' | null;
  /** Units available to sell (the write model's inventory.quantity). */
  stockLevel: number;
  reserved: number;
  inStock: boolean;
  slug: string | null;
  searchKeywords: string[];
  metrics: ProductMetrics;
  fieldVersions: FieldVersions;
  /**
   * writeModelVersion: the highest product aggregateVersion applied; appliedThrough: the highest n
   * such that every version 1..n is applied (read-your-writes waits on it); pendingVersions: the
   * applied versions above appliedThrough + 1 (empty unless events arrived out of order);
   * viewsVersion: the highest views-aggregate version applied.
   */
  lastSyncedFrom: {
    writeModelVersion: number;
    appliedThrough: number;
    pendingVersions: number[];
    viewsVersion: number;
  };
  createdAt: Date | null;
  /** occurredAt of the event with the highest product version applied. */
  updatedAt: Date | null;
}

export type ProductCatalogDocument = Omit<ProductCatalogState, 'price'> & {
  _id: string;
  price: Decimal128 | null;
  /** Optimistic-concurrency counter of the projection's read-modify-write; not part of the model. */
  rev: number;
};

/** One contribution to the activity metrics; `_id` makes each source fact count once. */
export interface ProductActivity {
  /** `purchase:<orderId>:<productId>` or `view:<views aggregateId>:<version>`. */
  _id: string;
  productId: string;
  kind: 'purchase' | 'view';
  /** Units purchased, or views in the batch. */
  units: number;
  /** When it happened (order delivered at / views batch occurredAt). */
  at: Date;
}

const sub = subSchema;
const nullableString = { type: String, default: null };
const count = { type: Number, required: true };

/**
 * The read model as a Mongoose schema on the read connection: the one declaration of its fields,
 * types and indexes (the projection runtime builds the indexes from it; product-catalog.projection
 * .spec.ts checks that the documents the projection writes fit it).
 */
export const ProductCatalogSchema = new Schema<ProductCatalogDocument>(
  {
    _id: { type: String, required: true },
    productId: { type: String, required: true },
    listed: { type: Boolean, required: true },
    sku: nullableString,
    name: nullableString,
    description: nullableString,
    brand: nullableString,
    category: [String],
    categoryPath: nullableString,
    price: { type: Schema.Types.Decimal128, default: null },
    currency: nullableString,
    images: [String],
    features: [String],
    status: { type: String, enum: ['active', 'discontinued', null], default: null },
    stockLevel: count,
    reserved: count,
    inStock: { type: Boolean, required: true },
    slug: nullableString,
    searchKeywords: [String],
    metrics: sub({
      averageRating: count,
      reviewCount: count,
      ratingSum: count,
      viewCount: count,
      purchaseCount: count,
      popularityScore: count,
      trendingScore: count,
    }),
    fieldVersions: sub(
      Object.fromEntries(
        [
          'created',
          'name',
          'description',
          'brand',
          'category',
          'images',
          'features',
          'price',
          'inventory',
          'ratings',
          'status',
          'views',
        ].map((f) => [f, Number]),
      ),
    ),
    lastSyncedFrom: sub({
      writeModelVersion: count,
      appliedThrough: count,
      pendingVersions: [Number],
      viewsVersion: count,
    }),
    createdAt: { type: Date, default: null },
    updatedAt: { type: Date, default: null },
    rev: count,
  },
  readModelSchemaOptions(PRODUCT_CATALOG),
);

ProductCatalogSchema.index({ sku: 1 }, { name: 'sku_1' });
ProductCatalogSchema.index({ slug: 1 }, { name: 'slug_1' });
ProductCatalogSchema.index(
  { listed: 1, categoryPath: 1, 'metrics.popularityScore': -1 },
  { name: 'category_popularity' },
);
ProductCatalogSchema.index({ listed: 1, brand: 1, price: 1 }, { name: 'brand_price' });
ProductCatalogSchema.index({ listed: 1, price: 1 }, { name: 'price_1' });
ProductCatalogSchema.index({ listed: 1, 'metrics.popularityScore': -1 }, { name: 'popularity' });
ProductCatalogSchema.index({ listed: 1, 'metrics.trendingScore': -1 }, { name: 'trending' });
ProductCatalogSchema.index({ listed: 1, 'metrics.averageRating': -1 }, { name: 'rating' });
ProductCatalogSchema.index({ features: 1 }, { name: 'features_1' });
ProductCatalogSchema.index({ inStock: 1 }, { name: 'inStock_1' });
ProductCatalogSchema.index(
  { name: 'text', brand: 'text', searchKeywords: 'text', description: 'text' },
  {
    name: 'product_text',
    weights: { name: 10, brand: 5, searchKeywords: 3, description: 1 },
    default_language: 'english',
  },
);

export const PRODUCT_CATALOG_COLLECTIONS: readonly ProjectionCollection[] = [
  { name: PRODUCT_CATALOG, verifyIgnore: ['rev'], indexes: indexesOf(ProductCatalogSchema) },
  {
    name: PRODUCT_CATALOG_ACTIVITY,
    indexes: [{ key: { productId: 1, _id: 1 }, options: { name: 'product_1__id_1' }, usedByApply: true }],
  },
];
