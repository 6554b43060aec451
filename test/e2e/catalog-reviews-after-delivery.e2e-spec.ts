/**
 * The review rule across contexts, end to end: a customer may review a product only once an order
 * of theirs containing it has been delivered (the catalog learns it from the orders context's
 * real `orders.order-delivered` event), and the stock events of that order's life advance the
 * product's version one by one.
 */
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { WRITE_CONNECTION } from '../../src/shared/persistence/connections.js';
import { OrdersFixtures } from './helpers/orders-fixtures.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let db: Connection;
let fx: OrdersFixtures;

beforeAll(async () => {
  t = await startTestApp();
  db = t.app.get<Connection>(getConnectionToken(WRITE_CONNECTION));
  fx = new OrdersFixtures(t);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const review = { rating: 5, title: 'Love it', body: 'Does what it says.' };

async function waitFor<T>(probe: () => Promise<T | null | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('403 while the order is pending, confirmed or shipped; 202 once it is delivered; the product version counts every stock event', async () => {
  const product = await fx.product('12.50', 5);
  const other = await fx.product('3.00', 5);
  const buyer = await fx.customer();
  const [addressId] = buyer.addressIds;
  const tryReview = (productId: string) =>
    request(t.http)
      .post(`/api/products/${productId}/reviews`)
      .set('Authorization', `Bearer ${buyer.token}`)
      .send(review);

  const placed = await request(t.http)
    .post('/api/orders')
    .set('Authorization', `Bearer ${buyer.token}`)
    .send({
      items: [{ productId: product.productId, quantity: 2 }],
      shippingAddressId: addressId,
      billingAddressId: addressId,
    })
    .expect(202);
  const orderId = (placed.body as { id: string }).id;
  let version = (placed.body as { version: number }).version;
  expect((await tryReview(product.productId).expect(403)).body.code).toBe('CATALOG.NOT_PURCHASED');

  for (const status of ['confirmed', 'shipped', 'delivered']) {
    if (status === 'delivered') {
      // Still not received while shipped.
      expect((await tryReview(product.productId).expect(403)).body.code).toBe('CATALOG.NOT_PURCHASED');
    }
    const res = await request(t.http)
      .put(`/api/orders/${orderId}/status`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .send({ status, version })
      .expect(202);
    version = (res.body as { version: number }).version;
  }

  await waitFor(() =>
    db
      .collection('delivered_purchases')
      .findOne({ customerId: buyer.customerId, productId: product.productId }),
  );
  const res = await tryReview(product.productId).expect(202);
  // created (1), stock-reserved (2), stock-consumed on shipping (3), review-added (4)
  expect(res.body.version).toBe(4);
  const doc = await db.collection('products').findOne({ productId: product.productId });
  expect(doc).toMatchObject({
    inventory: { quantity: 3, reserved: 0 },
    ratings: { count: 1, sum: 5 },
    version: 4,
  });
  const types = await db
    .collection('domain_events')
    .find({ aggregateId: product.productId })
    .sort({ aggregateVersion: 1 })
    .map((e) => e.type as string)
    .toArray();
  expect(types).toEqual([
    'catalog.product-created',
    'catalog.stock-reserved',
    'catalog.stock-consumed',
    'catalog.review-added',
  ]);

  // A product that was not in the delivered order still cannot be reviewed by this customer.
  expect((await tryReview(other.productId).expect(403)).body.code).toBe('CATALOG.NOT_PURCHASED');
  // And the same customer cannot review the delivered product twice.
  expect((await tryReview(product.productId).expect(409)).body.code).toBe('CATALOG.ALREADY_REVIEWED');
});

it('a cancelled order does not entitle to a review', async () => {
  const product = await fx.product('8.00', 5);
  const buyer = await fx.customer();
  const [addressId] = buyer.addressIds;
  const placed = await request(t.http)
    .post('/api/orders')
    .set('Authorization', `Bearer ${buyer.token}`)
    .send({
      items: [{ productId: product.productId, quantity: 1 }],
      shippingAddressId: addressId,
      billingAddressId: addressId,
    })
    .expect(202);
  await request(t.http)
    .post(`/api/orders/${(placed.body as { id: string }).id}/cancel`)
    .set('Authorization', `Bearer ${buyer.token}`)
    .send({})
    .expect(202);
  await request(t.http)
    .post(`/api/products/${product.productId}/reviews`)
    .set('Authorization', `Bearer ${buyer.token}`)
    .send(review)
    .expect(403);
});
