import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KeyedMutex } from '../../../../shared/persistence/keyed-mutex.js';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { InventoryService } from '../../../catalog/catalog.public.js';
import { OrderRepository } from '../../persistence/order.repository.js';
import type { OrderCommandResult } from '../command-accepted.response.dto.js';
import { applyStockEffect, movesStock } from '../stock-effects.js';
import { UpdateOrderStatusCommand } from './update-order-status.command.js';

@CommandHandler(UpdateOrderStatusCommand)
export class UpdateOrderStatusHandler implements ICommandHandler<
  UpdateOrderStatusCommand,
  OrderCommandResult
> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly productLocks: KeyedMutex,
    private readonly inventory: InventoryService,
    private readonly orders: OrderRepository,
  ) {}

  /** Queued with the other commands on the order's products (KeyedMutex), not racing them. */
  async execute(cmd: UpdateOrderStatusCommand): Promise<OrderCommandResult> {
    if (!movesStock(cmd.status)) return this.changeStatus(cmd);
    const productIds = await this.orders.productIdsOf(cmd.orderId);
    return this.productLocks.runExclusive(productIds, () => this.changeStatus(cmd));
  }

  private changeStatus(cmd: UpdateOrderStatusCommand): Promise<OrderCommandResult> {
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
