import { DomainEvent } from '../../../../shared/events/domain-event.js';

export const ORDER_STATUSES = ['pending', 'confirmed', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * The payload every status event carries (confirmed, shipped, delivered, cancelled): enough for a
 * read model to move the order between statuses and for the catalog to know which products and
 * quantities the change concerns, without reading the write model.
 */
export interface OrderStatusChangedPayload {
  orderId: string;
  customerId: string;
  previousStatus: OrderStatus;
  status: OrderStatus;
  items: { productId: string; quantity: number }[];
  total: string;
  currency: string;
  /** ISO-8601; also the order's updatedAt. */
  changedAt: string;
}

/**
 * Base of the four status events. There is deliberately no generic `orders.order-status-changed`
 * type: each transition has its own stable type name, so a subscriber (the catalog's "who may
 * review" on delivered) listens to exactly the fact it cares about.
 */
export abstract class OrderStatusChangedEvent<
  P extends OrderStatusChangedPayload = OrderStatusChangedPayload,
> extends DomainEvent<P> {
  readonly aggregateType = 'order';
}
