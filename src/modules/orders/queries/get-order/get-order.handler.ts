import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { OrdersReadDoc } from '../../projections/orders-read/orders-read.evolve.js';
import { OrdersReadRepository } from '../orders-read.repository.js';
import { GetOrderQuery } from './get-order.query.js';

/** Another customer's order is answered exactly like a missing one (null), so nothing leaks. */
@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery> {
  constructor(private readonly repo: OrdersReadRepository) {}

  execute(q: GetOrderQuery): Promise<OrdersReadDoc | null> {
    if (q.viewer.role === 'admin') return this.repo.findOrder({ _id: q.orderId });
    if (!q.viewer.customerId) return Promise.resolve(null);
    return this.repo.findOrder({ _id: q.orderId, 'customer.customerId': q.viewer.customerId });
  }
}
