import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KeyedMutex } from '../../../../shared/persistence/keyed-mutex.js';
import { restartAfterLockWait } from '../../../../shared/persistence/restart-transaction.js';
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

  /**
   * A transition that moves stock queues with the other commands on the order's products
   * (KeyedMutex), not racing them. The products are known from the order, read first in the
   * transaction: free locks are taken at once; after waiting for one, the transaction starts over
   * (its snapshot predates the holder's commit). Round trips: the order, its products, one write
   * batch, the commit.
   */
  async execute(cmd: UpdateOrderStatusCommand): Promise<OrderCommandResult> {
    const locks = this.productLocks.scope();
    const ctx = { correlationId: cmd.correlationId, now: cmd.options.at ?? new Date() };
    try {
      return await this.uow.run(async (session, writes) => {
        const order = await this.orders.load(cmd.orderId, session);
        const loadedVersion = order.version;
        order.changeStatus(cmd.status, cmd.expectedVersion, ctx);
        if (movesStock(order.state.status) && !(await locks.take(order.state.items.map((i) => i.productId))))
          throw restartAfterLockWait('waited for the products of the order');
        const stockEvents = await applyStockEffect(this.inventory, order, session, writes, cmd.correlationId);
        this.orders.stageSave(order, loadedVersion, writes);
        return {
          result: { id: order.id, version: order.version },
          events: [...order.pullEvents(), ...stockEvents],
        };
      });
    } finally {
      locks.release();
    }
  }
}
