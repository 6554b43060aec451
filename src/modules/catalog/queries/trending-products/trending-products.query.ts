import { Query } from '@nestjs/cqrs';
import type { ProductResponseDto } from '../product.response.dto.js';

/** The top `limit` active products by trendingScore (only products with any activity). */
export class TrendingProductsQuery extends Query<{ items: ProductResponseDto[] }> {
  constructor(
    readonly limit: number,
    readonly category?: string[],
    /** Read `product_catalog` directly (read-your-writes), not the cache. */
    readonly bypassCache = false,
  ) {
    super();
  }
}
