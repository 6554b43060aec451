/**
 * POST /api/products/:id/views: counted in memory, written in batches (one command and one
 * `catalog.product-views-recorded` event per product and flush), flushed by size, by time and on
 * shutdown. Each block starts its own service with the flush settings it needs.
 */
import { getConnectionToken } from '@nestjs/mongoose';
import { MongoClient } from 'mongodb';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { ProductViewBuffer } from '../../src/modules/catalog/commands/record-product-views/product-view.buffer.js';
import { WRITE_CONNECTION } from '../../src/shared/persistence/connections.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const UNKNOWN = 'prd_00000000-0000-4000-8000-00000000dead';
let skuSeq = 0;

async function createProduct(t: TestApp): Promise<string> {
  const res = await request(t.http)
    .post('/api/products')
    .set('Authorization', `Bearer ${t.adminToken}`)
    .send({ sku: `VIEW-${++skuSeq}`, name: 'Lamp', brand: 'Lux', category: ['Home'], price: '12.00' })
    .expect(202);
  return (res.body as { id: string }).id;
}

const view = (t: TestApp, id: string, token = t.customerToken('cus_viewer')) =>
  request(t.http).post(`/api/products/${id}/views`).set('Authorization', `Bearer ${token}`);

async function waitFor<T>(probe: () => Promise<T | null | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('product views, flushed by batch size', () => {
  let t: TestApp;
  let db: Connection;
  beforeAll(async () => {
    t = await startTestApp({ VIEW_FLUSH_INTERVAL_MS: '60000', VIEW_FLUSH_BATCH_SIZE: '5' });
    db = t.app.get<Connection>(getConnectionToken(WRITE_CONNECTION));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('202 { id, buffered } with Location for any authenticated caller (customer or admin)', async () => {
    const id = await createProduct(t);
    const res = await view(t, id).expect(202);
    expect(res.body).toEqual({ id, buffered: true });
    expect(res.headers.location).toBe(`/api/products/${id}`);
    await view(t, id, t.adminToken).expect(202);
  });

  it('nothing is written below the batch size; the view that fills it flushes one event per product', async () => {
    const a = await createProduct(t);
    const b = await createProduct(t);
    await t.app.get(ProductViewBuffer).flush();
    for (const id of [a, b, a, b]) await view(t, id).expect(202);
    await new Promise((r) => setTimeout(r, 200));
    expect(await db.collection('product_view_counts').countDocuments({ productId: { $in: [a, b] } })).toBe(0);

    await view(t, a).expect(202); // the 5th buffered view
    const counter = await waitFor(() => db.collection('product_view_counts').findOne({ productId: a }));
    expect(counter).toMatchObject({ productId: a, totalViews: 3, version: 1 });
    expect(await waitFor(() => db.collection('product_view_counts').findOne({ productId: b }))).toMatchObject(
      {
        totalViews: 2,
        version: 1,
      },
    );
    const events = await db
      .collection('domain_events')
      .find({ aggregateId: `views:${a}` })
      .toArray();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'catalog.product-views-recorded',
      aggregateType: 'product-views',
      aggregateVersion: 1,
      payload: { productId: a, count: 3, totalViews: 3 },
    });
    // Views never touch the product itself (its version is the admins' optimistic lock).
    expect(await db.collection('products').findOne({ productId: a })).toMatchObject({ version: 1 });
  });

  it('later batches continue the counter (version and total)', async () => {
    const id = await createProduct(t);
    for (let i = 0; i < 10; i++) await view(t, id).expect(202);
    const counter = await waitFor(() =>
      db.collection('product_view_counts').findOne({ productId: id, totalViews: { $gte: 10 } }),
    );
    expect(counter.totalViews).toBe(10);
    const events = await db
      .collection('domain_events')
      .find({ aggregateId: `views:${id}` })
      .sort({ aggregateVersion: 1 })
      .toArray();
    expect(events.map((e) => e.payload.totalViews)).toEqual(
      events.reduce<number[]>((acc, e) => [...acc, (acc.at(-1) ?? 0) + (e.payload.count as number)], []),
    );
    expect(events.map((e) => e.aggregateVersion)).toEqual(events.map((_, i) => i + 1));
  });

  it('404 CATALOG.PRODUCT_NOT_FOUND for an unknown product or a malformed id; 401 without a token', async () => {
    for (const id of [UNKNOWN, 'nope']) {
      const res = await view(t, id).expect(404);
      expect(res.body.code).toBe('CATALOG.PRODUCT_NOT_FOUND');
    }
    const id = await createProduct(t);
    await request(t.http).post(`/api/products/${id}/views`).expect(401);
  });

  it('takes no body: a request is one view whatever it sends', async () => {
    const id = await createProduct(t);
    const buffer = t.app.get(ProductViewBuffer);
    await buffer.flush();
    await view(t, id).send({ count: 1000 }).expect(202);
    expect(buffer.pending).toBe(1);
  });
});

describe('product views, flushed by time', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ VIEW_FLUSH_INTERVAL_MS: '50', VIEW_FLUSH_BATCH_SIZE: '100000' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('a few views reach the write model within the flush interval, concurrent views all counted', async () => {
    const db = t.app.get<Connection>(getConnectionToken(WRITE_CONNECTION));
    const id = await createProduct(t);
    await Promise.all(Array.from({ length: 25 }, () => view(t, id).expect(202)));
    const counter = await waitFor(() =>
      db.collection('product_view_counts').findOne({ productId: id, totalViews: 25 }),
    );
    expect(counter.totalViews).toBe(25);
  });
});

describe('product views, flushed on shutdown', () => {
  it('views still in the buffer are written when the application closes', async () => {
    const t = await startTestApp({ VIEW_FLUSH_INTERVAL_MS: '60000', VIEW_FLUSH_BATCH_SIZE: '100000' });
    const uri = t.running.embedded?.uri as string;
    const id = await createProduct(t);
    for (let i = 0; i < 3; i++) await view(t, id).expect(202);
    await t.app.close(); // the application only; the embedded server keeps running
    const client = await MongoClient.connect(uri);
    try {
      const counter = await client
        .db(t.config.writeDbName)
        .collection('product_view_counts')
        .findOne({ productId: id });
      expect(counter).toMatchObject({ totalViews: 3, version: 1 });
    } finally {
      await client.close();
      await t.running.embedded?.stop();
    }
  }, 60_000);
});
