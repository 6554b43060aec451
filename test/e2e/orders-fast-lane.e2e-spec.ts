/**
 * The HTTP fast lane in front of the application: a cached `GET /api/orders/:id` that the caller
 * may see is answered from the cache without the framework, with the same body and headers as the
 * application's answer; every other request (not cached, another customer, no or bad token, a
 * consistency token, a conditional request, a query string) gets exactly the application's answer.
 */
import { QueryBus } from '@nestjs/cqrs';
import request from 'supertest';
import { signToken } from '../../src/shared/auth/jwt.js';
import {
  GetOrderQuery,
  type OrderSource,
} from '../../src/modules/orders/queries/get-order/get-order.query.js';
import { OrdersFixtures } from './helpers/orders-fixtures.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

describe('orders fast lane', () => {
  let t: TestApp;
  let orderId: string;
  let auth: { Authorization: string };
  let otherAuth: { Authorization: string };
  const logLines: string[] = [];
  /** The sources of the GetOrderQuery executions since the last `sources.length = 0`. */
  const sources: OrderSource[] = [];

  beforeAll(async () => {
    t = await startTestApp(
      { LOG_LEVEL: 'info' },
      { logs: { write: (line: string) => void logLines.push(line) } },
    );
    const fx = new OrdersFixtures(t);
    const product = await fx.product('3.25', 50, 'Fast lane');
    const c = await fx.customer(1);
    const other = await fx.customer(1);
    auth = { Authorization: `Bearer ${c.token}` };
    otherAuth = { Authorization: `Bearer ${other.token}` };
    const placed = await request(t.http)
      .post('/api/orders')
      .set(auth)
      .send({
        items: [{ productId: product.productId, quantity: 1 }],
        shippingAddressId: c.addressIds[0],
        billingAddressId: c.addressIds[0],
      })
      .expect(202);
    orderId = (placed.body as { id: string }).id;
    const token = (placed.body as { consistencyToken: string }).consistencyToken;
    await request(t.http)
      .get(`/api/orders/${orderId}`)
      .set(auth)
      .set('X-Consistency-Token', token)
      .expect(200);
    const bus = t.app.get(QueryBus);
    const execute = bus.execute.bind(bus) as (query: object) => Promise<unknown>;
    Object.defineProperty(bus, 'execute', {
      configurable: true,
      writable: true,
      value: (query: object) => {
        if (query instanceof GetOrderQuery) sources.push(query.source);
        return execute(query);
      },
    });
  }, 90_000);
  afterAll(async () => {
    await t?.close();
  });

  /** Reads the order until a read is answered by the lane (the placement's projections settle). */
  async function warm(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      sources.length = 0;
      await request(t.http).get(`/api/orders/${orderId}`).set(auth).expect(200);
      if (sources.join() === 'cache-only') return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the order was never answered from the cache');
  }

  it("answers a cached order from the cache, with the application's body and headers", async () => {
    await warm();
    sources.length = 0;
    const byLane = await request(t.http).get(`/api/orders/${orderId}`).set(auth).expect(200);
    expect(sources).toEqual(['cache-only']);
    // The same order through the application: a query string keeps it out of the lane.
    sources.length = 0;
    const byApp = await request(t.http).get(`/api/orders/${orderId}?via=app`).set(auth).expect(200);
    expect(sources).toEqual(['cache-first']);
    expect(byLane.text).toBe(byApp.text);
    expect((byLane.body as { orderId: string }).orderId).toBe(orderId);
    const same = [
      'content-type',
      'content-length',
      'etag',
      'content-security-policy',
      'x-content-type-options',
      'x-frame-options',
      'strict-transport-security',
      'referrer-policy',
      'cross-origin-opener-policy',
      'cross-origin-resource-policy',
    ];
    for (const name of same) expect([name, byLane.headers[name]]).toEqual([name, byApp.headers[name]]);
    expect(byLane.headers['x-powered-by']).toBeUndefined();
    expect(byLane.headers['x-request-id']).toEqual(expect.any(String));
    const mine = await request(t.http)
      .get(`/api/orders/${orderId}`)
      .set(auth)
      .set('X-Request-Id', 'lane-req-1')
      .expect(200);
    expect(mine.headers['x-request-id']).toBe('lane-req-1');
    // Its request line, as the application writes them (written when the response is finished).
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !line; i++) {
      line = logLines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.reqId === 'lane-req-1' && l.msg === 'request completed');
      if (!line) await new Promise((r) => setTimeout(r, 20));
    }
    expect(line).toMatchObject({
      level: 'info',
      method: 'GET',
      url: `/api/orders/${orderId}`,
      statusCode: 200,
      responseTime: expect.any(Number),
    });
    expect(logLines.join('')).not.toContain(auth.Authorization.slice(7));
  });

  it('leaves everything it must not answer to the application, which answers as always', async () => {
    await warm();
    sources.length = 0;
    const foreign = await request(t.http).get(`/api/orders/${orderId}`).set(otherAuth).expect(404);
    expect(foreign.body).toMatchObject({ statusCode: 404, code: 'ORDERS.NOT_FOUND' });
    expect(sources).toEqual(['cache-only', 'cache-first']);

    sources.length = 0;
    const anonymous = await request(t.http).get(`/api/orders/${orderId}`).expect(401);
    const expired = signToken(
      { sub: 'e2e-admin', role: 'admin' },
      'e2e-test-secret-e2e-test-secret-0123456789',
      -120, // beyond the 30 s clock tolerance
    );
    await request(t.http).get(`/api/orders/${orderId}`).set('Authorization', `Bearer ${expired}`).expect(401);
    const forged = signToken({ sub: 'x', role: 'admin' }, 'not-the-secret-not-the-secret-012345', 60);
    await request(t.http).get(`/api/orders/${orderId}`).set('Authorization', `Bearer ${forged}`).expect(401);
    expect(anonymous.body).toMatchObject({ statusCode: 401 });
    expect(sources).toEqual([]);

    sources.length = 0;
    const first = await request(t.http).get(`/api/orders/${orderId}`).set(auth).expect(200);
    await request(t.http)
      .get(`/api/orders/${orderId}`)
      .set(auth)
      .set('If-None-Match', first.headers.etag as string)
      .expect(304);
    const fresh = await request(t.http)
      .get(`/api/orders/${orderId}`)
      .set(auth)
      .set('X-Consistency-Token', `${orderId}@1`)
      .expect(200);
    expect(fresh.headers['x-consistency']).toBe('fresh');
    expect(sources).toEqual(['cache-only', 'cache-first', 'read-model']);

    sources.length = 0;
    const missing = 'ord_00000000-0000-4000-8000-00000000dead';
    await request(t.http)
      .get(`/api/orders/${missing}`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(404);
    expect(sources).toEqual(['cache-only', 'cache-first']);
    await request(t.http).get('/api/orders/not-an-order-id').set(auth).expect(404);
    await request(t.http).head(`/api/orders/${orderId}`).set(auth).expect(200);
  });
});
