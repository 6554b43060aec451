import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { DEFAULT_TTL_SECONDS } from '../../../../shared/cache/cache-ttl.js';
import { QueryCache } from '../../../../shared/cache/query-cache.js';
import { READ_CONNECTION } from '../../../../shared/persistence/connections.js';
import { PRODUCT_TRENDING_FAMILY } from '../../projections/product-catalog/product-cache-keys.js';
import { productCatalog, toProductResponse, type ProductResponseDto } from '../product.response.dto.js';
import { searchFilter } from '../search-products/search-products.handler.js';
import { TrendingProductsQuery } from './trending-products.query.js';

@QueryHandler(TrendingProductsQuery)
export class TrendingProductsHandler implements IQueryHandler<TrendingProductsQuery> {
  constructor(
    @InjectConnection(READ_CONNECTION) private readonly connection: Connection,
    private readonly cache: QueryCache,
  ) {}

  execute(q: TrendingProductsQuery): Promise<{ items: ProductResponseDto[] }> {
    const variant = JSON.stringify({ limit: q.limit, category: q.category ?? null });
    const load = async (): Promise<{ items: ProductResponseDto[] }> => {
      const filter = {
        ...searchFilter({
          category: q.category,
          sortBy: 'trending',
          order: 'desc',
          limit: q.limit,
          offset: 0,
        }),
        'metrics.trendingScore': { $gt: 0 },
      };
      const docs = await productCatalog(this.connection)
        .find(filter)
        .sort({ 'metrics.trendingScore': -1, _id: 1 })
        .limit(q.limit)
        .toArray();
      return { items: docs.map(toProductResponse) };
    };
    if (q.bypassCache) return load();
    return this.cache.getOrLoad(PRODUCT_TRENDING_FAMILY, DEFAULT_TTL_SECONDS, load, variant);
  }
}
