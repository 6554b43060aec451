/**
 * `orders_summary` by exact deltas: the pure part.
 *
 * A fact (one per order, see orders-summary.evolve.ts) *contributes* to its day: one order, one
 * status, and, unless cancelled, its total to the revenue, one order and its total to its customer,
 * and each line's units and subtotal to its product. When a fact changes, the day's figures move by
 * contribution(new) - contribution(old): never a re-read of the day, never an increment that a
 * duplicate could repeat (a fact that does not change contributes no delta). The projection applies
 * a batch's fact changes and their deltas in one read-db transaction, so a crash between the two is
 * impossible.
 *
 * Helper documents are a function of the set of facts (whatever the order they came in): a
 * customer's / product's entry for a day exists once any fact of that day names it (cancelled
 * included, counting zero), and its `name` is the one of the latest-placed such order (ties: the
 * larger orderId). So live application and a rebuild produce equal documents.
 */
import { Decimal128 } from 'mongodb';
import { Dec, ZERO, money, toCents, toDecimal128 } from '../../../../shared/money/money.js';
import { ORDER_STATUSES, type OrderStatus } from '../../orders.public.js';
import type { OrdersSummaryDoc, SummaryFact, TopCustomer, TopProduct } from './orders-summary.evolve.js';

/** A day's figures without its top lists (those come from the helper collections). */
type NameSource = { at: number; orderId: string };

export type DayTotals = Omit<OrdersSummaryDoc, 'topCustomers' | 'topProducts'>;

export interface CustomerDay {
  _id: string;
  day: string;
  customerId: string;
  name: string | null;
  /** placedAt (ms) and orderId of the order `name` comes from. */
  nameFrom: NameSource;
  /** Non-cancelled orders of that day. */
  orderCount: number;
  totalSpent: Decimal128;
}

export interface ProductDay {
  _id: string;
  day: string;
  productId: string;
  name: string;
  nameFrom: NameSource;
  quantity: number;
  revenue: Decimal128;
}

export const dayKey = (day: string, id: string): string => `${day}|${id}`;

/** The fact's share of its day, or null while it has no placement data. */
interface Contribution {
  day: string;
  status: OrderStatus;
  counted: boolean;
  total: Dec;
  currency: string | null;
  customerId: string;
  name: string | null;
  from: NameSource;
  lines: { productId: string; name: string; quantity: number; subtotal: Dec }[];
}

function contribution(f: SummaryFact | null): Contribution | null {
  if (!f || f.day === null || f.total === null || f.placedAt === null) return null;
  return {
    day: f.day,
    status: f.status,
    counted: f.status !== 'cancelled',
    total: money(f.total),
    currency: f.currency,
    customerId: f.customerId,
    name: f.customerName,
    from: { at: f.placedAt.getTime(), orderId: f._id },
    lines: f.items.map((i) => ({ ...i, subtotal: money(i.subtotal) })),
  };
}

const newer = (a: NameSource, b: NameSource): boolean =>
  a.at !== b.at ? a.at > b.at : a.orderId > b.orderId;

export interface DayDelta {
  orders: number;
  revenueOrders: number;
  revenue: Dec;
  currency: string | null;
  byStatus: Map<OrderStatus, number>;
}

export interface CustomerDelta {
  day: string;
  customerId: string;
  orders: number;
  spent: Dec;
  name: string | null;
  from: NameSource | null;
}

export interface ProductDelta {
  day: string;
  productId: string;
  quantity: number;
  revenue: Dec;
  name: string | null;
  from: NameSource | null;
}

const NO_SOURCE: NameSource = { at: 0, orderId: '' };

/** Accumulated deltas of a batch, per day / customer-day / product-day, applied to loaded documents. */
export class SummaryDeltas {
  readonly days = new Map<string, DayDelta>();
  readonly customers = new Map<string, CustomerDelta>();
  readonly products = new Map<string, ProductDelta>();

  /** Adds the change from `before` to `after` of one fact. */
  add(before: SummaryFact | null, after: SummaryFact | null): void {
    const old = contribution(before);
    const cur = contribution(after);
    if (old) this.addContribution(old, -1);
    if (cur) this.addContribution(cur, 1);
  }

  private addContribution(c: Contribution, sign: 1 | -1): void {
    const d = this.day(c.day);
    d.orders += sign;
    d.byStatus.set(c.status, (d.byStatus.get(c.status) ?? 0) + sign);
    d.currency ??= c.currency;
    const cust = this.customer(c.day, c.customerId);
    if (sign > 0 && (cust.from === null || newer(c.from, cust.from))) {
      cust.from = c.from;
      cust.name = c.name;
    }
    for (const l of c.lines) {
      const p = this.product(c.day, l.productId);
      if (sign > 0 && (p.from === null || newer(c.from, p.from))) {
        p.from = c.from;
        p.name = l.name;
      }
      if (!c.counted) continue;
      p.quantity += sign * l.quantity;
      p.revenue = p.revenue.plus(l.subtotal.times(sign));
    }
    if (!c.counted) return;
    d.revenueOrders += sign;
    d.revenue = d.revenue.plus(c.total.times(sign));
    cust.orders += sign;
    cust.spent = cust.spent.plus(c.total.times(sign));
  }

  private day(day: string): DayDelta {
    let d = this.days.get(day);
    if (!d)
      this.days.set(
        day,
        (d = { orders: 0, revenueOrders: 0, revenue: ZERO, currency: null, byStatus: new Map() }),
      );
    return d;
  }

  private customer(day: string, customerId: string): CustomerDelta {
    const key = dayKey(day, customerId);
    let c = this.customers.get(key);
    if (!c)
      this.customers.set(key, (c = { day, customerId, orders: 0, spent: ZERO, name: null, from: null }));
    return c;
  }

  private product(day: string, productId: string): ProductDelta {
    const key = dayKey(day, productId);
    let p = this.products.get(key);
    if (!p)
      this.products.set(key, (p = { day, productId, quantity: 0, revenue: ZERO, name: null, from: null }));
    return p;
  }
}

export function emptyDay(day: string): DayTotals {
  return {
    _id: day,
    date: day,
    currency: null,
    orderCount: 0,
    revenueOrderCount: 0,
    totalRevenue: toDecimal128(ZERO),
    avgOrderValue: toDecimal128(ZERO),
    byStatus: Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>,
  };
}

/** The day's totals moved by its deltas (avgOrderValue recomputed, half-up to cents). */
export function applyDayDelta(current: DayTotals | null, day: string, d: DayDelta): DayTotals {
  const base = current ?? emptyDay(day);
  const byStatus = { ...base.byStatus };
  for (const [s, n] of d.byStatus) byStatus[s] = (byStatus[s] ?? 0) + n;
  const revenue = money(base.totalRevenue).plus(d.revenue);
  const revenueOrderCount = base.revenueOrderCount + d.revenueOrders;
  return {
    _id: day,
    date: day,
    currency: base.currency ?? d.currency,
    orderCount: base.orderCount + d.orders,
    revenueOrderCount,
    totalRevenue: toDecimal128(revenue),
    avgOrderValue: toDecimal128(revenueOrderCount === 0 ? ZERO : toCents(revenue.div(revenueOrderCount))),
    byStatus,
  };
}

export function applyCustomerDelta(current: CustomerDay | null, key: string, d: CustomerDelta): CustomerDay {
  const takeName = d.from !== null && (current === null || newer(d.from, current.nameFrom));
  return {
    _id: key,
    day: d.day,
    customerId: d.customerId,
    name: takeName ? d.name : (current?.name ?? null),
    nameFrom: (takeName ? d.from : current?.nameFrom) ?? NO_SOURCE,
    orderCount: (current?.orderCount ?? 0) + d.orders,
    totalSpent: toDecimal128(money(current?.totalSpent ?? '0').plus(d.spent)),
  };
}

export function applyProductDelta(current: ProductDay | null, key: string, d: ProductDelta): ProductDay {
  const takeName = d.from !== null && (current === null || newer(d.from, current.nameFrom));
  return {
    _id: key,
    day: d.day,
    productId: d.productId,
    name: takeName ? (d.name ?? '') : (current?.name ?? ''),
    nameFrom: (takeName ? d.from : current?.nameFrom) ?? NO_SOURCE,
    quantity: (current?.quantity ?? 0) + d.quantity,
    revenue: toDecimal128(money(current?.revenue ?? '0').plus(d.revenue)),
  };
}

export const toTopCustomer = (c: CustomerDay): TopCustomer => ({
  customerId: c.customerId,
  name: c.name,
  orderCount: c.orderCount,
  totalSpent: c.totalSpent,
});

export const toTopProduct = (p: ProductDay): TopProduct => ({
  productId: p.productId,
  name: p.name,
  quantity: p.quantity,
  revenue: p.revenue,
});
