import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Controller, Get, Optional, Param, Req, Res, type OnModuleInit } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../../../../shared/auth/auth.decorators.js';
import type { Principal } from '../../../../shared/auth/jwt.js';
import { orderNotFound } from '../../orders.errors.js';
import { ReadYourWrites } from '../read-your-writes.js';
import { CachedRoutes } from '../../../../shared/cache/cached-routes.js';
import { GetOrderQuery } from './get-order.query.js';
import { ApiRead } from '../../../../shared/http/api-docs.js';
import { sendsJson } from '../../../../shared/http/json-answer.js';
import { ORDER_RESPONSE_SCHEMA } from '../order.response.schema.js';

export const ORDER_ID_PATTERN = /^ord_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The route's path with a well-formed order id (the fast lane's pattern: anything else is not its). */
const CACHED_PATH = new RegExp(`^/api/orders/(${ORDER_ID_PATTERN.source.slice(1, -1)})$`);

/**
 * GET /api/orders/:id: the owning customer or an admin; anyone else gets 404 ORDERS.NOT_FOUND.
 * Registered as a cached route too: a cached answer the caller may see is served by the HTTP fast
 * lane (src/shared/http/fast-lane.ts) before this controller; everything else comes here.
 */
@ApiTags('orders')
@ApiBearerAuth('bearer')
@Controller('api/orders')
export class GetOrderHttpController implements OnModuleInit {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly consistency: ReadYourWrites,
    @Optional() private readonly cachedRoutes?: CachedRoutes,
  ) {}

  onModuleInit(): void {
    this.cachedRoutes?.register({
      path: CACHED_PATH,
      answer: async (id, viewer) =>
        (await this.queryBus.execute(new GetOrderQuery(id, viewer, 'cache-only'))) ?? undefined,
    });
  }

  @ApiRead('Get an order (its customer or an admin)', [400, 401, 404], {
    description:
      "Anyone else gets 404 ORDERS.NOT_FOUND. `X-Consistency-Token` waits for the read model to reach a command's version.",
    schema: ORDER_RESPONSE_SCHEMA,
  })
  @Get(':id')
  async getOrder(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    if (!ORDER_ID_PATTERN.test(id)) throw orderNotFound(id);
    const consistency = await this.consistency.forRequest(req, res);
    const source = consistency !== null ? 'read-model' : 'cache-first';
    const answer = await this.queryBus.execute(new GetOrderQuery(id, principal, source));
    if (!answer) throw orderNotFound(id);
    sendsJson(res);
    return answer.json; // the OrderResponseDto, serialized when it was cached
  }
}
