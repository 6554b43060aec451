import { Query } from '@nestjs/cqrs';
import type { PaginationDto, ProductResponseDto } from '../product.response.dto.js';
import type { ProductSort } from './search-products.request.dto.js';

export interface ProductSearchCriteria {
  q?: string;
  /** Category path segments (prefix). */
  category?: string[];
  brand?: string;
  minPrice?: string;
  maxPrice?: string;
  inStock?: boolean;
  features?: string[];
  sortBy: ProductSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export interface ProductSearchResult {
  items: (ProductResponseDto & { score?: number })[];
  pagination: PaginationDto;
}

/** Active products of `product_catalog` matching every given criterion. */
export class SearchProductsQuery extends Query<ProductSearchResult> {
  constructor(
    readonly criteria: ProductSearchCriteria,
    /** Read `product_catalog` directly (read-your-writes), not the cache. */
    readonly bypassCache = false,
  ) {
    super();
  }
}
