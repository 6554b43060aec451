import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Controller, Get, Query as QueryParams, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { AppError } from '../../../../shared/errors/app-error.js';
import { money } from '../../../../shared/money/money.js';
import { orderListJson } from '../order.response.dto.js';
import { sendsJson } from '../../../../shared/http/json-answer.js';
import { ReadYourWrites } from '../read-your-writes.js';
import { SearchOrdersQuery } from './search-orders.query.js';
import { SearchOrdersRequestDto } from './search-orders.request.dto.js';
import { ApiRead } from '../../../../shared/http/api-docs.js';
import { ORDER_LIST_RESPONSE_SCHEMA } from '../order.response.schema.js';

/** GET /api/orders/search (admin). Registered before GET /api/orders/:id. */
@ApiTags('orders')
@ApiBearerAuth('bearer')
@Controller('api/orders')
export class SearchOrdersHttpController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly consistency: ReadYourWrites,
  ) {}

  @ApiRead('Search orders (admin)', [400, 401, 403], { schema: ORDER_LIST_RESPONSE_SCHEMA })
  @Get('search')
  @Roles('admin')
  async search(
    @QueryParams() params: SearchOrdersRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    if (
      params.minTotal !== undefined &&
      params.maxTotal !== undefined &&
      money(params.minTotal).gt(params.maxTotal)
    )
      throw new AppError('REQUEST.VALIDATION_FAILED', 400, 'Validation failed for minTotal', [
        { field: 'minTotal', errors: ['minTotal must not be greater than maxTotal'] },
      ]);
    const consistency = await this.consistency.forRequest(req, res);
    const page = await this.queryBus.execute(
      new SearchOrdersQuery(
        {
          q: params.q,
          status: params.status,
          minTotal: params.minTotal,
          maxTotal: params.maxTotal,
          limit: params.limit,
          offset: params.offset,
        },
        consistency !== null,
      ),
    );
    sendsJson(res);
    return orderListJson(page, params.limit, params.offset); // an OrderListResponseDto
  }
}
