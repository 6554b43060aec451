import fc from 'fast-check';
import type { StoredEvent } from '../../../../shared/events/event-registry.js';
import mongoose from 'mongoose';
import {
  SummaryDeltas,
  applyCustomerDelta,
  applyDayDelta,
  applyProductDelta,
  emptyDay,
  toTopCustomer,
  toTopProduct,
  type CustomerDay,
  type DayTotals,
  type ProductDay,
} from './orders-summary.deltas.js';
import {
  TOP_N,
  evolveFact,
  summarize,
  type OrdersSummaryDoc,
  type SummaryFact,
} from './orders-summary.evolve.js';
import { OrdersSummarySchema } from './orders-summary.schema.js';

const DAY = '2026-02-10';
let seq = 0;

const ev = (type: string, aggregateId: string, version: number, payload: object): StoredEvent => ({
  eventId: `e${seq++}`,
  type,
  aggregateType: 'order',
  aggregateId,
  aggregateVersion: version,
  occurredAt: new Date(),
  correlationId: 'test',
  payload: payload as Record<string, unknown>,
});

const orderId = (n: number) => `ord_00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const customerId = (n: number) => `cus_00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const productId = (n: number) => `prd_00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function placed(n: number, cus: number, lines: [number, number, string][], total: string, placedAt: string) {
  return ev('orders.order-placed', orderId(n), 1, {
    orderId: orderId(n),
    customerId: customerId(cus),
    customer: {
      customerId: customerId(cus),
      name: `C${cus}`,
      email: 'x@example.com',
      phone: null,
      vipStatus: 'none',
    },
    items: lines.map(([p, q, sub]) => ({
      productId: productId(p),
      name: `P${p}`,
      quantity: q,
      subtotal: sub,
    })),
    total,
    currency: 'USD',
    status: 'pending',
    placedAt,
  });
}

const change = (n: number, cus: number, version: number, type: string, from: string, to: string) =>
  ev(`orders.order-${type}`, orderId(n), version, {
    orderId: orderId(n),
    customerId: customerId(cus),
    previousStatus: from,
    status: to,
    items: [],
    total: '0.00',
    currency: 'USD',
    changedAt: '2026-02-11T00:00:00.000Z',
  });

const events: StoredEvent[] = [
  placed(1, 1, [[1, 1, '10.10']], '10.10', `${DAY}T00:00:00.000Z`),
  placed(2, 1, [[2, 3, '0.30']], '0.20', `${DAY}T12:00:00.000Z`),
  placed(3, 2, [[1, 2, '20.20']], '22.05', `${DAY}T23:59:59.999Z`),
  placed(4, 3, [[3, 1, '99.99']], '107.99', `${DAY}T08:00:00.000Z`),
  placed(5, 4, [[1, 1, '10.10']], '10.10', '2026-02-11T00:00:00.000Z'), // next day
  change(2, 1, 2, 'confirmed', 'pending', 'confirmed'),
  change(2, 1, 3, 'shipped', 'confirmed', 'shipped'),
  change(4, 3, 2, 'cancelled', 'pending', 'cancelled'),
];

function project(evs: readonly StoredEvent[]): Map<string, SummaryFact> {
  const facts = new Map<string, SummaryFact>();
  for (const e of evs) facts.set(e.aggregateId, evolveFact(facts.get(e.aggregateId) ?? null, e));
  return facts;
}

const summaryOf = (evs: readonly StoredEvent[], day = DAY) => summarize(day, [...project(evs).values()]);

describe('orders_summary', () => {
  it('counts orders placed that UTC day; revenue and tops exclude cancelled; status by current status', () => {
    const s = summaryOf(events);
    expect(s.orderCount).toBe(4);
    expect(s.revenueOrderCount).toBe(3);
    expect(s.byStatus).toEqual({ pending: 2, confirmed: 0, shipped: 1, delivered: 0, cancelled: 1 });
    expect(s.totalRevenue.toString()).toBe('32.35'); // 10.10 + 0.20 + 22.05, exactly
    expect(s.avgOrderValue.toString()).toBe('10.78'); // 32.35 / 3 = 10.7833.. half-up
    expect(s.topCustomers.map((c) => [c.customerId, c.orderCount, c.totalSpent.toString()])).toEqual([
      [customerId(2), 1, '22.05'],
      [customerId(1), 2, '10.30'],
    ]);
    expect(s.topProducts.map((p) => [p.productId, p.quantity, p.revenue.toString()])).toEqual([
      [productId(1), 3, '30.30'],
      [productId(2), 3, '0.30'],
    ]);
    expect(summaryOf(events, '2026-02-11').orderCount).toBe(1);
  });

  it('is exact with duplicates and any order of arrival', () => {
    const expected = summaryOf(events);
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...events, ...events, ...events], { minLength: 24, maxLength: 24 }),
        (evs) => {
          expect(summaryOf(evs)).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a status event before the placement is held in the fact and counted once the placement arrives', () => {
    const cancelFirst = [change(4, 3, 2, 'cancelled', 'pending', 'cancelled'), ...events.slice(0, 4)];
    expect(summaryOf(cancelFirst).byStatus.cancelled).toBe(1);
    expect(summaryOf([change(4, 3, 2, 'cancelled', 'pending', 'cancelled')]).orderCount).toBe(0);
  });

  it('keeps only the top 10, ties broken by id', () => {
    const many = Array.from({ length: 12 }, (_, i) =>
      placed(100 + i, 100 + i, [[100 + i, 1, '5.00']], '5.00', `${DAY}T01:00:00.000Z`),
    );
    const s = summaryOf(many);
    expect(s.topCustomers).toHaveLength(10);
    expect(s.topCustomers[0].customerId).toBe(customerId(100));
    expect(s.topProducts).toHaveLength(10);
    expect(s.totalRevenue.toString()).toBe('60.00');
  });

  it('an empty day is all zeros', () => {
    const s = summarize(DAY, []);
    expect(s.orderCount).toBe(0);
    expect(s.totalRevenue.toString()).toBe('0.00');
    expect(s.avgOrderValue.toString()).toBe('0.00');
  });
});

/** The delta path in memory: what the projection does with documents, without a database. */
function byDeltas(evs: readonly StoredEvent[], day = DAY): OrdersSummaryDoc {
  const facts = new Map<string, SummaryFact>();
  const days = new Map<string, DayTotals>();
  const customers = new Map<string, CustomerDay>();
  const products = new Map<string, ProductDay>();
  for (const e of evs) {
    const before = facts.get(e.aggregateId) ?? null;
    const after = evolveFact(before, e);
    if (after === before) continue;
    facts.set(e.aggregateId, after);
    const d = new SummaryDeltas();
    d.add(before, after);
    for (const [k, v] of d.days) days.set(k, applyDayDelta(days.get(k) ?? null, k, v));
    for (const [k, v] of d.customers) customers.set(k, applyCustomerDelta(customers.get(k) ?? null, k, v));
    for (const [k, v] of d.products) products.set(k, applyProductDelta(products.get(k) ?? null, k, v));
  }
  const money = (x: { toString(): string }) => Number(x.toString());
  const top = <T extends { day: string }>(
    m: Map<string, T>,
    keep: (x: T) => boolean,
    amount: (x: T) => number,
    id: (x: T) => string,
  ) =>
    [...m.values()]
      .filter((x) => x.day === day && keep(x))
      .sort((a, b) => amount(b) - amount(a) || (id(a) < id(b) ? -1 : 1))
      .slice(0, TOP_N);
  return {
    ...(days.get(day) ?? emptyDay(day)),
    topCustomers: top(
      customers,
      (c) => c.orderCount > 0,
      (c) => money(c.totalSpent),
      (c) => c.customerId,
    ).map(toTopCustomer),
    topProducts: top(
      products,
      (p) => p.quantity > 0,
      (p) => money(p.revenue),
      (p) => p.productId,
    ).map(toTopProduct),
  };
}

const plain = (doc: OrdersSummaryDoc) => JSON.parse(JSON.stringify(doc)) as unknown;

describe('orders_summary by deltas', () => {
  it('equals the recomputation of the day from all its facts, in any order of arrival, with duplicates', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...events, ...events], { minLength: events.length * 2 }),
        (shuffled) => {
          for (const day of [DAY, '2026-02-11'])
            expect(plain(byDeltas(shuffled, day))).toEqual(plain(summaryOf(events, day)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('its documents match the read-model schema', () => {
    const Model = mongoose.model('OrdersSummarySchemaSpec', OrdersSummarySchema);
    const m = new Model({ ...byDeltas(events), computedAt: new Date() });
    expect(m.validateSync()).toBeUndefined();
    expect(() => new Model({ ...byDeltas(events), computedAt: new Date(), stamp: 1 })).toThrow(/stamp/);
  });
});
