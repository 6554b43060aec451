/**
 * A command whose transaction keeps losing write conflicts (here forced by a fail point on every
 * insert) stops after TRANSACTION_TIMEOUT_MS with 503 SERVICE.UNAVAILABLE and Retry-After — not a
 * 500 after the driver's 120 s — and leaves nothing behind; the same request succeeds once the
 * conflicts stop.
 */
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/embedded-mongo/index.js';
import request from 'supertest';
import { OrdersFixtures } from './helpers/orders-fixtures.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { inventoryOf, inventoryViolations, writeDb } from './helpers/write-model.js';

describe('contention and an unavailable database answer 503 with Retry-After', () => {
  let t: TestApp;
  let admin: MongoClient;
  let db: EmbeddedMongo;

  beforeAll(async () => {
    // Our own server with test commands (configureFailPoint), the service on it by MONGODB_URI.
    db = await startEmbeddedMongo({ enableTestCommands: true, logLevel: 'error' });
    t = await startTestApp({ MONGODB_URI: db.uri, TRANSACTION_TIMEOUT_MS: '300' });
    admin = await MongoClient.connect(db.uri, { directConnection: true });
  }, 60_000);

  afterAll(async () => {
    await admin?.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
    await admin?.close();
    await t?.close();
    await db?.stop();
  });

  it('write conflicts on every attempt: 503 after the budget, nothing written; the retry then succeeds', async () => {
    const fx = new OrdersFixtures(t);
    const product = await fx.product('4.50', 10);
    const customer = await fx.customer(1);
    const orders = writeDb(t.app).collection('orders');
    const ordersBefore = await orders.countDocuments({ customerId: customer.customerId });
    const order = {
      items: [{ productId: product.productId, quantity: 3 }],
      shippingAddressId: customer.addressIds[0],
      billingAddressId: customer.addressIds[0],
    };

    await admin.db('admin').command({
      configureFailPoint: 'failCommand',
      mode: 'alwaysOn',
      // The order's writes go in one client bulkWrite (the lean command path); insert covers other paths.
      data: {
        failCommands: ['insert', 'bulkWrite'],
        errorCode: 112,
        errorLabels: ['TransientTransactionError'],
      },
    });
    const busy = await request(t.http)
      .post('/api/orders')
      .set('Authorization', `Bearer ${customer.token}`)
      .send(order);
    await admin.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });

    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('1');
    expect(busy.body).toEqual({
      statusCode: 503,
      code: 'SERVICE.UNAVAILABLE',
      message: expect.stringContaining('retry') as unknown,
    });
    expect(await orders.countDocuments({ customerId: customer.customerId })).toBe(ordersBefore);
    expect((await inventoryOf(t.app, product.productId))?.reserved ?? 0).toBe(0);

    const retried = await request(t.http)
      .post('/api/orders')
      .set('Authorization', `Bearer ${customer.token}`)
      .send(order);
    expect(retried.status).toBe(202);
    expect(await orders.countDocuments({ customerId: customer.customerId })).toBe(ordersBefore + 1);
    expect(await inventoryViolations(t.app)).toEqual([]);
  });
});
