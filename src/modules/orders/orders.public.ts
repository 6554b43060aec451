/**
 * The public surface of the orders context: what other modules (catalog, read side, seed) may
 * import from `src/modules/orders/`, besides `orders.module.ts` itself.
 *
 * Events (aggregateType 'order', aggregateId = orderId, one event per version, version 1 = placed):
 * - `orders.order-placed`    everything a read model needs: lines with the product snapshot
 *                            (sku, name, brand, category, imageUrl, priceAtOrder, subtotal), amounts
 *                            as exact decimal strings, tax rate, customer and both address snapshots.
 * - `orders.order-confirmed`, `orders.order-shipped`, `orders.order-delivered`,
 *   `orders.order-cancelled` (+ cancelledBy, reason): one type per transition, all with the
 *   OrderStatusChangedPayload (previousStatus, status, items {productId, quantity}, total, ...).
 *   There is no generic "status changed" type.
 * A placement also appends the catalog's `catalog.stock-reserved` events, shipping
 * `catalog.stock-consumed`, cancelling `catalog.stock-released`, in the same transaction.
 *
 * Commands (through the CommandBus): PlaceOrderCommand, UpdateOrderStatusCommand,
 * CancelOrderCommand; each returns `{ id, version }`.
 */
import { OrderCancelledEvent } from './domain/events/order-cancelled.event.js';
import { OrderConfirmedEvent } from './domain/events/order-confirmed.event.js';
import { OrderDeliveredEvent } from './domain/events/order-delivered.event.js';
import { OrderPlacedEvent } from './domain/events/order-placed.event.js';
import { OrderShippedEvent } from './domain/events/order-shipped.event.js';

export { OrderCancelledEvent, OrderConfirmedEvent, OrderDeliveredEvent, OrderPlacedEvent, OrderShippedEvent };
export type {
  OrderAddressSnapshot,
  OrderCustomerSnapshot,
  OrderLinePayload,
  OrderPlacedPayload,
} from './domain/events/order-placed.event.js';
export type { OrderCancelledPayload } from './domain/events/order-cancelled.event.js';
export {
  ORDER_STATUSES,
  OrderStatusChangedEvent,
  type OrderStatus,
  type OrderStatusChangedPayload,
} from './domain/events/order-status-changed.event.js';
export { ORDER_TRANSITIONS, RESERVING_STATUSES, computeOrderTotals } from './domain/order.aggregate.js';
export { OrderErrorCode } from './orders.errors.js';
export { PlaceOrderCommand, type PlaceOrderItem } from './commands/place-order/place-order.command.js';
export { UpdateOrderStatusCommand } from './commands/update-order-status/update-order-status.command.js';
export { CancelOrderCommand } from './commands/cancel-order/cancel-order.command.js';
export type { OrderCommandResult } from './commands/command-accepted.response.dto.js';

/** Stable type names of the orders context's events. */
export const OrderEventType = {
  ORDER_PLACED: OrderPlacedEvent.TYPE,
  ORDER_CONFIRMED: OrderConfirmedEvent.TYPE,
  ORDER_SHIPPED: OrderShippedEvent.TYPE,
  ORDER_DELIVERED: OrderDeliveredEvent.TYPE,
  ORDER_CANCELLED: OrderCancelledEvent.TYPE,
} as const;

/** For EventRegistry.register(...) (OrdersModule does it at init). */
export const ORDER_EVENT_CLASSES = [
  OrderPlacedEvent,
  OrderConfirmedEvent,
  OrderShippedEvent,
  OrderDeliveredEvent,
  OrderCancelledEvent,
] as const;
