/**
 * The demo seed: a small dataset (20 products, 5 customers, 30 orders) goes through the CommandBus
 * of a running service and is deterministic: the same seed gives the same write model (apart from
 * the wall-clock timestamps the customers and catalog commands stamp themselves), another seed a
 * different one. Every document has the events that created it, and the inventory invariant holds.
 */
import type { Connection } from 'mongoose';
import { planDemoData, finalStatus } from '../../src/seed/demo-plan.js';
import { isEmptyDatabase, seedDemoData, type SeedReport } from '../../src/seed/seed-runner.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { inventoryViolations, writeDb } from './helpers/write-model.js';

const ANCHOR = new Date('2026-02-01T00:00:00.000Z');
const SIZES = { products: 20, customers: 5, orders: 30 };

type Doc = Record<string, unknown>;

/** Documents without the fields that differ between runs by design. */
async function dump(db: Connection, collection: string, key: string, drop: string[]): Promise<Doc[]> {
  const docs = await db
    .collection(collection)
    .find({})
    .sort({ [key]: 1 })
    .toArray();
  return docs.map((d) => {
    const out: Doc = { ...d };
    for (const f of ['_id', ...drop]) delete out[f];
    return out;
  });
}

async function writeModel(t: TestApp) {
  const db = writeDb(t.app);
  const orderEvents = await db
    .collection('domain_events')
    .find({ aggregateType: 'order' })
    .sort({ aggregateId: 1, aggregateVersion: 1 })
    .toArray();
  return {
    products: await dump(db, 'products', 'productId', ['createdAt', 'updatedAt']),
    customers: await dump(db, 'customers', 'customerId', ['createdAt', 'updatedAt']),
    addresses: await dump(db, 'addresses', 'addressId', ['createdAt', 'updatedAt']),
    orders: await dump(db, 'orders', 'orderId', []),
    orderEvents: orderEvents.map((e) => ({
      type: e.type,
      aggregateId: e.aggregateId,
      aggregateVersion: e.aggregateVersion,
      occurredAt: e.occurredAt,
      payload: e.payload,
    })),
  };
}

async function seeded(seed: number): Promise<{ t: TestApp; report: SeedReport }> {
  const t = await startTestApp();
  expect(await isEmptyDatabase(t.app)).toBe(true);
  const report = await seedDemoData(t.app, { seed, anchor: ANCHOR, ...SIZES, log: () => undefined });
  return { t, report };
}

describe('demo seed', () => {
  let first: { t: TestApp; report: SeedReport };
  let model: Awaited<ReturnType<typeof writeModel>>;

  beforeAll(async () => {
    first = await seeded(7);
    model = await writeModel(first.t);
  }, 120_000);

  afterAll(async () => {
    await first?.t.close();
  });

  it('creates the requested numbers of documents and reports them', async () => {
    expect(model.products).toHaveLength(20);
    expect(model.customers).toHaveLength(5);
    expect(model.orders).toHaveLength(30);
    expect(first.report).toMatchObject({
      seed: 7,
      anchor: ANCHOR.toISOString(),
      products: 20,
      customers: 5,
      orders: 30,
    });
    expect(model.addresses).toHaveLength(first.report.addresses);
    expect(await isEmptyDatabase(first.t.app)).toBe(false);
  });

  it('every order is in its planned status, with a gapless event history', async () => {
    const plan = planDemoData({ seed: 7, anchor: ANCHOR, ...SIZES });
    const planned = new Map(plan.orders.map((o) => [o.orderId, o]));
    for (const o of model.orders) {
      const p = planned.get(o.orderId as string)!;
      expect(o.status).toBe(finalStatus(p));
      expect(o.version).toBe(1 + p.steps.length);
      expect(o.createdAt).toEqual(p.placedAt);
      const versions = model.orderEvents
        .filter((e) => e.aggregateId === o.orderId)
        .map((e) => e.aggregateVersion);
      expect(versions).toEqual(Array.from({ length: o.version as number }, (_, i) => i + 1));
    }
    const byStatus = Object.fromEntries(
      ['pending', 'confirmed', 'shipped', 'delivered', 'cancelled'].map((s) => [
        s,
        model.orders.filter((o) => o.status === s).length,
      ]),
    );
    expect(byStatus).toEqual(first.report.ordersByStatus);
  });

  it('went through the commands: every product and customer has its creating event', async () => {
    const db = writeDb(first.t.app);
    const created = await db
      .collection('domain_events')
      .distinct('aggregateId', { type: 'catalog.product-created' });
    expect(created.sort()).toEqual(model.products.map((p) => p.productId).sort());
    const registered = await db
      .collection('domain_events')
      .distinct('aggregateId', { type: 'customers.customer-registered' });
    expect(registered.sort()).toEqual(model.customers.map((c) => c.customerId).sort());
  });

  it('the inventory invariant holds', async () => {
    expect(await inventoryViolations(first.t.app)).toEqual([]);
  });

  it('the same seed gives the same write model', async () => {
    const again = await seeded(7);
    try {
      const other = await writeModel(again.t);
      expect(other.orders).toEqual(model.orders);
      expect(other.orderEvents).toEqual(model.orderEvents);
      expect(other.products).toEqual(model.products);
      expect(other.customers).toEqual(model.customers);
      expect(other.addresses).toEqual(model.addresses);
    } finally {
      await again.t.close();
    }
  }, 120_000);

  it('another seed gives another one', async () => {
    const other = await seeded(8);
    try {
      const m = await writeModel(other.t);
      expect(m.orders).toHaveLength(30);
      expect(m.products.map((p) => p.productId)).not.toEqual(model.products.map((p) => p.productId));
      expect(m.orders.map((o) => o.orderId)).not.toEqual(model.orders.map((o) => o.orderId));
    } finally {
      await other.t.close();
    }
  }, 120_000);
});
