import { checkPlan, finalStatus, planDemoData, startOfUtcDay, type PlanOptions } from './demo-plan.js';

const ANCHOR = new Date('2026-03-01T00:00:00.000Z');
const options = (o: Partial<PlanOptions> = {}): PlanOptions => ({
  seed: 42,
  products: 300,
  customers: 250,
  orders: 3000,
  anchor: ANCHOR,
  ...o,
});

describe('demo plan', () => {
  const plan = planDemoData(options());

  it('the same seed and anchor give the same plan', () => {
    expect(planDemoData(options())).toEqual(plan);
  });

  it('another seed gives another plan', () => {
    const other = planDemoData(options({ seed: 43 }));
    expect(other.products[0].productId).not.toBe(plan.products[0].productId);
    expect(other.orders.map((o) => o.customerId)).not.toEqual(plan.orders.map((o) => o.customerId));
  });

  it('has the requested sizes', () => {
    expect([plan.products.length, plan.customers.length, plan.orders.length]).toEqual([300, 250, 3000]);
  });

  it('ids, skus and emails are unique and have the contexts’ shapes', () => {
    const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
    const unique = (xs: string[]) => expect(new Set(xs).size).toBe(xs.length);
    unique(plan.products.map((p) => p.productId));
    unique(plan.products.map((p) => p.sku));
    unique(plan.customers.map((c) => c.customerId));
    unique(plan.customers.map((c) => c.email));
    unique(plan.customers.flatMap((c) => c.addresses.map((a) => a.addressId)));
    unique(plan.orders.map((o) => o.orderId));
    for (const p of plan.products) expect(p.productId).toMatch(new RegExp(`^prd_${uuid}$`));
    for (const c of plan.customers) expect(c.customerId).toMatch(new RegExp(`^cus_${uuid}$`));
    for (const o of plan.orders) expect(o.orderId).toMatch(new RegExp(`^ord_${uuid}$`));
  });

  it('spans many categories and brands with retail prices', () => {
    expect(new Set(plan.products.map((p) => p.category.join('/'))).size).toBeGreaterThanOrEqual(12);
    expect(new Set(plan.products.map((p) => p.brand)).size).toBeGreaterThanOrEqual(20);
    for (const p of plan.products) expect(p.price).toMatch(/^\d+\.\d{2}$/);
  });

  it('every order uses its customer’s own addresses and distinct products', () => {
    const customers = new Map(plan.customers.map((c) => [c.customerId, c]));
    for (const o of plan.orders) {
      const ids = customers.get(o.customerId)!.addresses.map((a) => a.addressId);
      expect(ids).toContain(o.shippingAddressId);
      expect(ids).toContain(o.billingAddressId);
      expect(new Set(o.items.map((i) => i.productId)).size).toBe(o.items.length);
    }
  });

  it('stock covers the demand of all planned orders, so no placement can fail', () => {
    const demand = new Map<string, number>();
    for (const o of plan.orders)
      for (const i of o.items) demand.set(i.productId, (demand.get(i.productId) ?? 0) + i.quantity);
    for (const p of plan.products) expect(p.quantity).toBeGreaterThanOrEqual(demand.get(p.productId) ?? 0);
  });

  it('status histories are valid transitions in time order, all before the anchor', () => {
    expect(() => checkPlan(plan)).not.toThrow();
    for (const o of plan.orders) {
      expect(o.placedAt.getTime()).toBeLessThan(ANCHOR.getTime());
      for (const s of o.steps) expect(s.at.getTime()).toBeLessThan(ANCHOR.getTime());
    }
  });

  it('orders end in every status, mostly delivered', () => {
    const counts = new Map<string, number>();
    for (const o of plan.orders) counts.set(finalStatus(o), (counts.get(finalStatus(o)) ?? 0) + 1);
    for (const s of ['pending', 'confirmed', 'shipped', 'delivered', 'cancelled'])
      expect(counts.get(s) ?? 0).toBeGreaterThan(0);
    expect(counts.get('delivered')!).toBeGreaterThan(plan.orders.length / 2);
  });

  it('orders are sorted by placement time', () => {
    const times = plan.orders.map((o) => o.placedAt.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('a small plan (20 products, 5 customers, 30 orders) is valid too', () => {
    const small = planDemoData(options({ products: 20, customers: 5, orders: 30 }));
    expect(small.products).toHaveLength(20);
    expect(small.customers).toHaveLength(5);
    expect(small.orders).toHaveLength(30);
    expect(() => checkPlan(small)).not.toThrow();
  });

  it('the default anchor is the start of the current UTC day', () => {
    expect(startOfUtcDay(new Date('2026-05-06T17:45:12.345Z')).toISOString()).toBe(
      '2026-05-06T00:00:00.000Z',
    );
  });
});
