/**
 * Oversell under real concurrency (issue #7): 1,000 orders in flight at once over TCP against a
 * product with 100 units, then the same with cancellations, shipments and admin restocks mixed
 * in. Stock is never sold twice or driven below zero, every rejection is a clean 409 out of stock
 * that leaves nothing behind, nothing answers 5xx, and the read model converges on the write model.
 */
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { InventoryService } from '../../src/modules/catalog/catalog.public.js';
import { READ_CONNECTION } from '../../src/shared/persistence/connections.js';
import { call, listen, statusCounts, type HttpAnswer } from './helpers/http-client.js';
import { OrdersFixtures, type FixtureCustomer } from './helpers/orders-fixtures.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { inventoryOf, inventoryViolations, writeDb } from './helpers/write-model.js';

const CUSTOMERS = 20;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** One progress line per phase (these runs take a while on a shared machine). */
const report = (line: string): void => void process.stderr.write(`[oversell] ${line}\n`);

interface OrderDoc {
  orderId: string;
  customerId: string;
  status: string;
  items: { productId: string; quantity: number }[];
}

describe('orders: no oversell under 1,000 concurrent requests', () => {
  let t: TestApp;
  let fx: OrdersFixtures;
  let base: string;
  let customers: FixtureCustomer[];

  beforeAll(async () => {
    t = await startTestApp();
    fx = new OrdersFixtures(t);
    base = await listen(t.app);
    customers = [];
    for (let i = 0; i < CUSTOMERS; i++) customers.push(await fx.customer(1));
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const placeOrder = (c: FixtureCustomer, productId: string): Promise<HttpAnswer> =>
    call(base, 'POST', '/api/orders', {
      token: c.token,
      idempotencyKey: randomUUID(),
      body: {
        items: [{ productId, quantity: 1 }],
        shippingAddressId: c.addressIds[0],
        billingAddressId: c.addressIds[0],
      },
    });

  const admin = (method: string, path: string, body: unknown): Promise<HttpAnswer> =>
    call(base, method, path, { token: t.adminToken, idempotencyKey: randomUUID(), body });

  const ordersOf = (productId: string): Promise<OrderDoc[]> =>
    writeDb(t.app)
      .collection<OrderDoc>('orders')
      .find(
        { 'items.productId': productId },
        { projection: { _id: 0, orderId: 1, customerId: 1, status: 1, items: 1 } },
      )
      .toArray();

  const eventCount = (type: string, aggregateIds: readonly string[]): Promise<number> =>
    writeDb(t.app)
      .collection('domain_events')
      .countDocuments({ type, aggregateId: { $in: [...aggregateIds] } });

  /** The product's event versions are exactly 1..n (one event per version, no gap, no duplicate). */
  async function expectContiguousVersions(productId: string): Promise<number> {
    const versions = await writeDb(t.app)
      .collection('domain_events')
      .find({ aggregateId: productId })
      .map((e) => e.aggregateVersion as number)
      .toArray();
    versions.sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    return versions.length;
  }

  /** Samples the product's inventory until `stop()`; returns the lowest values seen. */
  function watchInventory(productId: string): { stop(): Promise<{ quantity: number; reserved: number }> } {
    let running = true;
    const low = { quantity: Number.POSITIVE_INFINITY, reserved: Number.POSITIVE_INFINITY };
    const loop = (async () => {
      while (running) {
        const inv = await inventoryOf(t.app, productId);
        low.quantity = Math.min(low.quantity, inv.quantity);
        low.reserved = Math.min(low.reserved, inv.reserved);
        await sleep(25);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return low;
      },
    };
  }

  const idsOf = (answers: readonly HttpAnswer[]): string[] =>
    answers.filter((a) => a.status === 202).map((a) => (a.body as { id: string }).id);

  function expectOutOfStock(answers: readonly HttpAnswer[], productId: string): void {
    for (const a of answers.filter((x) => x.status === 409))
      expect(a.body).toMatchObject({
        statusCode: 409,
        code: 'CATALOG.OUT_OF_STOCK',
        message: expect.any(String),
        details: { items: [{ productId, requested: 1 }] },
      });
  }

  it('1,000 concurrent orders of 1 unit against 100 units: 100 × 202, 900 × 409, nothing else', async () => {
    const p = await fx.product('9.99', 100, 'Hundred units');
    const watch = watchInventory(p.productId);
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => placeOrder(customers[i % CUSTOMERS], p.productId)),
    );
    const lowest = await watch.stop();
    report(`1,000 orders answered in ${Date.now() - started} ms: ${JSON.stringify(statusCounts(answers))}`);

    expect(statusCounts(answers)).toEqual({ 202: 100, 409: 900 });
    expectOutOfStock(answers, p.productId);
    expect(lowest.quantity).toBeGreaterThanOrEqual(0);
    expect(lowest.reserved).toBeGreaterThanOrEqual(0);

    const accepted = idsOf(answers);
    expect(new Set(accepted).size).toBe(100);
    expect(await inventoryOf(t.app, p.productId)).toEqual({ quantity: 0, reserved: 100 });
    expect(await inventoryViolations(t.app)).toEqual([]);
    // Every accepted order is in the write model exactly once; the rejected ones left no order,
    // no order event and no product version.
    const orders = await ordersOf(p.productId);
    expect(orders.map((o) => o.orderId).sort()).toEqual([...accepted].sort());
    expect(orders.every((o) => o.status === 'pending')).toBe(true);
    expect(await eventCount('orders.order-placed', accepted)).toBe(100);
    expect(
      await writeDb(t.app).collection('domain_events').countDocuments({ type: 'orders.order-placed' }),
    ).toBe(100);
    expect(await expectContiguousVersions(p.productId)).toBe(101);
    // No idempotency key is left pending: every request recorded its outcome.
    expect(await writeDb(t.app).collection('idempotency_keys').countDocuments({ state: 'pending' })).toBe(0);

    // The orders_read projection converges on exactly the accepted orders (bounded wait).
    const readDb = t.app.get<Connection>(getConnectionToken(READ_CONNECTION));
    const projected = async (): Promise<string[]> =>
      (
        await readDb
          .collection('orders_read')
          .find({ 'items.productId': p.productId }, { projection: { _id: 1 } })
          .toArray()
      ).map((d) => String(d._id));
    const deadline = Date.now() + 60_000;
    let seen = await projected();
    while (seen.length < 100 && Date.now() < deadline) {
      await sleep(200);
      seen = await projected();
    }
    expect(seen.sort()).toEqual([...accepted].sort());
    report(`orders_read converged ${Date.now() - started} ms after the first request`);
  }, 600_000);

  it('orders, cancellations, shipments and restocks at once: stock is conserved and never negative', async () => {
    const initial = 100;
    const p = await fx.product('4.50', initial, 'Mixed traffic');
    // Phase 1: 60 orders take 60 of the 100 units.
    const first = await Promise.all(
      Array.from({ length: 60 }, (_, i) => placeOrder(customers[i % CUSTOMERS], p.productId)),
    );
    expect(statusCounts(first)).toEqual({ 202: 60 });
    const firstIds = idsOf(first);
    const ownerOf = new Map((await ordersOf(p.productId)).map((o) => [o.orderId, o.customerId]));
    const tokenOf = (orderId: string): string => t.customerToken(ownerOf.get(orderId)!);

    // Phase 2, all at once: 600 new orders, 40 cancellations (owners and admin), 10 orders
    // confirmed then shipped, 20 restocks of +5.
    const cancelIds = firstIds.slice(0, 40);
    const shipIds = firstIds.slice(40, 50);
    const restocks = 20;
    const restockDelta = 5;
    const watch = watchInventory(p.productId);
    const started = Date.now();
    // Every request is in flight at once; the others are launched between the orders (one every
    // 8 or 9 orders) so they arrive interleaved with them, not all after them.
    const orderThunks = Array.from(
      { length: 600 },
      (_, i) => () => placeOrder(customers[i % CUSTOMERS], p.productId),
    );
    const cancelThunks = cancelIds.map(
      (id, i) => () =>
        call(base, 'POST', `/api/orders/${id}/cancel`, {
          token: i % 2 === 0 ? tokenOf(id) : t.adminToken,
          idempotencyKey: randomUUID(),
          body: { reason: 'changed my mind' },
        }),
    );
    const shipThunks = shipIds.map((id) => async () => {
      const confirmed = await admin('PUT', `/api/orders/${id}/status`, { status: 'confirmed', version: 1 });
      if (confirmed.status !== 202) return confirmed;
      return admin('PUT', `/api/orders/${id}/status`, { status: 'shipped', version: 2 });
    });
    const restockThunks = Array.from(
      { length: restocks },
      () => () =>
        admin('POST', `/api/products/${p.productId}/inventory`, { delta: restockDelta, reason: 'restock' }),
    );
    const others = [...cancelThunks, ...shipThunks, ...restockThunks].map((run, i) => ({ run, i }));
    // A fixed interleaving of the three kinds (cancel, ship, restock) among themselves too.
    others.sort((x, y) => ((x.i * 37) % others.length) - ((y.i * 37) % others.length));
    const launched = new Map<(typeof others)[number]['run'], Promise<HttpAnswer>>();
    const newOrders: Promise<HttpAnswer>[] = [];
    const every = Math.floor(orderThunks.length / others.length);
    orderThunks.forEach((run, k) => {
      newOrders.push(run());
      const other = k % every === every - 1 ? others[Math.floor(k / every)] : undefined;
      if (other) launched.set(other.run, other.run());
    });
    for (const o of others) if (!launched.has(o.run)) launched.set(o.run, o.run());
    const [placed, cancelled, shipped, restocked] = await Promise.all([
      Promise.all(newOrders),
      Promise.all(cancelThunks.map((r) => launched.get(r)!)),
      Promise.all(shipThunks.map((r) => launched.get(r)!)),
      Promise.all(restockThunks.map((r) => launched.get(r)!)),
    ]);
    const lowest = await watch.stop();
    report(
      `mixed run answered in ${Date.now() - started} ms: orders ${JSON.stringify(statusCounts(placed))}, ` +
        `cancels ${JSON.stringify(statusCounts(cancelled))}, shipments ${JSON.stringify(statusCounts(shipped))}, ` +
        `restocks ${JSON.stringify(statusCounts(restocked))}`,
    );

    expect(statusCounts(cancelled)).toEqual({ 202: cancelIds.length });
    expect(statusCounts(shipped)).toEqual({ 202: shipIds.length });
    expect(statusCounts(restocked)).toEqual({ 202: restocks });
    const placedCounts = statusCounts(placed);
    expect(Object.keys(placedCounts).sort()).toEqual(['202', '409']);
    expectOutOfStock(placed, p.productId);
    expect(lowest.quantity).toBeGreaterThanOrEqual(0);
    expect(lowest.reserved).toBeGreaterThanOrEqual(0);

    // Capacity: 40 units left after phase 1, + 40 released + 100 restocked. Any rejection means
    // the stock was at 0 then, so at least the 40 left were sold to the new orders first.
    const acceptedNew = idsOf(placed);
    const restocked_ = restocks * restockDelta;
    expect(acceptedNew.length).toBeGreaterThanOrEqual(initial - firstIds.length);
    expect(acceptedNew.length).toBeLessThanOrEqual(initial - firstIds.length + cancelIds.length + restocked_);

    // The write model: each accepted order exactly once, nothing from the rejected ones.
    const orders = await ordersOf(p.productId);
    const allAccepted = [...firstIds, ...acceptedNew];
    expect(orders.map((o) => o.orderId).sort()).toEqual([...allAccepted].sort());
    expect(await eventCount('orders.order-placed', allAccepted)).toBe(allAccepted.length);
    const byStatus = (s: string): number => orders.filter((o) => o.status === s).length;
    expect(byStatus('cancelled')).toBe(cancelIds.length);
    expect(byStatus('shipped')).toBe(shipIds.length);
    expect(byStatus('pending')).toBe(allAccepted.length - cancelIds.length - shipIds.length);

    // reserved = units in live orders; available = initial + restocks - reserved - sold >= 0.
    expect(await inventoryViolations(t.app)).toEqual([]);
    const inv = await inventoryOf(t.app, p.productId);
    const sold = shipIds.length;
    expect(inv.reserved).toBe(byStatus('pending'));
    expect(inv.quantity).toBe(initial + restocked_ - inv.reserved - sold);
    expect(inv.quantity).toBeGreaterThanOrEqual(0);
    // Product events: 1 created + one per reservation, release, consumption and restock.
    expect(await expectContiguousVersions(p.productId)).toBe(
      1 + allAccepted.length + cancelIds.length + shipIds.length + restocks,
    );
  }, 600_000);

  it('the queue hint: couldReserve says whether a reservation would succeed now, the transaction still decides', async () => {
    const inventory = t.app.get(InventoryService);
    const two = await fx.product('1.00', 2, 'Two left');
    const gone = await fx.product('1.00', 1, 'Discontinued');
    await fx.discontinue(gone.productId);
    expect(await inventory.couldReserve([{ productId: two.productId, quantity: 2 }])).toBe(true);
    expect(await inventory.couldReserve([{ productId: two.productId, quantity: 3 }])).toBe(false);
    // Lines of one product are merged, as reserve does.
    expect(
      await inventory.couldReserve([
        { productId: two.productId, quantity: 1 },
        { productId: two.productId, quantity: 2 },
      ]),
    ).toBe(false);
    expect(await inventory.couldReserve([{ productId: gone.productId, quantity: 1 }])).toBe(false);
    expect(await inventory.couldReserve([{ productId: 'prd_unknown', quantity: 1 }])).toBe(false);
    // Invalid lines are left to the transaction, which names the error.
    expect(await inventory.couldReserve([{ productId: two.productId, quantity: 0 }])).toBe(true);
    // Refused orders of a sold-out product still get the full error from their transaction.
    const c = customers[0];
    const sold = await placeOrder(c, two.productId);
    expect(sold.status).toBe(202);
    await placeOrder(c, two.productId);
    const refused = await placeOrder(c, two.productId);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'CATALOG.OUT_OF_STOCK',
      details: { items: [{ productId: two.productId, requested: 1, available: 0 }] },
    });
  });
});
