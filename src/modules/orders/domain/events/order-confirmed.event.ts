import { OrderStatusChangedEvent } from './order-status-changed.event.js';

/** `orders.order-confirmed`: an admin confirmed a pending order. */
export class OrderConfirmedEvent extends OrderStatusChangedEvent {
  static readonly TYPE = 'orders.order-confirmed';
  readonly type = OrderConfirmedEvent.TYPE;
}
