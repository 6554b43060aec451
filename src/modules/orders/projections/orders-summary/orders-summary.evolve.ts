/**
 * `orders_summary`: the pure part. Two steps, both deterministic functions of the set of events
 * applied (not of their order or count):
 *
 * 1. `evolveFact(fact, event)`: one fact per order (helper collection `orders_summary_facts`):
 *    its UTC day, total, customer and lines from `orders.order-placed`, and its current status from
 *    the highest-version status event seen (a status event may arrive before the placement; the
 *    fact then waits for its placement data and is not counted until it has it).
 * 2. `summarize(day, facts)`: the day's summary recomputed from all facts of that day. Never an
 *    increment, so duplicates and late events cannot double count.
 *
 * What counts (also in README "Orders read side"):
 * - a day is the UTC calendar day of the order's `placedAt`; an order belongs to that day forever;
 * - `orderCount`: orders placed that day, whatever their current status (cancelled included);
 * - `byStatus`: those orders counted by their *current* status (all five statuses, zeros included);
 * - `totalRevenue`: sum of `total` (items + tax + shipping) of those orders whose current status is
 *   not `cancelled`; `revenueOrderCount`: how many orders that is;
 * - `avgOrderValue`: totalRevenue / revenueOrderCount, rounded half-up to cents; "0.00" when none;
 * - `topCustomers`: top 10 customers by amount spent (sum of `total` of their non-cancelled orders
 *   of the day), ties by customerId ascending; with their order count (non-cancelled) and name as
 *   on the order;
 * - `topProducts`: top 10 products by revenue (sum of line subtotals, i.e. priceAtOrder x quantity,
 *   of non-cancelled orders of the day), ties by productId ascending; with units sold.
 */
import { Decimal128 } from 'mongodb';
import type { StoredEvent } from '../../../../shared/events/event-registry.js';
import { Dec, ZERO, money, toDecimal128, toCents } from '../../../../shared/money/money.js';
import {
  ORDER_STATUSES,
  type OrderPlacedPayload,
  type OrderStatus,
  type OrderStatusChangedPayload,
} from '../../orders.public.js';

export const SUMMARY_HANDLES: readonly string[] = [
  'orders.order-placed',
  'orders.order-confirmed',
  'orders.order-shipped',
  'orders.order-delivered',
  'orders.order-cancelled',
];

export const canHandle = (type: string): boolean => SUMMARY_HANDLES.includes(type);

export const TOP_N = 10;

export interface FactItem {
  productId: string;
  name: string;
  quantity: number;
  subtotal: Decimal128;
}

export interface SummaryFact {
  _id: string;
  /** 'YYYY-MM-DD' (UTC) of placedAt; null until the placement has been applied. */
  day: string | null;
  placedAt: Date | null;
  total: Decimal128 | null;
  currency: string | null;
  customerId: string;
  customerName: string | null;
  items: FactItem[];
  status: OrderStatus;
  /** Order version that set `status`. */
  statusVersion: number;
}

export interface TopCustomer {
  customerId: string;
  name: string | null;
  orderCount: number;
  totalSpent: Decimal128;
}

export interface TopProduct {
  productId: string;
  name: string;
  quantity: number;
  revenue: Decimal128;
}

export interface OrdersSummaryDoc {
  /** 'YYYY-MM-DD' (UTC). */
  _id: string;
  date: string;
  currency: string | null;
  orderCount: number;
  revenueOrderCount: number;
  totalRevenue: Decimal128;
  avgOrderValue: Decimal128;
  byStatus: Record<OrderStatus, number>;
  topCustomers: TopCustomer[];
  topProducts: TopProduct[];
}

export const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

/** Applies an order event to its fact; the same object when it changes nothing. */
export function evolveFact(fact: SummaryFact | null, event: StoredEvent): SummaryFact {
  if (event.type === 'orders.order-placed') {
    const p = event.payload as unknown as OrderPlacedPayload;
    if (fact && fact.day !== null) return fact;
    const placedAt = new Date(p.placedAt);
    const placedStatus =
      fact && fact.statusVersion > event.aggregateVersion
        ? { status: fact.status, statusVersion: fact.statusVersion }
        : { status: p.status, statusVersion: event.aggregateVersion };
    return {
      _id: p.orderId,
      day: utcDay(placedAt),
      placedAt,
      total: Decimal128.fromString(p.total),
      currency: p.currency,
      customerId: p.customerId,
      customerName: p.customer.name,
      items: p.items.map((l) => ({
        productId: l.productId,
        name: l.name,
        quantity: l.quantity,
        subtotal: Decimal128.fromString(l.subtotal),
      })),
      ...placedStatus,
    };
  }
  if (!SUMMARY_HANDLES.includes(event.type)) return fact ?? emptyFact(event);
  const p = event.payload as unknown as OrderStatusChangedPayload;
  const base = fact ?? emptyFact(event);
  if (event.aggregateVersion <= base.statusVersion) return base;
  return { ...base, status: p.status, statusVersion: event.aggregateVersion };
}

function emptyFact(event: StoredEvent): SummaryFact {
  const p = event.payload as unknown as { customerId: string };
  return {
    _id: event.aggregateId,
    day: null,
    placedAt: null,
    total: null,
    currency: null,
    customerId: p.customerId,
    customerName: null,
    items: [],
    status: 'pending',
    statusVersion: 0,
  };
}

const byAmountThenId =
  <T>(amount: (x: T) => Dec, id: (x: T) => string) =>
  (a: T, b: T): number => {
    const c = amount(b).comparedTo(amount(a));
    return c !== 0 ? c : id(a).localeCompare(id(b));
  };

/** The day's summary from all facts (only facts with placement data of that day count). */
export function summarize(day: string, facts: readonly SummaryFact[]): OrdersSummaryDoc {
  const byStatus = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>;
  let orderCount = 0;
  let revenueOrderCount = 0;
  let revenue = ZERO;
  let currency: string | null = null;
  const customers = new Map<string, { name: string | null; orderCount: number; spent: Dec }>();
  const products = new Map<string, { name: string; quantity: number; revenue: Dec }>();
  for (const f of facts) {
    if (f.day !== day || f.total === null) continue;
    orderCount++;
    byStatus[f.status]++;
    currency ??= f.currency;
    if (f.status === 'cancelled') continue;
    revenueOrderCount++;
    const total = money(f.total);
    revenue = revenue.plus(total);
    const c = customers.get(f.customerId) ?? { name: f.customerName, orderCount: 0, spent: ZERO };
    customers.set(f.customerId, { name: c.name, orderCount: c.orderCount + 1, spent: c.spent.plus(total) });
    for (const i of f.items) {
      const p = products.get(i.productId) ?? { name: i.name, quantity: 0, revenue: ZERO };
      products.set(i.productId, {
        name: p.name,
        quantity: p.quantity + i.quantity,
        revenue: p.revenue.plus(money(i.subtotal)),
      });
    }
  }
  const topCustomers = [...customers.entries()]
    .sort(
      byAmountThenId(
        ([, c]) => c.spent,
        ([id]) => id,
      ),
    )
    .slice(0, TOP_N)
    .map(([customerId, c]) => ({
      customerId,
      name: c.name,
      orderCount: c.orderCount,
      totalSpent: toDecimal128(c.spent),
    }));
  const topProducts = [...products.entries()]
    .sort(
      byAmountThenId(
        ([, p]) => p.revenue,
        ([id]) => id,
      ),
    )
    .slice(0, TOP_N)
    .map(([productId, p]) => ({
      productId,
      name: p.name,
      quantity: p.quantity,
      revenue: toDecimal128(p.revenue),
    }));
  const avg = revenueOrderCount === 0 ? ZERO : toCents(revenue.div(revenueOrderCount));
  return {
    _id: day,
    date: day,
    currency,
    orderCount,
    revenueOrderCount,
    totalRevenue: toDecimal128(revenue),
    avgOrderValue: toDecimal128(avg),
    byStatus,
    topCustomers,
    topProducts,
  };
}
