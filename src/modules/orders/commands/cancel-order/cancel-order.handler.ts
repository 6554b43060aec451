import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KeyedMutex } from '../../../../shared/persistence/keyed-mutex.js';
import { restartAfterLockWait } from '../../../../shared/persistence/restart-transaction.js';
import { UnitOfWork } from '../../../../shared/persistence/unit-of-work.js';
import { InventoryService } from '../../../catalog/catalog.public.js';
import { orderNotFound } from '../../orders.errors.js';
import { OrderRepository } from '../../persistence/order.repository.js';
import type { OrderCommandResult } from '../command-accepted.response.dto.js';
import { applyStockEffect } from '../stock-effects.js';
import { CancelOrderCommand } from './cancel-order.command.js';

@CommandHandler(CancelOrderCommand)
export class CancelOrderHandler implements ICommandHandler<CancelOrderCommand, OrderCommandResult> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly productLocks: KeyedMutex,
    private readonly inventory: InventoryService,
    private readonly orders: OrderRepository,
  ) {}

  /**
   * Queued with the other commands on the order's products (KeyedMutex), not racing them: the
   * products are known from the order, read first in the transaction; free locks are taken at
   * once, after waiting for one the transaction starts over (see UpdateOrderStatusHandler).
   */
  async execute(cmd: CancelOrderCommand): Promise<OrderCommandResult> {
    const locks = this.productLocks.scope();
    const ctx = { correlationId: cmd.correlationId, now: cmd.options.at ?? new Date() };
    const by = cmd.requestedBy.role === 'admin' ? 'admin' : 'customer';
    try {
      return await this.uow.run(async (session, writes) => {
        const order = await this.orders.load(cmd.orderId, session);
        // Another customer's order is "not found": the answer must not reveal that it exists.
        if (by === 'customer' && order.state.customerId !== cmd.requestedBy.customerId)
          throw orderNotFound(cmd.orderId);
        const loadedVersion = order.version;
        order.cancel(ctx, { by, reason: cmd.reason, expectedVersion: cmd.expectedVersion });
        if (!(await locks.take(order.state.items.map((i) => i.productId))))
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
