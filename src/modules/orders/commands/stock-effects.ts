import type { ClientSession } from 'mongoose';
import type { DomainEvent } from '../../../shared/events/domain-event.js';
import type { WriteBatch } from '../../../shared/persistence/write-batch.js';
import type { InventoryService } from '../../catalog/catalog.public.js';
import type { Order } from '../domain/order.aggregate.js';

/**
 * What a status change does to the inventory, in the same transaction: shipping consumes the
 * reservation (reserved -= n), cancelling releases it (quantity += n, reserved -= n); the other
 * transitions leave stock alone. Together with placing (reserve) this keeps the invariant:
 * reserved = Σ quantities of the product in pending and confirmed orders.
 * Call it right after the order's status changed (it reads the new status). The product updates
 * are staged in the transaction's `writes`. Returns the catalog's events, which the caller appends
 * with the order's own.
 */
/** Whether moving an order to `status` changes stock (and so writes its products). */
export const movesStock = (status: Order['state']['status']): boolean =>
  status === 'shipped' || status === 'cancelled';

export async function applyStockEffect(
  inventory: InventoryService,
  order: Order,
  session: ClientSession,
  writes: WriteBatch,
  correlationId: string,
): Promise<DomainEvent<object>[]> {
  const items = order.state.items.map((i) => ({ productId: i.productId, quantity: i.quantity }));
  const context = { orderId: order.id, correlationId };
  switch (order.state.status) {
    case 'shipped':
      return (await inventory.consume(items, session, context, writes)).events;
    case 'cancelled':
      return (await inventory.release(items, session, context, writes)).events;
    default:
      return [];
  }
}
