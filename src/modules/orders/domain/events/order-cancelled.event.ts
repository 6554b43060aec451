import { OrderStatusChangedEvent, type OrderStatusChangedPayload } from './order-status-changed.event.js';

export interface OrderCancelledPayload extends OrderStatusChangedPayload {
  /** Who cancelled: the owning customer or an admin. */
  cancelledBy: 'customer' | 'admin';
  reason: string | null;
}

/**
 * `orders.order-cancelled`: a pending or confirmed order was cancelled; its reserved stock was
 * released back to the available quantity.
 */
export class OrderCancelledEvent extends OrderStatusChangedEvent<OrderCancelledPayload> {
  static readonly TYPE = 'orders.order-cancelled';
  readonly type = OrderCancelledEvent.TYPE;
}
