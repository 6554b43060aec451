import { ApiTags } from '@nestjs/swagger';
import { Controller, Get, Query as QueryParams, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { Public } from '../../../../shared/auth/auth.decorators.js';
import { badRequest } from '../../../../shared/errors/app-error.js';
import { money } from '../../../../shared/money/money.js';
import { ProductReadYourWrites } from '../product-read-your-writes.js';
import { SearchProductsQuery, type ProductSearchResult } from './search-products.query.js';
import { SearchProductsRequestDto } from './search-products.request.dto.js';
import { ApiRead } from '../../../../shared/http/api-docs.js';
import { PRODUCT_SEARCH_RESPONSE_SCHEMA } from '../product.response.schema.js';

/**
 * GET /api/products/search (public): active products, filtered by every given parameter, sorted
 * and paginated. Bad parameters -> 400 REQUEST.VALIDATION_FAILED (or CATALOG.INVALID_SEARCH for
 * combinations: minPrice > maxPrice, sortBy=relevance without q).
 */
@ApiTags('catalog')
@Controller('api/products')
export class SearchProductsHttpController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly consistency: ProductReadYourWrites,
  ) {}

  @Public()
  @ApiRead('Search active products (public)', [400], {
    description:
      'Filtered by every given parameter, sorted and paginated. 400 REQUEST.VALIDATION_FAILED, or CATALOG.INVALID_SEARCH for minPrice > maxPrice or sortBy=relevance without q.',
    schema: PRODUCT_SEARCH_RESPONSE_SCHEMA,
  })
  @Get('search')
  async search(
    @QueryParams() p: SearchProductsRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ProductSearchResult> {
    if (p.minPrice !== undefined && p.maxPrice !== undefined && money(p.minPrice).gt(money(p.maxPrice))) {
      throw badRequest('CATALOG.INVALID_SEARCH', 'minPrice must not be greater than maxPrice', {
        minPrice: p.minPrice,
        maxPrice: p.maxPrice,
      });
    }
    const q = p.q?.trim() || undefined;
    if (p.sortBy === 'relevance' && q === undefined) {
      throw badRequest('CATALOG.INVALID_SEARCH', 'sortBy=relevance needs a search text q');
    }
    const sortBy = p.sortBy ?? (q !== undefined ? 'relevance' : 'popularity');
    const bypassCache = await this.consistency.forRequest(req, res);
    const category = p.category
      ?.split('/')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    return this.queryBus.execute(
      new SearchProductsQuery(
        {
          q,
          category: category && category.length > 0 ? category : undefined,
          brand: p.brand,
          minPrice: p.minPrice,
          maxPrice: p.maxPrice,
          inStock: p.inStock === undefined ? undefined : p.inStock === 'true',
          features: p.features && p.features.length > 0 ? [...new Set(p.features)].sort() : undefined,
          sortBy,
          order: p.order ?? (sortBy === 'price' ? 'asc' : 'desc'),
          limit: p.limit ?? 20,
          offset: p.offset ?? 0,
        },
        bypassCache,
      ),
    );
  }
}
