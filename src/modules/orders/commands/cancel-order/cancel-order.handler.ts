import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { orderNotFound } from '../../orders.errors.js';
import type { OrderCommandResult } from '../command-accepted.response.dto.js';
import { OrderTransition } from '../order-transition.js';
import { CancelOrderCommand } from './cancel-order.command.js';

@CommandHandler(CancelOrderCommand)
export class CancelOrderHandler implements ICommandHandler<CancelOrderCommand, OrderCommandResult> {
  constructor(private readonly transition: OrderTransition) {}

  /** A cancellation always gives stock back, so it always queues on the order's products. */
  execute(cmd: CancelOrderCommand): Promise<OrderCommandResult> {
    const ctx = { correlationId: cmd.correlationId, now: cmd.options.at ?? new Date() };
    const by = cmd.requestedBy.role === 'admin' ? 'admin' : 'customer';
    return this.transition.run({
      orderId: cmd.orderId,
      correlationId: cmd.correlationId,
      change: (order) => {
        // Another customer's order is "not found": the answer must not reveal that it exists.
        if (by === 'customer' && order.state.customerId !== cmd.requestedBy.customerId)
          throw orderNotFound(cmd.orderId);
        order.cancel(ctx, { by, reason: cmd.reason, expectedVersion: cmd.expectedVersion });
      },
      movesStock: () => true,
    });
  }
}
