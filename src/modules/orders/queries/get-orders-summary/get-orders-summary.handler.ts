import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { OrdersSummaryDoc } from '../../projections/orders-summary/orders-summary.evolve.js';
import { OrdersReadRepository } from '../orders-read.repository.js';
import { GetOrdersSummaryQuery } from './get-orders-summary.query.js';

@QueryHandler(GetOrdersSummaryQuery)
export class GetOrdersSummaryHandler implements IQueryHandler<GetOrdersSummaryQuery> {
  constructor(private readonly repo: OrdersReadRepository) {}

  execute(q: GetOrdersSummaryQuery): Promise<OrdersSummaryDoc | null> {
    return this.repo.findSummary(q.day);
  }
}
