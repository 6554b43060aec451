import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Controller, Get, Param, Query as QueryParams, Req, Res, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { AppError } from '../../../../shared/errors/app-error.js';
import { CustomerAccessGuard } from '../../../customers/commands/customer-access.guard.js';
import { CUSTOMER_ID_PATTERN } from '../../../customers/customers.public.js';
import { orderListJson } from '../order.response.dto.js';
import { sendsJson } from '../../../../shared/http/json-answer.js';
import { ReadYourWrites } from '../read-your-writes.js';
import { ListCustomerOrdersQuery } from './list-customer-orders.query.js';
import { ListCustomerOrdersRequestDto } from './list-customer-orders.request.dto.js';
import { ApiRead } from '../../../../shared/http/api-docs.js';
import { ORDER_LIST_RESPONSE_SCHEMA } from '../order.response.schema.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Inclusive bounds; a date-only `toDate` means the end of that UTC day. */
export function dateBounds(fromDate?: string, toDate?: string): { from?: Date; to?: Date } {
  const from = fromDate === undefined ? undefined : new Date(fromDate);
  let to: Date | undefined;
  if (toDate !== undefined) {
    to = new Date(toDate);
    if (DATE_ONLY.test(toDate)) to = new Date(to.getTime() + 86_400_000 - 1);
  }
  if (from && to && from > to)
    throw new AppError('REQUEST.VALIDATION_FAILED', 400, 'Validation failed for fromDate', [
      { field: 'fromDate', errors: ['fromDate must not be after toDate'] },
    ]);
  return { from, to };
}

/** GET /api/customers/:id/orders: the customer themselves or an admin (403 for another customer). */
@ApiTags('orders')
@ApiBearerAuth('bearer')
@Controller('api/customers')
export class ListCustomerOrdersHttpController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly consistency: ReadYourWrites,
  ) {}

  @ApiRead("List a customer's orders (the customer or an admin)", [400, 401, 403], {
    schema: ORDER_LIST_RESPONSE_SCHEMA,
  })
  @Get(':id/orders')
  @UseGuards(CustomerAccessGuard)
  async list(
    @Param('id') customerId: string,
    @QueryParams() params: ListCustomerOrdersRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    if (!CUSTOMER_ID_PATTERN.test(customerId))
      throw new AppError('REQUEST.VALIDATION_FAILED', 400, 'Validation failed for id', [
        { field: 'id', errors: ['id must be a customer id (cus_<uuid>)'] },
      ]);
    const { from, to } = dateBounds(params.fromDate, params.toDate);
    const consistency = await this.consistency.forRequest(req, res);
    const page = await this.queryBus.execute(
      new ListCustomerOrdersQuery(
        customerId,
        {
          status: params.status,
          from,
          to,
          sort: params.sort,
          order: params.order,
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
