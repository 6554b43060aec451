import { ApiTags } from '@nestjs/swagger';
import { Controller, Get, Query as QueryParams, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { Public } from '../../../../shared/auth/auth.decorators.js';
import { ProductReadYourWrites } from '../product-read-your-writes.js';
import type { ProductResponseDto } from '../product.response.dto.js';
import { TrendingProductsQuery } from './trending-products.query.js';
import { TrendingProductsRequestDto } from './trending-products.request.dto.js';
import { ApiRead } from '../../../../shared/http/api-docs.js';
import { TRENDING_PRODUCTS_RESPONSE_SCHEMA } from '../product.response.schema.js';

/** GET /api/products/trending (public): top N by trendingScore (README: formula). */
@ApiTags('catalog')
@Controller('api/products')
export class TrendingProductsHttpController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly consistency: ProductReadYourWrites,
  ) {}

  @Public()
  @ApiRead('Trending products (public)', [400], {
    description: 'Top N by trendingScore, optionally within a category path.',
    schema: TRENDING_PRODUCTS_RESPONSE_SCHEMA,
  })
  @Get('trending')
  async trending(
    @QueryParams() p: TrendingProductsRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ items: ProductResponseDto[] }> {
    const bypassCache = await this.consistency.forRequest(req, res);
    const category = p.category
      ?.split('/')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    return this.queryBus.execute(
      new TrendingProductsQuery(
        p.limit ?? 10,
        category && category.length > 0 ? category : undefined,
        bypassCache,
      ),
    );
  }
}
