import { Command } from '@nestjs/cqrs';
import type { OrderCommandResult } from '../command-accepted.response.dto.js';

export interface PlaceOrderItem {
  productId: string;
  quantity: number;
}

/**
 * Place an order for a customer: in one transaction, check the customer and both addresses,
 * reserve the stock of every line, compute the totals and insert the order (version 1).
 */
export class PlaceOrderCommand extends Command<OrderCommandResult> {
  constructor(
    readonly customerId: string,
    readonly items: PlaceOrderItem[],
    readonly shippingAddressId: string,
    readonly billingAddressId: string,
    readonly correlationId: string,
    /** For the seed: a deterministic id and clock. The HTTP API always leaves both unset. */
    readonly options: { orderId?: string; placedAt?: Date } = {},
  ) {
    super();
  }
}
