/**
 * The query cache in front of order reads, once per store: the in-process memory store, and real
 * Redis when REDIS_URL is set (.ci/run sets it). In both, a status change is visible on the next
 * queries of a cached order and a cached list long before any TTL (pending: 60 s) would expire.
 */
import request from 'supertest';
import { QueryCache } from '../../src/shared/cache/query-cache.js';
import { OrdersFixtures } from './helpers/orders-fixtures.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const stores: ['memory' | 'redis', Record<string, string>][] = [['memory', {}]];
if (process.env.REDIS_URL) stores.push(['redis', { REDIS_URL: process.env.REDIS_URL }]);
else console.log('orders-cache-stores.e2e: REDIS_URL is not set, only the memory store is tested');

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(stores)('order query cache (%s store)', (store, env) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(env);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('serves repeated reads from the cache and shows a status change on the next query, with no TTL wait', async () => {
    const cache = t.app.get(QueryCache);
    expect(cache.stats().store).toBe(store);
    const fx = new OrdersFixtures(t);
    const product = await fx.product('12.50', 100, 'Cache test');
    const c = await fx.customer(1);
    const auth = { Authorization: `Bearer ${c.token}` };
    const placed = await request(t.http)
      .post('/api/orders')
      .set(auth)
      .send({
        items: [{ productId: product.productId, quantity: 2 }],
        shippingAddressId: c.addressIds[0],
        billingAddressId: c.addressIds[0],
      })
      .expect(202);
    const id = (placed.body as { id: string }).id;
    const token = (placed.body as { consistencyToken: string }).consistencyToken;
    await request(t.http).get(`/api/orders/${id}`).set(auth).set('X-Consistency-Token', token).expect(200);
    const listUrl = `/api/customers/${c.customerId}/orders`;
    const statusOf = async (): Promise<string> =>
      ((await request(t.http).get(`/api/orders/${id}`).set(auth).expect(200)).body as { status: string })
        .status;
    const listStatus = async (): Promise<string | undefined> =>
      (
        (await request(t.http).get(listUrl).set(auth).expect(200)).body as {
          items: { orderId: string; status: string }[];
        }
      ).items.find((o) => o.orderId === id)?.status;
    expect(await statusOf()).toBe('pending');
    expect(await listStatus()).toBe('pending');
    // The placement's other projections may still invalidate these keys for a moment after the
    // order is readable (a value loaded before an invalidation is never served after it): wait
    // until both reads fill entries that stay.
    await eventually(
      async () => {
        const before = cache.stats().hits;
        await statusOf();
        await listStatus();
        return cache.stats().hits - before;
      },
      (newHits) => newHits >= 2,
    );
    const hits = cache.stats().hits;
    expect(await statusOf()).toBe('pending');
    expect(await listStatus()).toBe('pending');
    expect(cache.stats().hits).toBeGreaterThanOrEqual(hits + 2);

    await request(t.http)
      .put(`/api/orders/${id}/status`)
      .set({ Authorization: `Bearer ${t.adminToken}` })
      .send({ status: 'confirmed', version: 1 })
      .expect(202);
    const started = Date.now();
    expect(await eventually(statusOf, (s) => s === 'confirmed')).toBe('confirmed');
    expect(await eventually(listStatus, (s) => s === 'confirmed')).toBe('confirmed');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
