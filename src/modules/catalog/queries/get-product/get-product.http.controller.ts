import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Public } from '../../../../shared/auth/auth.decorators.js';
import { invalidProductId, productNotFound } from '../../catalog.errors.js';
import { PRODUCT_ID_PATTERN } from '../../catalog.public.js';
import type { ProductResponseDto } from '../product.response.dto.js';
import { GetProductQuery } from './get-product.query.js';

/**
 * GET /api/products/:id (public): 400 CATALOG.INVALID_PRODUCT_ID for a malformed id, 404
 * CATALOG.PRODUCT_NOT_FOUND for an unknown one. Registered after search/trending so those paths
 * are not taken for ids.
 */
@Controller('api/products')
export class GetProductHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @Public()
  @Get(':id')
  async get(@Param('id') id: string): Promise<ProductResponseDto> {
    if (!PRODUCT_ID_PATTERN.test(id)) throw invalidProductId(id);
    const product = await this.queryBus.execute(new GetProductQuery(id));
    if (!product) throw productNotFound(id);
    return product;
  }
}
