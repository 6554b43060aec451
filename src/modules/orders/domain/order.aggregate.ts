/**
 * The Order aggregate: every business rule of an order, no I/O. Handlers load it (fromState), call
 * one command method, save the resulting state with an optimistic lock on the loaded version and
 * append the events it produced (pullEvents) in the same transaction.
 *
 * Rules:
 * - An order has at least one line, each a distinct product with a positive integer quantity and a
 *   non-negative price with at most two decimals.
 * - Money is exact (decimal strings here, Decimal128 in MongoDB): line subtotal = price × quantity;
 *   order subtotal = Σ line subtotals; tax = subtotal × tax rate rounded to cents HALF-UP, once per
 *   order (never per line); shipping = the flat fee; total = subtotal + tax + shipping.
 * - Status machine: pending → confirmed → shipped → delivered, and pending|confirmed → cancelled.
 *   Every other transition (including to the same status) is rejected: ORDERS.INVALID_TRANSITION.
 * - A placed order is version 1; every change is exactly one event and one version more. A
 *   command carrying an expected version that is not the current one is rejected with
 *   ORDERS.VERSION_CONFLICT (details.currentVersion) before any rule is checked.
 */
import { AggregateRoot } from '@nestjs/cqrs';
import type { DomainEvent } from '../../../shared/events/domain-event.js';
import { Dec, MONEY_PATTERN, toCents } from '../../../shared/money/money.js';
import { invalidOrder, invalidTransition, orderVersionConflict } from '../orders.errors.js';
import { OrderCancelledEvent } from './events/order-cancelled.event.js';
import { OrderConfirmedEvent } from './events/order-confirmed.event.js';
import { OrderDeliveredEvent } from './events/order-delivered.event.js';
import {
  OrderPlacedEvent,
  type OrderAddressSnapshot,
  type OrderCustomerSnapshot,
  type OrderLinePayload,
} from './events/order-placed.event.js';
import { OrderShippedEvent } from './events/order-shipped.event.js';
import type {
  OrderStatus,
  OrderStatusChangedEvent,
  OrderStatusChangedPayload,
} from './events/order-status-changed.event.js';

export { ORDER_STATUSES, type OrderStatus } from './events/order-status-changed.event.js';

/** Allowed next statuses. Statuses with none are final. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['confirmed', 'cancelled'],
  confirmed: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};

/** Statuses whose lines hold reserved stock (the inventory invariant counts these). */
export const RESERVING_STATUSES: readonly OrderStatus[] = ['pending', 'confirmed'];

export interface OrderLine {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  /** Exact decimal string with two fraction digits. */
  priceAtOrder: string;
  subtotal: string;
}

/** The aggregate's state, as the write model stores it (money as exact decimal strings). */
export interface OrderState {
  orderId: string;
  customerId: string;
  items: OrderLine[];
  subtotal: string;
  tax: string;
  shipping: string;
  total: string;
  currency: string;
  status: OrderStatus;
  shippingAddressId: string;
  billingAddressId: string;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** Who runs a command, when: the event envelope's correlation id and the clock (injected). */
export interface CommandContext {
  correlationId: string;
  now: Date;
}

export interface Pricing {
  /** Exact decimal string, e.g. "0.08". */
  taxRate: string;
  /** Flat fee per order, exact decimal string, e.g. "5.99". */
  shippingFee: string;
  currency: string;
}

/** A product line as the catalog reserved it: the product snapshot and the price to charge. */
export interface PlaceOrderLine {
  productId: string;
  sku: string;
  name: string;
  category: string[];
  brand: string;
  imageUrl: string | null;
  quantity: number;
  /** The catalog's current price, exact decimal string. */
  unitPrice: string;
}

export interface PlaceOrderInput {
  orderId: string;
  customer: OrderCustomerSnapshot;
  shippingAddress: OrderAddressSnapshot;
  billingAddress: OrderAddressSnapshot;
  lines: PlaceOrderLine[];
  pricing: Pricing;
}

export interface OrderTotals {
  lineSubtotals: string[];
  subtotal: string;
  tax: string;
  shipping: string;
  total: string;
}

const fixed2 = (d: Dec): string => d.toFixed(2);

/**
 * The totals rule (README "Orders API"): line subtotal = price × quantity (exact); subtotal = Σ
 * lines; tax = round_half_up(subtotal × taxRate, 2), once per order; total = subtotal + tax +
 * shipping. Prices and the fee have at most two decimals, so only the tax ever needs rounding.
 */
export function computeOrderTotals(
  lines: readonly { unitPrice: string; quantity: number }[],
  pricing: Pick<Pricing, 'taxRate' | 'shippingFee'>,
): OrderTotals {
  const lineSubtotals = lines.map((l) => new Dec(l.unitPrice).times(l.quantity));
  const subtotal = lineSubtotals.reduce((sum, s) => sum.plus(s), new Dec(0));
  const tax = toCents(subtotal.times(pricing.taxRate));
  const shipping = toCents(new Dec(pricing.shippingFee));
  return {
    lineSubtotals: lineSubtotals.map(fixed2),
    subtotal: fixed2(subtotal),
    tax: fixed2(tax),
    shipping: fixed2(shipping),
    total: fixed2(subtotal.plus(tax).plus(shipping)),
  };
}

function checkLines(lines: readonly PlaceOrderLine[]): void {
  if (lines.length === 0) throw invalidOrder('An order needs at least one item');
  const seen = new Set<string>();
  for (const l of lines) {
    if (seen.has(l.productId))
      throw invalidOrder(`Product ${l.productId} appears twice; order it once with the total quantity`, {
        productId: l.productId,
      });
    seen.add(l.productId);
    if (!Number.isSafeInteger(l.quantity) || l.quantity < 1)
      throw invalidOrder(`Quantity of ${l.productId} must be a positive integer`, {
        productId: l.productId,
        quantity: l.quantity,
      });
    if (!MONEY_PATTERN.test(l.unitPrice))
      throw invalidOrder(`Price of ${l.productId} must be a non-negative amount with at most 2 decimals`, {
        productId: l.productId,
        unitPrice: l.unitPrice,
      });
  }
}

type StatusEventClass = new (
  aggregateId: string,
  aggregateVersion: number,
  payload: OrderStatusChangedPayload,
  correlationId: string,
  meta?: { eventId?: string; occurredAt?: Date },
) => OrderStatusChangedEvent;

const STATUS_EVENTS: Record<'confirmed' | 'shipped' | 'delivered', StatusEventClass> = {
  confirmed: OrderConfirmedEvent,
  shipped: OrderShippedEvent,
  delivered: OrderDeliveredEvent,
};

export type OrderEvent =
  OrderPlacedEvent | OrderConfirmedEvent | OrderShippedEvent | OrderDeliveredEvent | OrderCancelledEvent;

export class Order extends AggregateRoot<DomainEvent<object>> {
  private current: OrderState | undefined;

  private constructor() {
    super();
  }

  /** Place a new order (version 1, pending): `orders.order-placed`. */
  static place(input: PlaceOrderInput, ctx: CommandContext): Order {
    checkLines(input.lines);
    const totals = computeOrderTotals(input.lines, input.pricing);
    const items: OrderLinePayload[] = input.lines.map((l, i) => ({
      productId: l.productId,
      sku: l.sku,
      name: l.name,
      category: [...l.category],
      brand: l.brand,
      imageUrl: l.imageUrl,
      quantity: l.quantity,
      priceAtOrder: new Dec(l.unitPrice).toFixed(2),
      subtotal: totals.lineSubtotals[i],
    }));
    const order = new Order();
    order.apply(
      new OrderPlacedEvent(
        input.orderId,
        1,
        {
          orderId: input.orderId,
          customerId: input.customer.customerId,
          customer: { ...input.customer },
          shippingAddressId: input.shippingAddress.addressId,
          billingAddressId: input.billingAddress.addressId,
          shippingAddress: { ...input.shippingAddress },
          billingAddress: { ...input.billingAddress },
          items,
          subtotal: totals.subtotal,
          taxRate: input.pricing.taxRate,
          tax: totals.tax,
          shipping: totals.shipping,
          total: totals.total,
          currency: input.pricing.currency,
          status: 'pending',
          placedAt: ctx.now.toISOString(),
        },
        ctx.correlationId,
        { occurredAt: ctx.now },
      ),
    );
    return order;
  }

  /** An order loaded from the write model. */
  static fromState(state: OrderState): Order {
    const order = new Order();
    order.current = structuredClone(state);
    return order;
  }

  /** An order rebuilt from its events (tests, and the event log as the source of truth). */
  static fromHistory(events: readonly DomainEvent<object>[]): Order {
    const order = new Order();
    order.loadFromHistory([...events]);
    return order;
  }

  get state(): Readonly<OrderState> {
    if (!this.current) throw new Error('order has no state (no order-placed event)');
    return this.current;
  }

  get id(): string {
    return this.state.orderId;
  }

  get version(): number {
    return this.state.version;
  }

  /** Move to confirmed, shipped, delivered or cancelled (the admin's status update). */
  changeStatus(
    target: OrderStatus,
    expectedVersion: number | undefined,
    ctx: CommandContext,
    cancellation: { by: 'customer' | 'admin'; reason: string | null } = { by: 'admin', reason: null },
  ): void {
    const s = this.state;
    if (expectedVersion !== undefined && expectedVersion !== s.version)
      throw orderVersionConflict(s.orderId, expectedVersion, s.version);
    const allowed = ORDER_TRANSITIONS[s.status];
    if (!allowed.includes(target)) throw invalidTransition(s.orderId, s.status, target, allowed);
    const payload: OrderStatusChangedPayload = {
      orderId: s.orderId,
      customerId: s.customerId,
      previousStatus: s.status,
      status: target,
      items: s.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
      total: s.total,
      currency: s.currency,
      changedAt: ctx.now.toISOString(),
    };
    const meta = { occurredAt: ctx.now };
    const version = s.version + 1;
    if (target === 'cancelled') {
      this.apply(
        new OrderCancelledEvent(
          s.orderId,
          version,
          { ...payload, cancelledBy: cancellation.by, reason: cancellation.reason },
          ctx.correlationId,
          meta,
        ),
      );
    } else if (target !== 'pending') {
      this.apply(new STATUS_EVENTS[target](s.orderId, version, payload, ctx.correlationId, meta));
    }
  }

  /** Cancel a pending or confirmed order (owner or admin); the expected version is optional here. */
  cancel(
    ctx: CommandContext,
    opts: { by: 'customer' | 'admin'; reason?: string | null; expectedVersion?: number },
  ): void {
    this.changeStatus('cancelled', opts.expectedVersion, ctx, { by: opts.by, reason: opts.reason ?? null });
  }

  /** The events recorded since load, once: the caller appends them to the log. */
  pullEvents(): DomainEvent<object>[] {
    const events = [...this.getUncommittedEvents()];
    this.uncommit();
    return events;
  }

  // Event handlers (AggregateRoot.apply calls on<EventClassName>): the only place state changes.

  protected onOrderPlacedEvent(e: OrderPlacedEvent): void {
    if (this.current) throw new Error(`order ${e.aggregateId} is already placed`);
    const p = e.payload;
    const at = new Date(p.placedAt);
    this.current = {
      orderId: p.orderId,
      customerId: p.customerId,
      items: p.items.map((i) => ({
        productId: i.productId,
        sku: i.sku,
        name: i.name,
        quantity: i.quantity,
        priceAtOrder: i.priceAtOrder,
        subtotal: i.subtotal,
      })),
      subtotal: p.subtotal,
      tax: p.tax,
      shipping: p.shipping,
      total: p.total,
      currency: p.currency,
      status: 'pending',
      shippingAddressId: p.shippingAddressId,
      billingAddressId: p.billingAddressId,
      createdAt: at,
      updatedAt: at,
      version: e.aggregateVersion,
    };
  }

  protected onOrderConfirmedEvent(e: OrderConfirmedEvent): void {
    this.moveTo(e);
  }

  protected onOrderShippedEvent(e: OrderShippedEvent): void {
    this.moveTo(e);
  }

  protected onOrderDeliveredEvent(e: OrderDeliveredEvent): void {
    this.moveTo(e);
  }

  protected onOrderCancelledEvent(e: OrderCancelledEvent): void {
    this.moveTo(e);
  }

  private moveTo(e: OrderStatusChangedEvent): void {
    const s = this.state;
    if (e.aggregateVersion !== s.version + 1)
      throw new Error(`order ${s.orderId}: event version ${e.aggregateVersion} does not follow ${s.version}`);
    this.current = {
      ...s,
      status: e.payload.status,
      updatedAt: new Date(e.payload.changedAt),
      version: e.aggregateVersion,
    };
  }
}
