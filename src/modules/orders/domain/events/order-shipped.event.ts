import { OrderStatusChangedEvent } from './order-status-changed.event.js';

/** `orders.order-shipped`: a confirmed order left the warehouse; its reserved stock was consumed. */
export class OrderShippedEvent extends OrderStatusChangedEvent {
  static readonly TYPE = 'orders.order-shipped';
  readonly type = OrderShippedEvent.TYPE;
}
