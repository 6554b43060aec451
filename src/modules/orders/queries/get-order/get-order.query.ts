import { Query } from '@nestjs/cqrs';
import type { Principal } from '../../../../shared/auth/jwt.js';
import type { OrderResponseDto } from '../order.response.dto.js';

/**
 * One order as `orders_read` has it, if the viewer may see it (an admin, or the owning customer).
 * `bypassCache`: read the read model directly (the request waited for a consistency token).
 */
export class GetOrderQuery extends Query<OrderResponseDto | null> {
  constructor(
    readonly orderId: string,
    readonly viewer: Principal,
    readonly bypassCache = false,
  ) {
    super();
  }
}
