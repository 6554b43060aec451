import { Query } from '@nestjs/cqrs';
import type { OrdersSummaryDoc } from '../../projections/orders-summary/orders-summary.evolve.js';

/** The `orders_summary` document of one UTC day (null: no order was placed that day). */
export class GetOrdersSummaryQuery extends Query<OrdersSummaryDoc | null> {
  constructor(readonly day: string) {
    super();
  }
}
