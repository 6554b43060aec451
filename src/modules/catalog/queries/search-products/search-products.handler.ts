import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectConnection } from '@nestjs/mongoose';
import { Decimal128, type Filter, type Sort } from 'mongodb';
import type { Connection } from 'mongoose';
import { DEFAULT_TTL_SECONDS } from '../../../../shared/cache/cache-ttl.js';
import { QueryCache } from '../../../../shared/cache/query-cache.js';
import { money, toCents } from '../../../../shared/money/money.js';
import { READ_CONNECTION } from '../../../../shared/persistence/connections.js';
import { PRODUCT_SEARCH_FAMILY } from '../../projections/product-catalog/product-cache-keys.js';
import type { ProductCatalogDocument } from '../../projections/product-catalog/product-catalog.schema.js';
import { LISTED, productCatalog, toProductResponse } from '../product.response.dto.js';
import {
  SearchProductsQuery,
  type ProductSearchCriteria,
  type ProductSearchResult,
} from './search-products.query.js';

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function searchFilter(c: ProductSearchCriteria): Filter<ProductCatalogDocument> {
  const filter: Filter<ProductCatalogDocument> = { ...LISTED, status: 'active' };
  if (c.q !== undefined) filter.$text = { $search: c.q };
  if (c.category !== undefined) {
    filter.categoryPath = { $regex: `^${escapeRegex(c.category.join('/'))}(/|$)` };
  }
  if (c.brand !== undefined) filter.brand = c.brand;
  if (c.minPrice !== undefined || c.maxPrice !== undefined) {
    const range: { $gte?: Decimal128; $lte?: Decimal128 } = {};
    if (c.minPrice !== undefined) range.$gte = Decimal128.fromString(toCents(money(c.minPrice)).toFixed(2));
    if (c.maxPrice !== undefined) range.$lte = Decimal128.fromString(toCents(money(c.maxPrice)).toFixed(2));
    filter.price = range;
  }
  if (c.inStock !== undefined) filter.inStock = c.inStock;
  if (c.features !== undefined && c.features.length > 0) filter.features = { $all: c.features };
  return filter;
}

export function searchSort(c: ProductSearchCriteria): Sort {
  const dir = c.order === 'asc' ? 1 : -1;
  switch (c.sortBy) {
    case 'relevance':
      return { score: { $meta: 'textScore' }, _id: 1 };
    case 'price':
      return { price: dir, _id: 1 };
    case 'popularity':
      return { 'metrics.popularityScore': dir, _id: 1 };
    case 'rating':
      return { 'metrics.averageRating': dir, 'metrics.reviewCount': dir, _id: 1 };
    case 'trending':
      return { 'metrics.trendingScore': dir, _id: 1 };
    case 'newest':
      return { createdAt: dir, _id: 1 };
  }
}

/** Reads `product_catalog` only; cached per distinct criteria in the `products:search` family. */
@QueryHandler(SearchProductsQuery)
export class SearchProductsHandler implements IQueryHandler<SearchProductsQuery> {
  constructor(
    @InjectConnection(READ_CONNECTION) private readonly connection: Connection,
    private readonly cache: QueryCache,
  ) {}

  execute({ criteria, bypassCache }: SearchProductsQuery): Promise<ProductSearchResult> {
    if (bypassCache) return this.load(criteria);
    return this.cache.getOrLoad(
      PRODUCT_SEARCH_FAMILY,
      DEFAULT_TTL_SECONDS,
      () => this.load(criteria),
      JSON.stringify(criteria, Object.keys(criteria).sort()),
    );
  }

  private async load(c: ProductSearchCriteria): Promise<ProductSearchResult> {
    const products = productCatalog(this.connection);
    const filter = searchFilter(c);
    const text = c.q !== undefined;
    const [docs, total] = await Promise.all([
      products
        .find(filter, text ? { projection: { score: { $meta: 'textScore' } } } : {})
        .sort(searchSort(c))
        .skip(c.offset)
        .limit(c.limit)
        .toArray(),
      products.countDocuments(filter),
    ]);
    return {
      items: docs.map((d) => {
        const item = toProductResponse(d);
        const score = (d as ProductCatalogDocument & { score?: number }).score;
        return text && typeof score === 'number' ? { ...item, score: Math.round(score * 1e6) / 1e6 } : item;
      }),
      pagination: { total, limit: c.limit, offset: c.offset, pages: Math.ceil(total / c.limit) },
    };
  }
}
