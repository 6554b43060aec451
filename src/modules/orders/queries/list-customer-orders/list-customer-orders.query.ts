import { Query } from '@nestjs/cqrs';
import type { OrderStatus } from '../../orders.public.js';
import type { OrdersReadDoc } from '../../projections/orders-read/orders-read.evolve.js';

export interface OrderPage {
  items: OrdersReadDoc[];
  total: number;
}

/** A customer's orders, filtered, sorted and paged. `from` / `to` inclusive bounds on createdAt. */
export class ListCustomerOrdersQuery extends Query<OrderPage> {
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
  ) {
    super();
  }
}
