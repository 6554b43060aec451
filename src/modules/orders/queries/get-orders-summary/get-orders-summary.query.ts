import { Query } from '@nestjs/cqrs';
import type { OrdersSummaryResponseDto } from '../order.response.dto.js';

/**
 * The `orders_summary` of one UTC day (all zeros when no order was placed that day).
 * `bypassCache`: read the read model directly (the request waited for a consistency token).
 */
export class GetOrdersSummaryQuery extends Query<OrdersSummaryResponseDto> {
  constructor(
    readonly day: string,
    readonly bypassCache = false,
  ) {
    super();
  }
}
