/**
 * A product as the query API shows it (from `product_catalog`). Money as exact decimal strings,
 * times as ISO-8601. `version` is the write model's product version the document reflects.
 */
import type { Collection, Filter } from 'mongodb';
import type { Connection } from 'mongoose';
import { formatMoney } from '../../../shared/money/money.js';
import {
  PRODUCT_CATALOG,
  type ProductCatalogDocument,
} from '../projections/product-catalog/product-catalog.schema.js';

export interface ProductMetricsDto {
  averageRating: number;
  reviewCount: number;
  viewCount: number;
  purchaseCount: number;
  popularityScore: number;
  trendingScore: number;
}

export interface ProductResponseDto {
  id: string;
  sku: string;
  slug: string;
  name: string;
  description: string;
  brand: string;
  category: string[];
  categoryPath: string;
  price: string;
  currency: string;
  images: string[];
  features: string[];
  status: 'active' | 'discontinued';
  inStock: boolean;
  stockLevel: number;
  searchKeywords: string[];
  metrics: ProductMetricsDto;
  version: number;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface PaginationDto {
  total: number;
  limit: number;
  offset: number;
  pages: number;
}

export function toProductResponse(doc: ProductCatalogDocument): ProductResponseDto {
  const m = doc.metrics;
  return {
    id: doc._id,
    sku: doc.sku ?? '',
    slug: doc.slug ?? '',
    name: doc.name ?? '',
    description: doc.description ?? '',
    brand: doc.brand ?? '',
    category: doc.category,
    categoryPath: doc.categoryPath ?? '',
    price: doc.price === null ? '0.00' : formatMoney(doc.price),
    currency: doc.currency ?? '',
    images: doc.images,
    features: doc.features,
    status: doc.status ?? 'active',
    inStock: doc.inStock,
    stockLevel: doc.stockLevel,
    searchKeywords: doc.searchKeywords,
    metrics: {
      averageRating: m.averageRating,
      reviewCount: m.reviewCount,
      viewCount: m.viewCount,
      purchaseCount: m.purchaseCount,
      popularityScore: m.popularityScore,
      trendingScore: m.trendingScore,
    },
    version: doc.lastSyncedFrom.writeModelVersion,
    createdAt: doc.createdAt ? new Date(doc.createdAt).toISOString() : null,
    updatedAt: doc.updatedAt ? new Date(doc.updatedAt).toISOString() : null,
  };
}

/** The live `product_catalog` collection on the read connection. */
export function productCatalog(connection: Connection): Collection<ProductCatalogDocument> {
  return connection.collection<ProductCatalogDocument>(
    PRODUCT_CATALOG,
  ) as unknown as Collection<ProductCatalogDocument>;
}

/** Documents a query may show: the product exists (created event applied). */
export const LISTED: Filter<ProductCatalogDocument> = { listed: true };
