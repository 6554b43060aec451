/**
 * The order queries over HTTP: orders are placed and moved through the command API, then read back
 * from the read models (orders_read, orders_summary) with the command's consistency token.
 */
import request from 'supertest';
import { Dec } from '../../src/shared/money/money.js';
import { QueryCache } from '../../src/shared/cache/query-cache.js';
import { UnitOfWork } from '../../src/shared/persistence/unit-of-work.js';
import { ProjectionsService } from '../../src/shared/projections/projections.service.js';
import { OrdersFixtures, type FixtureCustomer, type FixtureProduct } from './helpers/orders-fixtures.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

import { jest } from '@jest/globals';

jest.setTimeout(60_000);

interface Accepted {
  id: string;
  version: number;
  consistencyToken: string;
}

interface OrderBody {
  orderId: string;
  customer: { customerId: string; name: string; email: string; vipStatus: string };
  items: {
    productId: string;
    sku: string;
    name: string;
    brand: string;
    category: string[];
    unitPrice: string;
    subtotal: string;
    quantity: number;
  }[];
  amounts: { subtotal: string; tax: string; shipping: string; total: string };
  status: string;
  statusHistory: { status: string; at: string; version: number }[];
  shippingAddress: { addressId: string; city: string };
  version: number;
  createdAt: string;
}

interface ListBody {
  items: OrderBody[];
  pagination: { total: number; limit: number; offset: number; pages: number };
}

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('order queries (e2e)', () => {
  let t: TestApp;
  let fx: OrdersFixtures;
  let mug: FixtureProduct;
  let tea: FixtureProduct;
  let alice: FixtureCustomer;
  let bob: FixtureCustomer;
  /** Every order placed in this file: id -> { total, status } (for the summary). */
  const placedOrders = new Map<string, { total: string; status: string; customerId: string }>();

  beforeAll(async () => {
    t = await startTestApp();
    fx = new OrdersFixtures(t);
    mug = await fx.product('19.99', 1000, 'Ceramic Mug');
    tea = await fx.product('5.00', 1000, 'Green Tea');
    alice = await fx.customer(2);
    bob = await fx.customer(1);
  });

  afterAll(async () => {
    await t.close();
  });

  async function place(
    c: FixtureCustomer,
    items: { productId: string; quantity: number }[],
  ): Promise<Accepted> {
    const res = await request(t.http)
      .post('/api/orders')
      .set(auth(c.token))
      .send({
        items,
        shippingAddressId: c.addressIds[0],
        billingAddressId: c.addressIds[c.addressIds.length - 1],
      });
    expect(res.status).toBe(202);
    return res.body as Accepted;
  }

  async function getOrder(id: string, token: string, consistency?: string) {
    const req = request(t.http).get(`/api/orders/${id}`).set(auth(token));
    if (consistency) req.set('X-Consistency-Token', consistency);
    return req;
  }

  async function placeAndRead(
    c: FixtureCustomer,
    items: { productId: string; quantity: number }[],
  ): Promise<OrderBody> {
    const a = await place(c, items);
    const res = await getOrder(a.id, c.token, a.consistencyToken);
    expect(res.status).toBe(200);
    expect(res.headers['x-consistency']).toBe('fresh');
    const body = res.body as OrderBody;
    placedOrders.set(body.orderId, {
      total: body.amounts.total,
      status: body.status,
      customerId: c.customerId,
    });
    return body;
  }

  async function setStatus(orderId: string, status: string, version: number): Promise<Accepted> {
    const res = await request(t.http)
      .put(`/api/orders/${orderId}/status`)
      .set(auth(t.adminToken))
      .send({ status, version });
    expect(res.status).toBe(202);
    const entry = placedOrders.get(orderId);
    if (entry) entry.status = status;
    return res.body as Accepted;
  }

  describe('GET /api/orders/:id', () => {
    it('returns the order with customer, enriched items, exact money and history right after placing it', async () => {
      const o = await placeAndRead(alice, [
        { productId: mug.productId, quantity: 2 },
        { productId: tea.productId, quantity: 3 },
      ]);
      expect(o.customer.customerId).toBe(alice.customerId);
      expect(o.status).toBe('pending');
      expect(o.version).toBe(1);
      const mugLine = o.items.find((i) => i.productId === mug.productId);
      expect(mugLine).toMatchObject({
        sku: mug.sku,
        name: 'Ceramic Mug',
        brand: 'Testbrand',
        unitPrice: '19.99',
        subtotal: '39.98',
        quantity: 2,
      });
      expect(o.amounts.subtotal).toBe('54.98');
      expect(new Dec(o.amounts.subtotal).plus(o.amounts.tax).plus(o.amounts.shipping).toFixed(2)).toBe(
        o.amounts.total,
      );
      expect(o.shippingAddress.addressId).toBe(alice.addressIds[0]);
      expect(o.statusHistory).toHaveLength(1);
    });

    it('reflects each status change with the token, history in order', async () => {
      const o = await placeAndRead(alice, [{ productId: mug.productId, quantity: 1 }]);
      const c = await setStatus(o.orderId, 'confirmed', 1);
      const s = await setStatus(o.orderId, 'shipped', c.version);
      const res = await getOrder(o.orderId, alice.token, s.consistencyToken);
      expect(res.headers['x-consistency']).toBe('fresh');
      const body = res.body as OrderBody;
      expect(body.status).toBe('shipped');
      expect(body.version).toBe(3);
      expect(body.statusHistory.map((h) => h.status)).toEqual(['pending', 'confirmed', 'shipped']);
    });

    it('read-your-writes: 200 commands each followed at once by a read with its token see their change every time', async () => {
      for (let i = 0; i < 100; i++) {
        const a = await place(bob, [{ productId: tea.productId, quantity: 1 }]);
        const res = await getOrder(a.id, bob.token, a.consistencyToken);
        expect([i, res.status, res.headers['x-consistency']]).toEqual([i, 200, 'fresh']);
        const body = res.body as OrderBody;
        expect(body.version).toBe(1);
        placedOrders.set(a.id, { total: body.amounts.total, status: 'pending', customerId: bob.customerId });
        const c = await setStatus(a.id, 'confirmed', 1);
        const after = await getOrder(a.id, bob.token, c.consistencyToken);
        expect([i, after.headers['x-consistency'], (after.body as OrderBody).status]).toEqual([
          i,
          'fresh',
          'confirmed',
        ]);
      }
    }, 180_000);

    it('another customer gets 404, the same as for an unknown order; admin sees it', async () => {
      const o = await placeAndRead(alice, [{ productId: tea.productId, quantity: 1 }]);
      const other = await getOrder(o.orderId, bob.token);
      expect(other.status).toBe(404);
      expect(other.body.code).toBe('ORDERS.NOT_FOUND');
      const unknown = await getOrder('ord_00000000-0000-4000-8000-000000000000', bob.token);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe(other.body.code);
      expect((await getOrder(o.orderId, t.adminToken)).status).toBe(200);
      expect((await getOrder('not-an-id', t.adminToken)).status).toBe(404);
    });

    it('a malformed consistency token is a 400; a token of another aggregate is not waited for', async () => {
      const o = await placeAndRead(alice, [{ productId: tea.productId, quantity: 1 }]);
      const bad = await getOrder(o.orderId, alice.token, 'garbage');
      expect(bad.status).toBe(400);
      const na = await getOrder(o.orderId, alice.token, `${alice.customerId}@3`);
      expect(na.status).toBe(200);
      expect(na.headers['x-consistency']).toBe('not-applicable');
      const none = await getOrder(o.orderId, alice.token);
      expect(none.headers['x-consistency']).toBeUndefined();
    });

    it('a version the read model does not reach answers X-Consistency: stale after the bounded wait', async () => {
      const o = await placeAndRead(alice, [{ productId: tea.productId, quantity: 1 }]);
      const started = Date.now();
      const res = await getOrder(o.orderId, alice.token, `${o.orderId}@99`);
      expect(res.status).toBe(200);
      expect(res.headers['x-consistency']).toBe('stale');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    });
  });

  describe('cache', () => {
    it('a cached order and list show a status change on the next queries, without waiting for a TTL', async () => {
      const cache = t.app.get(QueryCache);
      const o = await placeAndRead(alice, [{ productId: tea.productId, quantity: 1 }]);
      await t.settled();
      const listUrl = `/api/customers/${alice.customerId}/orders?limit=100`;
      await getOrder(o.orderId, alice.token);
      await request(t.http).get(listUrl).set(auth(alice.token));
      const hitsBefore = cache.stats().hits;
      expect(((await getOrder(o.orderId, alice.token)).body as OrderBody).status).toBe('pending');
      await request(t.http).get(listUrl).set(auth(alice.token));
      expect(cache.stats().hits).toBeGreaterThan(hitsBefore);
      await setStatus(o.orderId, 'confirmed', 1);
      const started = Date.now();
      const seen = await eventually(
        async () => ((await getOrder(o.orderId, alice.token)).body as OrderBody).status,
        (s) => s === 'confirmed',
      );
      expect(seen).toBe('confirmed');
      const list = (await request(t.http).get(listUrl).set(auth(alice.token))).body as ListBody;
      expect(list.items.find((i) => i.orderId === o.orderId)?.status).toBe('confirmed');
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });

  describe('resync path', () => {
    it('an order whose events were committed but never published reaches orders_read and the summary anyway', async () => {
      const uow = t.app.get(UnitOfWork);
      let orderId: string | undefined;
      uow.afterCommitHook = (events) => {
        orderId = events.find((e) => e.type === 'orders.order-placed')?.aggregateId;
        throw new Error('simulated crash between commit and publish');
      };
      try {
        const res = await request(t.http)
          .post('/api/orders')
          .set(auth(alice.token))
          .send({
            items: [{ productId: tea.productId, quantity: 4 }],
            shippingAddressId: alice.addressIds[0],
            billingAddressId: alice.addressIds[0],
          });
        expect(res.status).toBe(500);
      } finally {
        uow.afterCommitHook = undefined;
      }
      expect(orderId).toBeDefined();
      const res = await getOrder(orderId as string, alice.token, `${orderId}@1`);
      expect([res.status, res.headers['x-consistency']]).toEqual([200, 'fresh']);
      const body = res.body as OrderBody;
      placedOrders.set(body.orderId, {
        total: body.amounts.total,
        status: 'pending',
        customerId: alice.customerId,
      });
    });
  });

  describe('fan-out', () => {
    it('a customer profile, VIP and address change and a product rename reach every order that embeds them', async () => {
      const o = await placeAndRead(alice, [{ productId: mug.productId, quantity: 1 }]);
      const patch = await request(t.http)
        .patch(`/api/customers/${alice.customerId}`)
        .set(auth(t.adminToken))
        .send({ name: 'Alice Renamed' });
      expect(patch.status).toBe(202);
      const vip = await request(t.http)
        .put(`/api/customers/${alice.customerId}/vip`)
        .set(auth(t.adminToken))
        .send({ vipStatus: 'gold' });
      expect(vip.status).toBe(202);
      const address = await request(t.http)
        .patch(`/api/customers/${alice.customerId}/addresses/${alice.addressIds[0]}`)
        .set(auth(t.adminToken))
        .send({ city: 'Springfield' });
      expect(address.status).toBe(202);
      const rename = await request(t.http)
        .patch(`/api/products/${mug.productId}`)
        .set(auth(t.adminToken))
        .send({ name: 'Stoneware Mug' });
      expect([200, 202]).toContain(rename.status);
      const list = await eventually(
        async () =>
          (
            await request(t.http)
              .get(`/api/customers/${alice.customerId}/orders?limit=100`)
              .set(auth(alice.token))
          ).body as ListBody,
        (b) =>
          b.items.every(
            (i) =>
              i.customer.name === 'Alice Renamed' &&
              i.customer.vipStatus === 'gold' &&
              i.shippingAddress.city === 'Springfield' &&
              i.items.every((l) => l.productId !== mug.productId || l.name === 'Stoneware Mug'),
          ),
      );
      expect(list.items.length).toBeGreaterThan(1);
      for (const i of list.items) {
        expect(i.customer).toMatchObject({ name: 'Alice Renamed', vipStatus: 'gold' });
        expect(i.shippingAddress).toMatchObject({ addressId: alice.addressIds[0], city: 'Springfield' });
        for (const l of i.items) if (l.productId === mug.productId) expect(l.name).toBe('Stoneware Mug');
      }
      expect(list.items.some((i) => i.orderId === o.orderId)).toBe(true);
    });
  });

  describe('GET /api/customers/:id/orders', () => {
    it('pages with total / pages, sorts by createdAt or total, filters by status and dates', async () => {
      const carol = await fx.customer(1);
      const ids: string[] = [];
      for (let i = 1; i <= 5; i++) {
        const o = await placeAndRead(carol, [{ productId: tea.productId, quantity: i }]);
        ids.push(o.orderId);
      }
      await setStatus(ids[0], 'confirmed', 1);
      const last = await setStatus(ids[1], 'cancelled', 1);
      const list = (q: string, token = carol.token, consistency?: string) => {
        const r = request(t.http).get(`/api/customers/${carol.customerId}/orders${q}`).set(auth(token));
        if (consistency) r.set('X-Consistency-Token', consistency);
        return r;
      };
      const page1 = await list('?limit=2&offset=0', carol.token, last.consistencyToken);
      expect(page1.status).toBe(200);
      expect((page1.body as ListBody).pagination).toEqual({ total: 5, limit: 2, offset: 0, pages: 3 });
      expect((page1.body as ListBody).items.map((i) => i.orderId)).toEqual([ids[4], ids[3]]);
      const page3 = (await list('?limit=2&offset=4')).body as ListBody;
      expect(page3.items.map((i) => i.orderId)).toEqual([ids[0]]);
      const asc = (await list('?sort=createdAt&order=asc&limit=100')).body as ListBody;
      expect(asc.items.map((i) => i.orderId)).toEqual(ids);
      const byTotal = (await list('?sort=total&order=desc')).body as ListBody;
      const totals = byTotal.items.map((i) => new Dec(i.amounts.total));
      for (let i = 1; i < totals.length; i++) expect(totals[i - 1].gte(totals[i])).toBe(true);
      const cancelled = (await list('?status=cancelled')).body as ListBody;
      expect(cancelled.items.map((i) => i.orderId)).toEqual([ids[1]]);
      expect(cancelled.pagination.total).toBe(1);
      const today = new Date().toISOString().slice(0, 10);
      expect(((await list(`?fromDate=${today}&toDate=${today}`)).body as ListBody).pagination.total).toBe(5);
      expect(((await list('?toDate=2000-01-01')).body as ListBody).pagination.total).toBe(0);
      // Admin may list; another customer may not.
      expect((await list('', t.adminToken)).status).toBe(200);
      expect((await list('', alice.token)).status).toBe(403);
    });

    it('bad parameters are a 400 naming every field, never a 500', async () => {
      const res = await request(t.http)
        .get(
          `/api/customers/${alice.customerId}/orders?limit=101&offset=-1&status=lost&fromDate=yesterday&sort=price&order=up`,
        )
        .set(auth(alice.token));
      expect(res.status).toBe(400);
      const fields = (res.body.details as { field: string }[]).map((d) => d.field).sort();
      expect(fields).toEqual(['fromDate', 'limit', 'offset', 'order', 'sort', 'status']);
      for (const q of [
        '?limit=abc',
        '?status[$ne]=x',
        '?limit=0',
        '?foo=1',
        '?fromDate=2026-02-10&toDate=2026-02-01',
      ]) {
        const r = await request(t.http)
          .get(`/api/customers/${alice.customerId}/orders${q}`)
          .set(auth(alice.token));
        expect([q, r.status]).toEqual([q, 400]);
      }
    });
  });

  describe('GET /api/orders/search', () => {
    it('finds by full text (product, customer), filters by status and total range; admin only', async () => {
      const special = await fx.product('42.00', 100, 'Zanzibar Teapot');
      const o = await placeAndRead(bob, [{ productId: special.productId, quantity: 1 }]);
      const search = (q: string, token = t.adminToken) =>
        request(t.http).get(`/api/orders/search${q}`).set(auth(token));
      const byText = (await search('?q=zanzibar')).body as ListBody;
      expect(byText.items.map((i) => i.orderId)).toEqual([o.orderId]);
      expect(byText.pagination.total).toBe(1);
      const bySku = (await search(`?q=${encodeURIComponent(special.sku)}`)).body as ListBody;
      expect(bySku.items.map((i) => i.orderId)).toContain(o.orderId);
      const total = o.amounts.total;
      const inRange = (await search(`?minTotal=${total}&maxTotal=${total}&limit=100`)).body as ListBody;
      expect(inRange.items.map((i) => i.orderId)).toContain(o.orderId);
      for (const i of inRange.items) expect(i.amounts.total).toBe(total);
      const above = (await search(`?q=zanzibar&minTotal=${new Dec(total).plus('0.01').toFixed(2)}`))
        .body as ListBody;
      expect(above.pagination.total).toBe(0);
      const statusFiltered = (await search('?q=zanzibar&status=shipped')).body as ListBody;
      expect(statusFiltered.pagination.total).toBe(0);
      expect((await search('?q=zanzibar', bob.token)).status).toBe(403);
      const bad = await search('?minTotal=abc&maxTotal=-1&status=nope&limit=1000');
      expect(bad.status).toBe(400);
      expect((bad.body.details as { field: string }[]).map((d) => d.field).sort()).toEqual([
        'limit',
        'maxTotal',
        'minTotal',
        'status',
      ]);
      expect((await search('?minTotal=10&maxTotal=5')).status).toBe(400);
    });

    it('ranks by text relevance: more matching words first, then newest', async () => {
      const once = await fx.product('3.00', 100, 'Nebula Cable');
      const twice = await fx.product('4.00', 100, 'Nebula Nebula Lamp');
      const oOnce = await placeAndRead(bob, [{ productId: once.productId, quantity: 1 }]);
      const oTwice = await placeAndRead(bob, [
        { productId: twice.productId, quantity: 1 },
        { productId: once.productId, quantity: 1 },
      ]);
      const oOnceLater = await placeAndRead(bob, [{ productId: once.productId, quantity: 2 }]);
      const res = await request(t.http).get('/api/orders/search?q=nebula').set(auth(t.adminToken));
      expect((res.body as ListBody).items.map((i) => i.orderId)).toEqual([
        oTwice.orderId,
        oOnceLater.orderId,
        oOnce.orderId,
      ]);
    });
  });

  describe('GET /api/analytics/orders-summary', () => {
    it('is exact for the day: count, revenue without cancelled, average, status counts, tops', async () => {
      const o = await placeAndRead(alice, [{ productId: mug.productId, quantity: 3 }]);
      const c = await setStatus(o.orderId, 'cancelled', 1);
      const day = new Date().toISOString().slice(0, 10);
      const res = await request(t.http)
        .get(`/api/analytics/orders-summary?date=${day}`)
        .set(auth(t.adminToken))
        .set('X-Consistency-Token', c.consistencyToken);
      expect(res.status).toBe(200);
      expect(res.headers['x-consistency']).toBe('fresh');
      const all = [...placedOrders.values()];
      const live = all.filter((x) => x.status !== 'cancelled');
      const revenue = live.reduce((s, x) => s.plus(x.total), new Dec(0));
      const s = res.body as {
        orderCount: number;
        revenueOrderCount: number;
        totalRevenue: string;
        avgOrderValue: string;
        byStatus: Record<string, number>;
        topCustomers: { customerId: string; totalSpent: string }[];
      };
      expect(s.orderCount).toBe(all.length);
      expect(s.revenueOrderCount).toBe(live.length);
      expect(s.totalRevenue).toBe(revenue.toFixed(2));
      expect(s.avgOrderValue).toBe(revenue.div(live.length).toDecimalPlaces(2).toFixed(2));
      expect(s.byStatus.cancelled).toBe(all.filter((x) => x.status === 'cancelled').length);
      expect(Object.values(s.byStatus).reduce((a, b) => a + b, 0)).toBe(all.length);
      const spent = new Map<string, Dec>();
      for (const x of live) spent.set(x.customerId, (spent.get(x.customerId) ?? new Dec(0)).plus(x.total));
      const top = [...spent.entries()].sort((a, b) => b[1].comparedTo(a[1]) || a[0].localeCompare(b[0]))[0];
      expect(s.topCustomers[0]).toMatchObject({ customerId: top[0], totalSpent: top[1].toFixed(2) });
    });

    it('a day without orders is all zeros; bad or missing date is a 400; customers get 403', async () => {
      const empty = await request(t.http)
        .get('/api/analytics/orders-summary?date=2001-01-01')
        .set(auth(t.adminToken));
      expect(empty.status).toBe(200);
      expect(empty.body).toMatchObject({ orderCount: 0, totalRevenue: '0.00', avgOrderValue: '0.00' });
      for (const q of ['', '?date=2026-02-30', '?date=yesterday', '?date[$gt]=2020-01-01']) {
        const r = await request(t.http).get(`/api/analytics/orders-summary${q}`).set(auth(t.adminToken));
        expect([q, r.status]).toEqual([q, 400]);
      }
      const r = await request(t.http)
        .get('/api/analytics/orders-summary?date=2026-01-01')
        .set(auth(alice.token));
      expect(r.status).toBe(403);
    });
  });

  describe('after all of the above', () => {
    it('verify: a replay of the event log gives exactly the live orders_read and orders_summary', async () => {
      const service = t.app.get(ProjectionsService);
      for (const name of ['orders_read', 'orders_summary']) {
        const [report] = await service.verify(name);
        expect([name, report.differences, report.samples]).toEqual([name, 0, []]);
        expect(report.events).toBeGreaterThan(0);
      }
    });
  });
});
