import { ApiTags } from '@nestjs/swagger';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { Public } from '../../../../shared/auth/auth.decorators.js';
import { invalidProductId, productNotFound } from '../../catalog.errors.js';
import { PRODUCT_ID_PATTERN } from '../../catalog.public.js';
import { ProductReadYourWrites } from '../product-read-your-writes.js';
import type { ProductResponseDto } from '../product.response.dto.js';
import { GetProductQuery } from './get-product.query.js';
import { ApiRead } from '../../../../shared/http/api-docs.js';
import { PRODUCT_RESPONSE_SCHEMA } from '../product.response.schema.js';

/**
 * GET /api/products/:id (public): 400 CATALOG.INVALID_PRODUCT_ID for a malformed id, 404
 * CATALOG.PRODUCT_NOT_FOUND for an unknown one. Registered after search/trending so those paths
 * are not taken for ids.
 */
@ApiTags('catalog')
@Controller('api/products')
export class GetProductHttpController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly consistency: ProductReadYourWrites,
  ) {}

  @Public()
  @ApiRead('Get a product (public)', [400, 404], {
    description:
      '400 CATALOG.INVALID_PRODUCT_ID for a malformed id, 404 CATALOG.PRODUCT_NOT_FOUND for an unknown one.',
    schema: PRODUCT_RESPONSE_SCHEMA,
  })
  @Get(':id')
  async get(
    @Param('id') id: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ProductResponseDto> {
    if (!PRODUCT_ID_PATTERN.test(id)) throw invalidProductId(id);
    const bypassCache = await this.consistency.forRequest(req, res);
    const product = await this.queryBus.execute(new GetProductQuery(id, bypassCache));
    if (!product) throw productNotFound(id);
    return product;
  }
}
