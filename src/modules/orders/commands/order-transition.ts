import { Injectable } from '@nestjs/common';
import { KeyedMutex } from '../../../shared/persistence/keyed-mutex.js';
import { restartAfterLockWait } from '../../../shared/persistence/restart-transaction.js';
import { UnitOfWork } from '../../../shared/persistence/unit-of-work.js';
import { InventoryService } from '../../catalog/catalog.public.js';
import type { Order } from '../domain/order.aggregate.js';
import { OrderRepository } from '../persistence/order.repository.js';
import type { OrderCommandResult } from './command-accepted.response.dto.js';
import { applyStockEffect } from './stock-effects.js';

export interface OrderTransitionRequest {
  orderId: string;
  correlationId: string;
  /** Changes the loaded order (its own rules refuse what is not allowed, with an AppError). */
  change(order: Order): void;
  /** Whether the changed order moves stock, so that it queues on its products' locks. */
  movesStock(order: Order): boolean;
}

/**
 * One transition of an existing order (a status change, a cancellation) in one transaction: the
 * order, its change, the stock it moves, one write batch, the commit. A transition that moves
 * stock queues with the other commands on the order's products (KeyedMutex), not racing them.
 * The products are known from the order, read first in the transaction: free locks are taken at
 * once; after waiting for one, the transaction starts over (its snapshot predates the holder's
 * commit). Round trips: the order, its products, one write batch, the commit.
 */
@Injectable()
export class OrderTransition {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly productLocks: KeyedMutex,
    private readonly inventory: InventoryService,
    private readonly orders: OrderRepository,
  ) {}

  async run(req: OrderTransitionRequest): Promise<OrderCommandResult> {
    const locks = this.productLocks.scope();
    try {
      return await this.uow.run(async (session, writes) => {
        const order = await this.orders.load(req.orderId, session);
        const loadedVersion = order.version;
        req.change(order);
        if (req.movesStock(order) && !(await locks.take(order.state.items.map((i) => i.productId))))
          throw restartAfterLockWait('waited for the products of the order');
        const stockEvents = await applyStockEffect(this.inventory, order, session, writes, req.correlationId);
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
