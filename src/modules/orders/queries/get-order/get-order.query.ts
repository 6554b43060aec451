import { Query } from '@nestjs/cqrs';
import type { Principal } from '../../../../shared/auth/jwt.js';
import type { OrdersReadDoc } from '../../projections/orders-read/orders-read.evolve.js';

/** One order as `orders_read` has it, if the viewer may see it (an admin, or the owning customer). */
export class GetOrderQuery extends Query<OrdersReadDoc | null> {
  constructor(
    readonly orderId: string,
    readonly viewer: Principal,
  ) {
    super();
  }
}
