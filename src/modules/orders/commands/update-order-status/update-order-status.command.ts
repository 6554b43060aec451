import { Command } from '@nestjs/cqrs';
import type { OrderStatus } from '../../domain/order.aggregate.js';
import type { OrderCommandResult } from '../command-accepted.response.dto.js';

/**
 * Move an order to another status (admin), if it is still at `expectedVersion`. Shipping consumes
 * the order's reserved stock and cancelling releases it, in the same transaction.
 */
export class UpdateOrderStatusCommand extends Command<OrderCommandResult> {
  constructor(
    readonly orderId: string,
    readonly status: OrderStatus,
    readonly expectedVersion: number,
    readonly correlationId: string,
    /** For the seed: a deterministic clock. */
    readonly options: { at?: Date } = {},
  ) {
    super();
  }
}
