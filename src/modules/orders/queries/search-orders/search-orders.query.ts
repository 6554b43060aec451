import { Query } from '@nestjs/cqrs';
import type { OrderStatus } from '../../orders.public.js';
import type { OrderPageAnswer } from '../order.response.dto.js';

/** Orders matching a full-text query and filters (totals as exact decimal strings). */
export class SearchOrdersQuery extends Query<OrderPageAnswer> {
  constructor(
    readonly filter: {
      q?: string;
      status?: OrderStatus;
      minTotal?: string;
      maxTotal?: string;
      limit: number;
      offset: number;
    },
    /** Read the read model directly (the request waited for a consistency token). */
    readonly bypassCache = false,
  ) {
    super();
  }
}
