import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { DEFAULT_TTL_SECONDS } from '../../../../shared/cache/cache-ttl.js';
import { QueryCache } from '../../../../shared/cache/query-cache.js';
import { READ_CONNECTION } from '../../../../shared/persistence/connections.js';
import { productCacheKey } from '../../projections/product-catalog/product-cache-keys.js';
import {
  LISTED,
  productCatalog,
  toProductResponse,
  type ProductResponseDto,
} from '../product.response.dto.js';
import { GetProductQuery } from './get-product.query.js';

@QueryHandler(GetProductQuery)
export class GetProductHandler implements IQueryHandler<GetProductQuery> {
  constructor(
    @InjectConnection(READ_CONNECTION) private readonly connection: Connection,
    private readonly cache: QueryCache,
  ) {}

  execute(query: GetProductQuery): Promise<ProductResponseDto | null> {
    const load = async (): Promise<ProductResponseDto | null> => {
      const doc = await productCatalog(this.connection).findOne({ ...LISTED, _id: query.productId });
      return doc ? toProductResponse(doc) : null;
    };
    if (query.bypassCache) return load();
    return this.cache.getOrLoad(productCacheKey(query.productId), DEFAULT_TTL_SECONDS, load);
  }
}
