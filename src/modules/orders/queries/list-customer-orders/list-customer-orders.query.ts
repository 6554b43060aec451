import { Query } from '@nestjs/cqrs';
import type { OrderStatus } from '../../orders.public.js';
import type { OrderPageAnswer } from '../order.response.dto.js';

/** A customer's orders, filtered, sorted and paged. `from` / `to` inclusive bounds on createdAt. */
export class ListCustomerOrdersQuery extends Query<OrderPageAnswer> {
  constructor(
    readonly customerId: string,
    readonly filter: {
      status?: OrderStatus;
      from?: Date;
      to?: Date;
      sort: 'createdAt' | 'total';
      order: 'asc' | 'desc';
      limit: number;
      offset: number;
    },
    /** Read the read model directly (the request waited for a consistency token). */
    readonly bypassCache = false,
  ) {
    super();
  }
}
