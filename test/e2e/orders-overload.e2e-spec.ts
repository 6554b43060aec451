/**
 * Load shedding (issue 12, item 3): far more concurrent orders on one product than the instance
 * admits. Every answer is 202, 409 CATALOG.OUT_OF_STOCK or 503 SERVICE.UNAVAILABLE with
 * Retry-After, never another status; the stock invariant holds; a refused order claimed no
 * Idempotency-Key (its retry with the same key runs, it is not a replay).
 */
import { randomUUID } from 'node:crypto';
import { call, listen, statusCounts, type HttpAnswer } from './helpers/http-client.js';
import { OrdersFixtures, type FixtureCustomer } from './helpers/orders-fixtures.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { inventoryOf, inventoryViolations } from './helpers/write-model.js';

const ORDERS = 400;
const STOCK = 50;

describe('orders past capacity: shed, not queued', () => {
  let t: TestApp;
  let base: string;
  let customers: FixtureCustomer[];
  let productId: string;

  beforeAll(async () => {
    // 4 commands at once, none waiting: every other concurrent command is refused at once.
    t = await startTestApp({
      COMMAND_CONCURRENCY: '4',
      COMMAND_QUEUE_LIMIT: '0',
      COMMAND_QUEUE_TIMEOUT_MS: '1000',
      PRODUCT_QUEUE_LIMIT: '2',
    });
    const fx = new OrdersFixtures(t);
    base = await listen(t.app);
    customers = [];
    for (let i = 0; i < 10; i++) customers.push(await fx.customer(1));
    productId = (await fx.product('3.00', STOCK)).productId;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  }, 60_000);

  const order = (c: FixtureCustomer, idempotencyKey: string): Promise<HttpAnswer> =>
    call(base, 'POST', '/api/orders', {
      token: c.token,
      idempotencyKey,
      body: {
        items: [{ productId, quantity: 1 }],
        shippingAddressId: c.addressIds[0],
        billingAddressId: c.addressIds[0],
      },
    });

  it(`${ORDERS} concurrent orders on one product: 202, 409 out of stock or 503 with Retry-After; stock conserved`, async () => {
    const sent = Array.from({ length: ORDERS }, (_, i) => ({
      c: customers[i % customers.length],
      key: randomUUID(),
    }));
    const answers = await Promise.all(sent.map((s) => order(s.c, s.key)));
    const counts = statusCounts(answers);
    process.stderr.write(`[overload] ${JSON.stringify(counts)}\n`);

    expect(Object.keys(counts).every((s) => ['202', '409', '503'].includes(s))).toBe(true);
    const shed = answers.filter((a) => a.status === 503);
    expect(shed.length).toBeGreaterThan(0);
    for (const a of shed) {
      expect(a.headers.get('retry-after')).toBe('1');
      expect(a.body).toMatchObject({ statusCode: 503, code: 'SERVICE.UNAVAILABLE' });
    }
    for (const a of answers.filter((x) => x.status === 409))
      expect(a.body).toMatchObject({ code: 'CATALOG.OUT_OF_STOCK' });

    const sold = counts[202] ?? 0;
    expect(sold).toBeLessThanOrEqual(STOCK);
    expect(await inventoryOf(t.app, productId)).toEqual({ quantity: STOCK - sold, reserved: sold });
    expect(await inventoryViolations(t.app)).toEqual([]);

    // A refused order claimed nothing: its retry (same key, same body) runs now, not replayed.
    const i = answers.findIndex((a) => a.status === 503);
    const retry = await order(sent[i].c, sent[i].key);
    expect([202, 409]).toContain(retry.status);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  }, 300_000);
});
