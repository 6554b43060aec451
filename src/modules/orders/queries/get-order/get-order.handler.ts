import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ttlForOrderStatus } from '../../../../shared/cache/cache-ttl.js';
import { jsonAnswer } from '../../../../shared/http/json-answer.js';
import { toOrderResponse, type OrderResponseDto } from '../order.response.dto.js';
import { OrderQueryCache } from '../order-query-cache.js';
import { OrdersReadRepository } from '../orders-read.repository.js';
import { GetOrderQuery, mayViewOrder, type OrderAnswer } from './get-order.query.js';

/** The order's answer as it is cached (serialized once, here). */
export function orderAnswer(order: OrderResponseDto): OrderAnswer {
  return { ...jsonAnswer(order), customerId: order.customer.customerId, status: order.status };
}

/** The cache key of one order's answer (the orders_read projection invalidates it). */
export const orderAnswerKey = (orderId: string): string => `orders:${orderId}`;

/**
 * Cache first: the order's answer under `orders:<orderId>`, kept for its status' TTL. Another
 * customer's order is answered exactly like a missing one (null). `cache-only` reads nothing else.
 */
@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery> {
  constructor(
    private readonly repo: OrdersReadRepository,
    private readonly cache: OrderQueryCache,
  ) {}

  async execute(q: GetOrderQuery): Promise<OrderAnswer | null> {
    const answer =
      q.source === 'cache-only'
        ? await this.cache.peek<OrderAnswer>(orderAnswerKey(q.orderId))
        : await this.load(q);
    if (!answer || !mayViewOrder(q.viewer, answer)) return null;
    return answer;
  }

  private load(q: GetOrderQuery): Promise<OrderAnswer | undefined> {
    return this.cache.load(
      orderAnswerKey(q.orderId),
      (a: OrderAnswer | undefined) => ttlForOrderStatus(a?.status),
      async () => {
        const doc = await this.repo.findOrder({ _id: q.orderId });
        return doc ? orderAnswer(toOrderResponse(doc)) : undefined;
      },
      { bypass: q.source === 'read-model' },
    );
  }
}
