import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { OrderCommandResult } from '../command-accepted.response.dto.js';
import { OrderTransition } from '../order-transition.js';
import { movesStock } from '../stock-effects.js';
import { UpdateOrderStatusCommand } from './update-order-status.command.js';

@CommandHandler(UpdateOrderStatusCommand)
export class UpdateOrderStatusHandler implements ICommandHandler<
  UpdateOrderStatusCommand,
  OrderCommandResult
> {
  constructor(private readonly transition: OrderTransition) {}

  /** Only a transition that moves stock (see movesStock) queues on the order's products. */
  execute(cmd: UpdateOrderStatusCommand): Promise<OrderCommandResult> {
    const ctx = { correlationId: cmd.correlationId, now: cmd.options.at ?? new Date() };
    return this.transition.run({
      orderId: cmd.orderId,
      correlationId: cmd.correlationId,
      change: (order) => order.changeStatus(cmd.status, cmd.expectedVersion, ctx),
      movesStock: (order) => movesStock(order.state.status),
    });
  }
}
