import { Controller, Get, Query as QueryParams } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Public } from '../../../../shared/auth/auth.decorators.js';
import type { ProductResponseDto } from '../product.response.dto.js';
import { TrendingProductsQuery } from './trending-products.query.js';
import { TrendingProductsRequestDto } from './trending-products.request.dto.js';

/** GET /api/products/trending (public): top N by trendingScore (README: formula). */
@Controller('api/products')
export class TrendingProductsHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @Public()
  @Get('trending')
  trending(@QueryParams() p: TrendingProductsRequestDto): Promise<{ items: ProductResponseDto[] }> {
    const category = p.category
      ?.split('/')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    return this.queryBus.execute(
      new TrendingProductsQuery(p.limit ?? 10, category && category.length > 0 ? category : undefined),
    );
  }
}
