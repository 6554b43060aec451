/**
 * Concurrency: 50 customers order the last 20 units of a product at the same time. Exactly 20
 * units are sold, every other request is a 409 out of stock, and the inventory invariant
 * (reserved = Σ quantities in pending and confirmed orders, quantity >= 0) holds in the write model.
 * Concurrent updates of one order with the same version: exactly one wins, the history shows one
 * transition. (The 1,000-request oversell runs are in orders-oversell.e2e-spec.ts.)
 */
import request from 'supertest';
import { OrdersFixtures, type FixtureCustomer } from './helpers/orders-fixtures.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { inventoryOf, inventoryViolations, writeDb } from './helpers/write-model.js';

describe('orders under concurrency', () => {
  let t: TestApp;
  let fx: OrdersFixtures;
  let customers: FixtureCustomer[];

  beforeAll(async () => {
    t = await startTestApp();
    fx = new OrdersFixtures(t);
    customers = [];
    for (let i = 0; i < 50; i++) customers.push(await fx.customer(1));
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const placeOne = (c: FixtureCustomer, items: { productId: string; quantity: number }[]) =>
    request(t.http)
      .post('/api/orders')
      .set('Authorization', `Bearer ${c.token}`)
      .send({ items, shippingAddressId: c.addressIds[0], billingAddressId: c.addressIds[0] });

  it('50 concurrent customers, 20 units: exactly 20 sold, 30 × 409, invariant holds', async () => {
    const last = await fx.product('12.34', 20, 'Last units');
    const responses = await Promise.all(
      customers.map((c) => placeOne(c, [{ productId: last.productId, quantity: 1 }])),
    );

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(20);
    expect(statuses.filter((s) => s === 409)).toHaveLength(30);
    for (const r of responses.filter((x) => x.status === 409)) {
      expect(r.body).toMatchObject({
        code: 'CATALOG.OUT_OF_STOCK',
        details: { items: [{ productId: last.productId, requested: 1, available: 0 }] },
      });
    }

    expect(await inventoryOf(t.app, last.productId)).toEqual({ quantity: 0, reserved: 20 });
    const orders = await writeDb(t.app)
      .collection('orders')
      .find({ 'items.productId': last.productId })
      .toArray();
    expect(orders).toHaveLength(20);
    expect(new Set(orders.map((o) => o.customerId as string)).size).toBe(20);
    const ids = responses.filter((r) => r.status === 202).map((r) => r.body.id as string);
    expect(orders.map((o) => o.orderId as string).sort()).toEqual(ids.sort());
    // One event per product version: 1 created + 20 reservations, no gap, no duplicate.
    const versions = await writeDb(t.app)
      .collection('domain_events')
      .find({ aggregateId: last.productId })
      .map((e) => e.aggregateVersion as number)
      .toArray();
    expect(versions.sort((a, b) => a - b)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(await inventoryViolations(t.app)).toEqual([]);
  }, 120_000);

  /** The order as the read model shows it once it reflects `token` (read-your-writes). */
  const readOrder = async (id: string, token: string) => {
    const res = await request(t.http)
      .get(`/api/orders/${id}`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .set('X-Consistency-Token', token)
      .expect(200);
    expect(res.headers['x-consistency']).toBe('fresh');
    return res.body as {
      status: string;
      version: number;
      statusHistory: { status: string; version: number }[];
    };
  };

  it('25 admins confirm the same order with the same version: one 202, 24 × 409, one transition', async () => {
    const p = await fx.product('2.00', 10, 'One order');
    const placed = await placeOne(customers[0], [{ productId: p.productId, quantity: 1 }]).expect(202);
    const id = placed.body.id as string;
    const answers = await Promise.all(
      Array.from({ length: 25 }, () =>
        request(t.http)
          .put(`/api/orders/${id}/status`)
          .set('Authorization', `Bearer ${t.adminToken}`)
          .send({ status: 'confirmed', version: 1 }),
      ),
    );
    const winners = answers.filter((a) => a.status === 202);
    expect(winners).toHaveLength(1);
    const conflicts = answers.filter((a) => a.status === 409);
    expect(conflicts).toHaveLength(24);
    for (const c of conflicts)
      expect(c.body).toMatchObject({ code: 'ORDERS.VERSION_CONFLICT', details: { currentVersion: 2 } });
    const events = await writeDb(t.app).collection('domain_events').find({ aggregateId: id }).toArray();
    expect(events.map((e) => e.aggregateVersion as number).sort()).toEqual([1, 2]);
    expect(await writeDb(t.app).collection('orders').findOne({ orderId: id })).toMatchObject({
      status: 'confirmed',
      version: 2,
    });
    // The history shows one transition: placed (pending) -> confirmed, nothing twice.
    const order = await readOrder(id, winners[0].body.consistencyToken as string);
    expect(order.statusHistory.map((h) => [h.status, h.version])).toEqual([
      ['pending', 1],
      ['confirmed', 2],
    ]);
  }, 60_000);

  it('the owner cancels the same order 20 times at once with its version: one 202, stock released once', async () => {
    const p = await fx.product('2.00', 10, 'Cancel storm');
    const owner = customers[2];
    const placed = await placeOne(owner, [{ productId: p.productId, quantity: 4 }]).expect(202);
    const id = placed.body.id as string;
    expect(await inventoryOf(t.app, p.productId)).toEqual({ quantity: 6, reserved: 4 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        request(t.http)
          .post(`/api/orders/${id}/cancel`)
          .set('Authorization', `Bearer ${owner.token}`)
          .send({ reason: 'twice?', version: 1 }),
      ),
    );
    const winners = answers.filter((a) => a.status === 202);
    expect(winners).toHaveLength(1);
    const losers = answers.filter((a) => a.status !== 202);
    expect(losers.map((a) => a.status)).toEqual(Array.from({ length: 19 }, () => 409));
    for (const l of losers) expect(l.body.code).toMatch(/^ORDERS\.(VERSION_CONFLICT|INVALID_TRANSITION)$/);
    expect(await inventoryOf(t.app, p.productId)).toEqual({ quantity: 10, reserved: 0 });
    const events = await writeDb(t.app).collection('domain_events').find({ aggregateId: id }).toArray();
    expect(events.map((e) => e.aggregateVersion as number).sort()).toEqual([1, 2]);
    const order = await readOrder(id, winners[0].body.consistencyToken as string);
    expect(order.statusHistory.map((h) => [h.status, h.version])).toEqual([
      ['pending', 1],
      ['cancelled', 2],
    ]);
    expect(await inventoryViolations(t.app)).toEqual([]);
  }, 60_000);

  it('cancel and ship race on the same confirmed order: exactly one wins, stock moves once', async () => {
    const p = await fx.product('2.00', 10, 'Race');
    const placed = await placeOne(customers[1], [{ productId: p.productId, quantity: 3 }]).expect(202);
    const id = placed.body.id as string;
    const admin = `Bearer ${t.adminToken}`;
    await request(t.http)
      .put(`/api/orders/${id}/status`)
      .set('Authorization', admin)
      .send({ status: 'confirmed', version: 1 })
      .expect(202);
    const [cancelled, shipped] = await Promise.all([
      request(t.http).post(`/api/orders/${id}/cancel`).set('Authorization', `Bearer ${customers[1].token}`),
      request(t.http)
        .put(`/api/orders/${id}/status`)
        .set('Authorization', admin)
        .send({ status: 'shipped', version: 2 }),
    ]);
    expect([cancelled.status, shipped.status].sort()).toEqual([202, 409]);
    const order = await writeDb(t.app).collection('orders').findOne({ orderId: id });
    const inv = await inventoryOf(t.app, p.productId);
    if (cancelled.status === 202) {
      expect(order).toMatchObject({ status: 'cancelled', version: 3 });
      expect(inv).toEqual({ quantity: 10, reserved: 0 });
      expect(shipped.body.code).toMatch(/^ORDERS\.(VERSION_CONFLICT|INVALID_TRANSITION)$/);
    } else {
      expect(order).toMatchObject({ status: 'shipped', version: 3 });
      expect(inv).toEqual({ quantity: 7, reserved: 0 });
      expect(cancelled.body.code).toBe('ORDERS.INVALID_TRANSITION');
    }
    expect(await inventoryViolations(t.app)).toEqual([]);
  }, 60_000);

  it('mixed concurrent traffic (multi-line orders, cancels, shipping) keeps the invariant', async () => {
    const a = await fx.product('3.00', 15, 'A');
    const b = await fx.product('4.00', 10, 'B');
    // Phase 1: 50 concurrent orders of 1-2 units of A and/or B.
    const wants = customers.map((_, i) =>
      i % 3 === 0
        ? [{ productId: a.productId, quantity: 1 + (i % 2) }]
        : i % 3 === 1
          ? [{ productId: b.productId, quantity: 1 }]
          : [
              { productId: a.productId, quantity: 1 },
              { productId: b.productId, quantity: 1 },
            ],
    );
    const placed = await Promise.all(customers.map((c, i) => placeOne(c, wants[i])));
    for (const r of placed) expect([202, 409]).toContain(r.status);
    const okIdx = placed.map((r, i) => (r.status === 202 ? i : -1)).filter((i) => i >= 0);
    const soldA = okIdx.reduce(
      (s, i) => s + (wants[i].find((w) => w.productId === a.productId)?.quantity ?? 0),
      0,
    );
    const soldB = okIdx.reduce(
      (s, i) => s + (wants[i].find((w) => w.productId === b.productId)?.quantity ?? 0),
      0,
    );
    expect(soldA).toBeLessThanOrEqual(15);
    expect(soldB).toBeLessThanOrEqual(10);
    expect(await inventoryOf(t.app, a.productId)).toEqual({ quantity: 15 - soldA, reserved: soldA });
    expect(await inventoryOf(t.app, b.productId)).toEqual({ quantity: 10 - soldB, reserved: soldB });

    // Phase 2: concurrently, half of the placed orders are cancelled by their owners while an
    // admin confirms and ships the other half, and the remaining customers retry their orders.
    const admin = { Authorization: `Bearer ${t.adminToken}` };
    const work = okIdx.map(async (i, k) => {
      const id = placed[i].body.id as string;
      if (k % 2 === 0)
        return request(t.http)
          .post(`/api/orders/${id}/cancel`)
          .set('Authorization', `Bearer ${customers[i].token}`);
      await request(t.http)
        .put(`/api/orders/${id}/status`)
        .set(admin)
        .send({ status: 'confirmed', version: 1 })
        .expect(202);
      return request(t.http)
        .put(`/api/orders/${id}/status`)
        .set(admin)
        .send({ status: 'shipped', version: 2 });
    });
    const retries = customers
      .map((c, i) => (placed[i].status === 409 ? placeOne(c, wants[i]) : null))
      .filter((p): p is ReturnType<typeof placeOne> => p !== null);
    const results = await Promise.all([...work, ...retries]);
    for (const r of results) expect([202, 409]).toContain(r.status);
    for (const r of results.slice(0, work.length)) expect(r.status).toBe(202);

    expect(await inventoryViolations(t.app)).toEqual([]);
    // Stock is conserved: available + reserved + shipped = initial, per product.
    for (const [p, initial] of [
      [a.productId, 15],
      [b.productId, 10],
    ] as const) {
      const inv = await inventoryOf(t.app, p);
      const shipped = await writeDb(t.app)
        .collection('orders')
        .aggregate<{ n: number }>([
          { $match: { status: 'shipped' } },
          { $unwind: '$items' },
          { $match: { 'items.productId': p } },
          { $group: { _id: null, n: { $sum: '$items.quantity' } } },
        ])
        .toArray();
      expect(inv.quantity + inv.reserved + (shipped[0]?.n ?? 0)).toBe(initial);
    }
  }, 120_000);
});
