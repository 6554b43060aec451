import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Controller, Get, Query as QueryParams, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import type { OrdersSummaryResponseDto } from '../order.response.dto.js';
import { ReadYourWrites } from '../read-your-writes.js';
import { GetOrdersSummaryQuery } from './get-orders-summary.query.js';
import { GetOrdersSummaryRequestDto } from './get-orders-summary.request.dto.js';
import { ApiRead } from '../../../../shared/http/api-docs.js';
import { ORDERS_SUMMARY_RESPONSE_SCHEMA } from '../order.response.schema.js';

/** GET /api/analytics/orders-summary?date=YYYY-MM-DD (admin). A day without orders is all zeros. */
@ApiTags('analytics')
@ApiBearerAuth('bearer')
@Controller('api/analytics')
export class GetOrdersSummaryHttpController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly consistency: ReadYourWrites,
  ) {}

  @ApiRead('Orders summary of a day (admin)', [400, 401, 403], {
    description: '`?date=YYYY-MM-DD`; a day without orders is all zeros.',
    schema: ORDERS_SUMMARY_RESPONSE_SCHEMA,
  })
  @Get('orders-summary')
  @Roles('admin')
  async summary(
    @QueryParams() params: GetOrdersSummaryRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OrdersSummaryResponseDto> {
    const consistency = await this.consistency.forRequest(req, res, 'orders_summary');
    return this.queryBus.execute(new GetOrdersSummaryQuery(params.date, consistency !== null));
  }
}
