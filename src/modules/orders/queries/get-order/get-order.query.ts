import { Query } from '@nestjs/cqrs';
import type { Principal } from '../../../../shared/auth/jwt.js';
import type { JsonAnswer } from '../../../../shared/http/json-answer.js';
import type { OrderResponseDto } from '../order.response.dto.js';

/**
 * One order as `orders_read` has it, if the viewer may see it (an admin, or the owning customer).
 * `source`: `cache-first` (the default), `read-model` (bypass the cache: the request waited for a
 * consistency token), or `cache-only` (the HTTP fast lane: the cached answer or null, never a
 * read; null then only means "not answered from the cache").
 */
export type OrderSource = 'cache-first' | 'read-model' | 'cache-only';

export class GetOrderQuery extends Query<OrderAnswer | null> {
  constructor(
    readonly orderId: string,
    readonly viewer: Principal,
    readonly source: OrderSource = 'cache-first',
  ) {
    super();
  }
}

/**
 * The answer to GetOrderQuery as it is cached: the OrderResponseDto as JSON text, and the two facts
 * read without parsing it, the owner (who may see it) and the status (how long it is cached).
 */
export interface OrderAnswer extends JsonAnswer {
  readonly customerId: string;
  readonly status: OrderResponseDto['status'];
}

/** Whether `viewer` may see the order: an admin, or the customer who placed it. */
export function mayViewOrder(viewer: Principal, answer: Pick<OrderAnswer, 'customerId'>): boolean {
  return viewer.role === 'admin' || answer.customerId === viewer.customerId;
}
