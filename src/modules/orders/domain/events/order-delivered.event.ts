import { OrderStatusChangedEvent } from './order-status-changed.event.js';

/** `orders.order-delivered`: a shipped order reached the customer; its customer may now review its products. */
export class OrderDeliveredEvent extends OrderStatusChangedEvent {
  static readonly TYPE = 'orders.order-delivered';
  readonly type = OrderDeliveredEvent.TYPE;
}
