import { Query } from '@nestjs/cqrs';
import type { Principal } from '../../../../shared/auth/jwt.js';
import type { JsonAnswer } from '../../../../shared/http/json-answer.js';
import type { OrderResponseDto } from '../order.response.dto.js';

/**
 * One order as `orders_read` has it, if the viewer may see it (an admin, or the owning customer).
 * `bypassCache`: read the read model directly (the request waited for a consistency token).
 */
export class GetOrderQuery extends Query<OrderAnswer | null> {
  constructor(
    readonly orderId: string,
    readonly viewer: Principal,
    readonly bypassCache = false,
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
