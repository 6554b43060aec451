import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { InventoryService } from '../../../catalog/catalog.public.js';
import { OrderRepository } from '../../persistence/order.repository.js';
import type { OrderCommandResult } from '../command-accepted.response.dto.js';
import { applyStockEffect } from '../stock-effects.js';
import { UpdateOrderStatusCommand } from './update-order-status.command.js';

@CommandHandler(UpdateOrderStatusCommand)
export class UpdateOrderStatusHandler implements ICommandHandler<
  UpdateOrderStatusCommand,
  OrderCommandResult
> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly inventory: InventoryService,
    private readonly orders: OrderRepository,
  ) {}

  execute(cmd: UpdateOrderStatusCommand): Promise<OrderCommandResult> {
    const ctx = { correlationId: cmd.correlationId, now: cmd.options.at ?? new Date() };
    return this.uow.run(async (session) => {
      const order = await this.orders.load(cmd.orderId, session);
      const loadedVersion = order.version;
      order.changeStatus(cmd.status, cmd.expectedVersion, ctx);
      const stockEvents = await applyStockEffect(this.inventory, order, session, cmd.correlationId);
      await this.orders.save(order, loadedVersion, session);
      return {
        result: { id: order.id, version: order.version },
        events: [...order.pullEvents(), ...stockEvents],
      };
    });
  }
}
