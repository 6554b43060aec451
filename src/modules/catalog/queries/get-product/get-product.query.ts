import { Query } from '@nestjs/cqrs';
import type { ProductResponseDto } from '../product.response.dto.js';

/** One product from `product_catalog` (any status), or null when unknown. */
export class GetProductQuery extends Query<ProductResponseDto | null> {
  constructor(
    readonly productId: string,
    /** Read `product_catalog` directly (read-your-writes), not the cache. */
    readonly bypassCache = false,
  ) {
    super();
  }
}
