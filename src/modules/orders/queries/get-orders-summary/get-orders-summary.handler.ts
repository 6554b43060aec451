import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DEFAULT_TTL_SECONDS } from '../../../../shared/cache/cache-ttl.js';
import { summarize } from '../../projections/orders-summary/orders-summary.evolve.js';
import { toSummaryResponse, type OrdersSummaryResponseDto } from '../order.response.dto.js';
import { OrderQueryCache } from '../order-query-cache.js';
import { OrdersReadRepository } from '../orders-read.repository.js';
import { GetOrdersSummaryQuery } from './get-orders-summary.query.js';

/** Cache first under `orders-summary:<day>`. */
@QueryHandler(GetOrdersSummaryQuery)
export class GetOrdersSummaryHandler implements IQueryHandler<GetOrdersSummaryQuery> {
  constructor(
    private readonly repo: OrdersReadRepository,
    private readonly cache: OrderQueryCache,
  ) {}

  execute(q: GetOrdersSummaryQuery): Promise<OrdersSummaryResponseDto> {
    return this.cache.load(
      `orders-summary:${q.day}`,
      DEFAULT_TTL_SECONDS,
      async () => toSummaryResponse((await this.repo.findSummary(q.day)) ?? summarize(q.day, [])),
      { bypass: q.bypassCache },
    );
  }
}
