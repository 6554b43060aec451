import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DEFAULT_TTL_SECONDS, ttlForOrderStatus } from '../../../../shared/cache/cache-ttl.js';
import { toOrderResponse, type OrderResponseDto } from '../order.response.dto.js';
import { OrderQueryCache } from '../order-query-cache.js';
import { OrdersReadRepository } from '../orders-read.repository.js';
import { GetOrderQuery } from './get-order.query.js';

/**
 * Cache first: the order's status (to choose the TTL by status) and then the order, both under
 * `orders:<orderId>`. Another customer's order is answered exactly like a missing one (null).
 */
@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery> {
  constructor(
    private readonly repo: OrdersReadRepository,
    private readonly cache: OrderQueryCache,
  ) {}

  async execute(q: GetOrderQuery): Promise<OrderResponseDto | null> {
    const key = `orders:${q.orderId}`;
    const bypass = q.bypassCache;
    const status = await this.cache.load(key, DEFAULT_TTL_SECONDS, () => this.repo.orderStatus(q.orderId), {
      variant: 'status',
      bypass,
    });
    if (status === undefined) return null;
    const order = await this.cache.load(
      key,
      ttlForOrderStatus(status),
      async () => {
        const doc = await this.repo.findOrder({ _id: q.orderId });
        return doc ? toOrderResponse(doc) : undefined;
      },
      { bypass },
    );
    if (!order) return null;
    if (q.viewer.role !== 'admin' && order.customer.customerId !== q.viewer.customerId) return null;
    return order;
  }
}
