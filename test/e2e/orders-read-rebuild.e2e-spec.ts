/**
 * Rebuilding orders_read and orders_summary without downtime: while each rebuild replays the event
 * log into shadow collections and swaps them in, customers keep placing and confirming orders and
 * every order already seen keeps answering 200 (never 404, never an older version than before);
 * afterwards verify reports 0 differences.
 */
import { jest } from '@jest/globals';
import request from 'supertest';
import { ProjectionsService } from '../../src/shared/projections/projections.service.js';
import { OrdersFixtures, type FixtureCustomer, type FixtureProduct } from './helpers/orders-fixtures.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

jest.setTimeout(180_000);

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('orders read models: rebuild under load (e2e)', () => {
  let t: TestApp;
  let product: FixtureProduct;
  let customers: FixtureCustomer[];
  /** Orders visible so far, with the highest version a query has returned. */
  const seen = new Map<string, number>();

  beforeAll(async () => {
    t = await startTestApp();
    const fx = new OrdersFixtures(t);
    product = await fx.product('3.50', 100_000, 'Rebuild Widget');
    customers = [await fx.customer(1), await fx.customer(1), await fx.customer(1)];
  });

  afterAll(async () => {
    await t.close();
  });

  let placed = 0;

  async function placeOne(c: FixtureCustomer): Promise<void> {
    const res = await request(t.http)
      .post('/api/orders')
      .set(auth(c.token))
      .send({
        items: [{ productId: product.productId, quantity: 1 }],
        shippingAddressId: c.addressIds[0],
        billingAddressId: c.addressIds[0],
      });
    expect(res.status).toBe(202);
    const id = (res.body as { id: string }).id;
    const read = await request(t.http)
      .get(`/api/orders/${id}`)
      .set(auth(t.adminToken))
      .set('X-Consistency-Token', `${id}@1`);
    expect(read.status).toBe(200);
    seen.set(id, 1);
    if (placed++ % 2 === 0) {
      const c2 = await request(t.http)
        .put(`/api/orders/${id}/status`)
        .set(auth(t.adminToken))
        .send({ status: 'confirmed', version: 1 });
      expect(c2.status).toBe(202);
    }
  }

  async function checkAllVisible(): Promise<void> {
    for (const [id, version] of [...seen.entries()]) {
      // With the token the query reads the read model itself (not the cache) and says whether it
      // still had the version seen before.
      const res = await request(t.http)
        .get(`/api/orders/${id}`)
        .set(auth(t.adminToken))
        .set('X-Consistency-Token', `${id}@${version}`);
      expect([id, res.status, res.headers['x-consistency']]).toEqual([id, 200, 'fresh']);
      const v = (res.body as { version: number }).version;
      expect(v).toBeGreaterThanOrEqual(version);
      seen.set(id, v);
    }
  }

  it('no order disappears or goes back during the rebuilds; verify = 0 afterwards', async () => {
    for (let i = 0; i < 60; i++) await placeOne(customers[i % customers.length]);
    const service = t.app.get(ProjectionsService);
    for (const name of ['orders_read', 'orders_summary']) {
      let finished = false;
      const before = placed;
      const { done } = await service.startRebuild(name);
      const settled = done.finally(() => {
        finished = true;
      });
      const load = (async () => {
        let i = 0;
        while (!finished) {
          await placeOne(customers[i++ % customers.length]);
          await checkAllVisible();
        }
      })();
      const [progress] = await Promise.all([settled, load]);
      expect(progress.phase).toBe('done');
      expect(placed).toBeGreaterThan(before);
    }
    await checkAllVisible();
    for (const name of ['orders_read', 'orders_summary']) {
      let report = (await service.verify(name))[0];
      // Verify can race the fast path of the last commands; a second run confirms.
      if (report.differences > 0) report = (await service.verify(name))[0];
      expect([name, report.differences, report.samples]).toEqual([name, 0, []]);
    }
  });
});
