/**
 * Rebuild without downtime, on the real orders_read projection: while orders_read is rebuilt into
 * shadow collections and swapped in, orders keep being placed and every order already readable is
 * read again and again; no read may miss an order. Afterwards verify finds 0 differences.
 */
import request from 'supertest';
import { ProjectionsService } from '../../src/shared/projections/projections.service.js';
import { OrdersFixtures, type FixtureCustomer, type FixtureProduct } from './helpers/orders-fixtures.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

interface Accepted {
  id: string;
  consistencyToken: string;
}

describe('rebuild of orders_read under load', () => {
  let t: TestApp;
  let product: FixtureProduct;
  let customers: FixtureCustomer[];

  beforeAll(async () => {
    t = await startTestApp();
    const fx = new OrdersFixtures(t);
    product = await fx.product('5.00', 100_000);
    customers = [];
    for (let i = 0; i < 4; i++) customers.push(await fx.customer(1));
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  }, 30_000);

  const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });

  async function place(c: FixtureCustomer): Promise<Accepted> {
    const res = await request(t.http)
      .post('/api/orders')
      .set('Authorization', `Bearer ${c.token}`)
      .send({
        items: [{ productId: product.productId, quantity: 1 }],
        shippingAddressId: c.addressIds[0],
        billingAddressId: c.addressIds[0],
      });
    expect(res.status).toBe(202);
    return res.body as Accepted;
  }

  async function readFresh(a: Accepted): Promise<void> {
    const res = await request(t.http)
      .get(`/api/orders/${a.id}`)
      .set(admin())
      .set('X-Consistency-Token', a.consistencyToken);
    expect(res.status).toBe(200);
    expect(res.headers['x-consistency']).toBe('fresh');
  }

  it('no read misses an order during the rebuild; verify = 0 afterwards', async () => {
    const readable: string[] = [];
    for (let i = 0; i < 20; i++) {
      const a = await place(customers[i % customers.length]!);
      await readFresh(a);
      readable.push(a.id);
    }

    const start = await request(t.http).post('/api/admin/projections/orders_read/rebuild').set(admin());
    expect(start.status).toBe(202);

    const misses: string[] = [];
    let reads = 0;
    let placedDuring = 0;
    let done = false;
    const writer = (async () => {
      let i = 0;
      while (!done) {
        const a = await place(customers[i++ % customers.length]!);
        placedDuring++;
        await readFresh(a);
        readable.push(a.id);
      }
    })();
    const reader = (async () => {
      while (!done) {
        const ids = [...readable];
        for (const id of ids) {
          const res = await request(t.http).get(`/api/orders/${id}`).set(admin());
          reads++;
          if (res.status !== 200) misses.push(`${id}: ${res.status}`);
        }
      }
    })();
    let phase = 'preparing';
    const deadline = Date.now() + 60_000;
    while (phase !== 'done' && phase !== 'failed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      const p = await request(t.http).get('/api/admin/projections/orders_read/rebuild').set(admin());
      phase = (p.body as { phase: string }).phase;
    }
    done = true;
    await Promise.all([writer, reader]);
    expect(phase).toBe('done');
    expect(misses).toEqual([]);
    expect(reads).toBeGreaterThan(readable.length);
    expect(placedDuring).toBeGreaterThan(0);

    // Every order is readable after the swap, and the read models equal a replay of the log.
    for (const id of readable) {
      const res = await request(t.http).get(`/api/orders/${id}`).set(admin());
      expect([id, res.status]).toEqual([id, 200]);
    }
    const service = t.app.get(ProjectionsService);
    for (const name of ['orders_read', 'orders_summary']) {
      const [report] = await service.verify(name);
      expect([name, report!.differences, report!.samples]).toEqual([name, 0, []]);
    }
  }, 120_000);
});
