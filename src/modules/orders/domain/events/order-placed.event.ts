import { DomainEvent } from '../../../../shared/events/domain-event.js';

/** A customer as the order saw it when it was placed (later profile edits do not rewrite orders). */
export interface OrderCustomerSnapshot {
  customerId: string;
  name: string;
  email: string;
  phone: string | null;
  vipStatus: string;
}

/** An address as it was when the order was placed. */
export interface OrderAddressSnapshot {
  addressId: string;
  label: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
}

/** One order line with the product as it was sold. Money as exact decimal strings ("12.30"). */
export interface OrderLinePayload {
  productId: string;
  sku: string;
  name: string;
  /** Catalog facets at the time of sale (category path from the root), for read models grouping by them. */
  category: string[];
  brand: string;
  imageUrl: string | null;
  quantity: number;
  /** The unit price charged (the catalog price when the order was placed). */
  priceAtOrder: string;
  /** priceAtOrder × quantity, exact. */
  subtotal: string;
}

export interface OrderPlacedPayload {
  orderId: string;
  customerId: string;
  customer: OrderCustomerSnapshot;
  shippingAddressId: string;
  billingAddressId: string;
  shippingAddress: OrderAddressSnapshot;
  billingAddress: OrderAddressSnapshot;
  items: OrderLinePayload[];
  /** Sum of the line subtotals. */
  subtotal: string;
  /** The rate applied ("0.08") and the tax it gave, rounded to cents half-up once per order. */
  taxRate: string;
  tax: string;
  shipping: string;
  total: string;
  currency: string;
  status: 'pending';
  /** ISO-8601; also the order's createdAt. */
  placedAt: string;
}

/**
 * `orders.order-placed`: an order was accepted (stock reserved), status pending, version 1.
 * Carries everything a read model needs to show the order without reading the write model.
 */
export class OrderPlacedEvent extends DomainEvent<OrderPlacedPayload> {
  static readonly TYPE = 'orders.order-placed';
  readonly type = OrderPlacedEvent.TYPE;
  readonly aggregateType = 'order';
}
