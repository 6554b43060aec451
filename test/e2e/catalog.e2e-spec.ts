/**
 * The catalog's commands over HTTP: success (202, Location, consistency token, what the write model
 * and the event log hold), every validation error, every conflict, and who may call what.
 */
import { EventBus } from '@nestjs/cqrs';
import { getConnectionToken } from '@nestjs/mongoose';
import { Decimal128 } from 'mongodb';
import type { Connection } from 'mongoose';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Product } from '../../src/modules/catalog/domain/product.aggregate.js';
import type { ProductEvent } from '../../src/modules/catalog/domain/product.aggregate.js';
import { toState } from '../../src/modules/catalog/persistence/product.repository.js';
import type { ProductDoc } from '../../src/modules/catalog/persistence/product.schema.js';
import { EventRegistry, type StoredEvent } from '../../src/shared/events/event-registry.js';
import { WRITE_CONNECTION } from '../../src/shared/persistence/connections.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const ID_SHAPE = /^prd_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNKNOWN = 'prd_00000000-0000-4000-8000-00000000dead';

let t: TestApp;
let db: Connection;
let skuSeq = 0;

const newSku = (): string => `SKU-${process.pid}-${++skuSeq}`;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const admin = () => bearer(t.adminToken);
const customer = (id = `cus_${randomUUID()}`) => bearer(t.customerToken(id));

const validProduct = (over: Record<string, unknown> = {}) => ({
  sku: newSku(),
  name: 'Studio Headphones',
  description: 'Closed-back, 40 mm drivers',
  brand: 'Acme',
  category: ['Electronics', 'Audio', 'Headphones'],
  price: '19.99',
  images: ['https://img.example.com/hp-1.jpg', 'https://img.example.com/hp-2.jpg'],
  features: ['Bluetooth 5.3', '30 h battery'],
  quantity: 10,
  ...over,
});

async function createProduct(over: Record<string, unknown> = {}): Promise<{ id: string; version: number }> {
  const res = await request(t.http).post('/api/products').set(admin()).send(validProduct(over)).expect(202);
  return res.body as { id: string; version: number };
}

async function productDoc(id: string): Promise<ProductDoc> {
  const doc = await db.collection<ProductDoc>('products').findOne({ productId: id });
  if (!doc) throw new Error(`no product ${id}`);
  return doc;
}

async function eventsOf(aggregateId: string): Promise<StoredEvent[]> {
  return db
    .collection<StoredEvent>('domain_events')
    .find({ aggregateId }, { projection: { _id: 0 } })
    .sort({ aggregateVersion: 1 })
    .toArray();
}

/** A test title's rendering of a value (long strings abbreviated). */
const show = (v: unknown): string =>
  JSON.stringify(v, (_, x: unknown) => (typeof x === 'string' && x.length > 40 ? `<${x.length} chars>` : x));

/** The fields (and messages) a 400 lists. */
function fieldsOf(body: { code: string; details?: Array<{ field: string; errors: string[] }> }): string[] {
  expect(body.code).toBe('REQUEST.VALIDATION_FAILED');
  return (body.details ?? []).map((d) => d.field).sort();
}

async function waitFor<T>(probe: () => Promise<T | null | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What the orders context publishes when an order is delivered (the catalog reads only this). */
function publishOrderDelivered(orderId: string, customerId: string, productIds: string[]): void {
  t.app.get(EventBus).publish({
    type: 'orders.order-delivered',
    aggregateType: 'order',
    aggregateId: orderId,
    aggregateVersion: 4,
    eventId: randomUUID(),
    occurredAt: new Date(),
    correlationId: 'e2e',
    payload: {
      orderId,
      customerId,
      previousStatus: 'shipped',
      status: 'delivered',
      items: productIds.map((productId) => ({ productId, quantity: 1 })),
      total: '10.00',
      currency: 'USD',
      changedAt: new Date().toISOString(),
    },
  });
}

async function deliver(
  customerId: string,
  productId: string,
  orderId = `ord_${randomUUID()}`,
): Promise<void> {
  publishOrderDelivered(orderId, customerId, [productId]);
  await waitFor(() =>
    db.collection('delivered_purchases').findOne({ customerId, productId, orderIds: orderId }),
  );
}

beforeAll(async () => {
  t = await startTestApp();
  db = t.app.get<Connection>(getConnectionToken(WRITE_CONNECTION));
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('POST /api/products (create)', () => {
  it('202 with id, version 1, consistency token and Location; the write model holds the exact price', async () => {
    const res = await request(t.http)
      .post('/api/products')
      .set(admin())
      .set('X-Correlation-Id', 'corr-create-1')
      .send(validProduct({ price: '19.99' }))
      .expect(202);
    const { id } = res.body as { id: string };
    expect(id).toMatch(ID_SHAPE);
    expect(res.body).toEqual({ id, version: 1, consistencyToken: `${id}@1` });
    expect(res.headers.location).toBe(`/api/products/${id}`);

    const doc = await productDoc(id);
    expect(doc.price).toBeInstanceOf(Decimal128);
    expect(doc.price.toString()).toBe('19.99');
    expect(doc).toMatchObject({
      name: 'Studio Headphones',
      brand: 'Acme',
      category: ['Electronics', 'Audio', 'Headphones'],
      currency: 'USD',
      status: 'active',
      inventory: { quantity: 10, reserved: 0 },
      ratings: { count: 0, sum: 0 },
      version: 1,
    });

    const events = await eventsOf(id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'catalog.product-created',
      aggregateType: 'product',
      aggregateVersion: 1,
      correlationId: 'corr-create-1',
      payload: { productId: id, price: '19.99', inventory: { quantity: 10, reserved: 0 } },
    });
  });

  it('normalizes the price to cents ("7.5" is stored as Decimal128 7.50) and defaults optional fields', async () => {
    const { id } = await createProduct({
      price: '7.5',
      description: undefined,
      images: undefined,
      features: undefined,
      quantity: undefined,
    });
    const doc = await productDoc(id);
    expect(doc.price.toString()).toBe('7.50');
    expect(doc).toMatchObject({
      description: '',
      images: [],
      features: [],
      inventory: { quantity: 0, reserved: 0 },
    });
  });

  it('400 lists every missing required field', async () => {
    const res = await request(t.http).post('/api/products').set(admin()).send({}).expect(400);
    expect(fieldsOf(res.body)).toEqual(['brand', 'category', 'name', 'price', 'sku']);
  });

  it('400 lists every invalid field of one request at once', async () => {
    const res = await request(t.http)
      .post('/api/products')
      .set(admin())
      .send(validProduct({ sku: 'bad sku!', price: 19.99, quantity: -1, category: [] }))
      .expect(400);
    expect(fieldsOf(res.body)).toEqual(['category', 'price', 'quantity', 'sku']);
  });

  for (const [field, value] of [
    ['sku', 'has space'],
    ['sku', ''],
    ['sku', 'x'.repeat(65)],
    ['sku', { $gt: '' }],
    ['name', ''],
    ['name', '   '],
    ['name', 'n'.repeat(201)],
    ['name', 42],
    ['description', 'd'.repeat(5001)],
    ['brand', ''],
    ['category', []],
    ['category', 'Audio'],
    ['category', ['Audio', '']],
    ['category', ['a', 'b', 'c', 'd', 'e', 'f', 'g']],
    ['price', 19.99],
    ['price', '0'],
    ['price', '0.00'],
    ['price', '-1.00'],
    ['price', '1.999'],
    ['price', '1e3'],
    ['price', 'abc'],
    ['price', { $numberDecimal: '1' }],
    ['currency', 'usd'],
    ['currency', 'DOLLAR'],
    ['images', ['not-a-url']],
    ['images', ['ftp://img.example.com/a.jpg']],
    ['images', 'https://img.example.com/a.jpg'],
    ['features', ['']],
    ['quantity', -1],
    ['quantity', 1.5],
    ['quantity', '5'],
    ['quantity', 2_000_000_000],
  ] as [string, unknown][])
    it(`400 for ${show(field)} = ${show(value)}`, async () => {
      const res = await request(t.http)
        .post('/api/products')
        .set(admin())
        .send(validProduct({ [field]: value }))
        .expect(400);
      expect(fieldsOf(res.body)).toEqual([field]);
    });

  it('400 for a field the API does not know (whitelist), including productId and version', async () => {
    for (const extra of [{ color: 'red' }, { productId: UNKNOWN }, { version: 3 }, { $where: '1' }]) {
      const res = await request(t.http)
        .post('/api/products')
        .set(admin())
        .send(validProduct(extra))
        .expect(400);
      expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
      expect(res.body.message).toContain(Object.keys(extra)[0]);
    }
  });

  it('400 CATALOG.UNSUPPORTED_CURRENCY for a currency other than the service currency; the service currency is accepted', async () => {
    const res = await request(t.http)
      .post('/api/products')
      .set(admin())
      .send(validProduct({ currency: 'EUR' }))
      .expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      code: 'CATALOG.UNSUPPORTED_CURRENCY',
      message: expect.any(String),
      details: { currency: 'EUR', expected: 'USD' },
    });
    await createProduct({ currency: 'USD' });
  });

  it('400 for a body that is not JSON', async () => {
    const res = await request(t.http)
      .post('/api/products')
      .set(admin())
      .set('Content-Type', 'application/json')
      .send('{"sku":')
      .expect(400);
    expect(res.body).toEqual({ statusCode: 400, code: expect.any(String), message: expect.any(String) });
  });

  it('409 CATALOG.DUPLICATE_SKU when the SKU is taken; nothing is written', async () => {
    const sku = newSku();
    await createProduct({ sku });
    const before = await db.collection('domain_events').countDocuments();
    const res = await request(t.http)
      .post('/api/products')
      .set(admin())
      .send(validProduct({ sku }))
      .expect(409);
    expect(res.body).toEqual({
      statusCode: 409,
      code: 'CATALOG.DUPLICATE_SKU',
      message: expect.any(String),
      details: { sku },
    });
    expect(await db.collection('products').countDocuments({ sku })).toBe(1);
    expect(await db.collection('domain_events').countDocuments()).toBe(before);
  });

  it('concurrent creates with one SKU: exactly one wins, the others get 409', async () => {
    const sku = newSku();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        request(t.http).post('/api/products').set(admin()).send(validProduct({ sku })),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 409, 409, 409, 409, 409, 409, 409]);
    expect(await db.collection('products').countDocuments({ sku })).toBe(1);
  });

  it('401 without a token, 403 for a customer', async () => {
    await request(t.http).post('/api/products').send(validProduct()).expect(401);
    const res = await request(t.http).post('/api/products').set(customer()).send(validProduct()).expect(403);
    expect(res.body.code).toBe('AUTH.FORBIDDEN');
  });
});

describe('PATCH /api/products/:id (update details and price)', () => {
  it('details and price: two events, version + 2, exact new price', async () => {
    const { id } = await createProduct();
    const res = await request(t.http)
      .patch(`/api/products/${id}`)
      .set(admin())
      .send({ name: 'Studio Headphones II', price: '24.50', version: 1 })
      .expect(202);
    expect(res.body).toEqual({ id, version: 3, consistencyToken: `${id}@3` });
    expect(res.headers.location).toBe(`/api/products/${id}`);
    const doc = await productDoc(id);
    expect(doc.price.toString()).toBe('24.50');
    expect(doc).toMatchObject({ name: 'Studio Headphones II', version: 3 });
    const events = await eventsOf(id);
    expect(events.slice(1).map((e) => [e.type, e.aggregateVersion, e.payload])).toEqual([
      ['catalog.product-updated', 2, { changes: { name: 'Studio Headphones II' } }],
      ['catalog.product-price-changed', 3, { previousPrice: '19.99', price: '24.50', currency: 'USD' }],
    ]);
  });

  it('without a version the update applies to the current one', async () => {
    const { id } = await createProduct();
    const res = await request(t.http)
      .patch(`/api/products/${id}`)
      .set(admin())
      .send({ category: ['Electronics', 'Audio'] })
      .expect(202);
    expect(res.body.version).toBe(2);
    expect((await productDoc(id)).category).toEqual(['Electronics', 'Audio']);
  });

  it('409 CATALOG.VERSION_CONFLICT with the current version when the given one is stale', async () => {
    const { id } = await createProduct();
    await request(t.http).patch(`/api/products/${id}`).set(admin()).send({ name: 'A' }).expect(202);
    const res = await request(t.http)
      .patch(`/api/products/${id}`)
      .set(admin())
      .send({ name: 'B', version: 1 })
      .expect(409);
    expect(res.body).toEqual({
      statusCode: 409,
      code: 'CATALOG.VERSION_CONFLICT',
      message: expect.any(String),
      details: { productId: id, expectedVersion: 1, currentVersion: 2 },
    });
    expect((await productDoc(id)).name).toBe('A');
  });

  it('unchanged values: 202 with the current version and no event', async () => {
    const { id } = await createProduct();
    const res = await request(t.http)
      .patch(`/api/products/${id}`)
      .set(admin())
      .send({ name: 'Studio Headphones', price: '19.99' })
      .expect(202);
    expect(res.body.version).toBe(1);
    expect(await eventsOf(id)).toHaveLength(1);
  });

  it('400 CATALOG.EMPTY_UPDATE when no field is named (a version alone is not a change)', async () => {
    const { id } = await createProduct();
    for (const body of [{}, { version: 1 }]) {
      const res = await request(t.http).patch(`/api/products/${id}`).set(admin()).send(body).expect(400);
      expect(res.body.code).toBe('CATALOG.EMPTY_UPDATE');
    }
  });

  for (const [field, value] of [
    ['name', ''],
    ['brand', '  '],
    ['category', []],
    ['images', ['nope']],
    ['features', [1]],
    ['price', '0'],
    ['price', 5],
    ['version', 0],
    ['version', '1'],
  ] as [string, unknown][])
    it(`400 for ${show(field)} = ${show(value)}`, async () => {
      const { id } = await createProduct();
      const res = await request(t.http)
        .patch(`/api/products/${id}`)
        .set(admin())
        .send({ [field]: value })
        .expect(400);
      expect(fieldsOf(res.body)).toEqual([field]);
    });

  it('400 for fields that cannot change (sku, currency) or are unknown', async () => {
    const { id } = await createProduct();
    for (const body of [
      { sku: 'NEW' },
      { currency: 'USD' },
      { status: 'active' },
      { inventory: { quantity: 1 } },
    ]) {
      const res = await request(t.http).patch(`/api/products/${id}`).set(admin()).send(body).expect(400);
      expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
    }
  });

  it('404 CATALOG.PRODUCT_NOT_FOUND for an unknown id and for an id of the wrong shape', async () => {
    for (const id of [UNKNOWN, 'not-a-product-id']) {
      const res = await request(t.http)
        .patch(`/api/products/${id}`)
        .set(admin())
        .send({ name: 'X' })
        .expect(404);
      expect(res.body.code).toBe('CATALOG.PRODUCT_NOT_FOUND');
    }
  });

  it('409 CATALOG.PRODUCT_DISCONTINUED for a discontinued product', async () => {
    const { id } = await createProduct();
    await request(t.http).post(`/api/products/${id}/discontinue`).set(admin()).expect(202);
    const res = await request(t.http)
      .patch(`/api/products/${id}`)
      .set(admin())
      .send({ name: 'X' })
      .expect(409);
    expect(res.body.code).toBe('CATALOG.PRODUCT_DISCONTINUED');
  });

  it('401 without a token, 403 for a customer', async () => {
    const { id } = await createProduct();
    await request(t.http).patch(`/api/products/${id}`).send({ name: 'X' }).expect(401);
    await request(t.http).patch(`/api/products/${id}`).set(customer()).send({ name: 'X' }).expect(403);
  });
});

describe('POST /api/products/:id/inventory (adjust inventory)', () => {
  it('delta adds to the available quantity; the event carries the result', async () => {
    const { id } = await createProduct({ quantity: 5 });
    const res = await request(t.http)
      .post(`/api/products/${id}/inventory`)
      .set(admin())
      .send({ delta: 7, reason: 'restock' })
      .expect(202);
    expect(res.body).toEqual({ id, version: 2, consistencyToken: `${id}@2` });
    expect(res.headers.location).toBe(`/api/products/${id}`);
    expect((await productDoc(id)).inventory).toEqual({ quantity: 12, reserved: 0 });
    const [, e] = await eventsOf(id);
    expect(e).toMatchObject({
      type: 'catalog.inventory-adjusted',
      aggregateVersion: 2,
      payload: { mode: 'delta', delta: 7, reason: 'restock', inventory: { quantity: 12, reserved: 0 } },
    });
  });

  it('set fixes the available quantity (down to 0 is allowed)', async () => {
    const { id } = await createProduct({ quantity: 5 });
    await request(t.http).post(`/api/products/${id}/inventory`).set(admin()).send({ set: 0 }).expect(202);
    expect((await productDoc(id)).inventory).toEqual({ quantity: 0, reserved: 0 });
  });

  it('409 CATALOG.INSUFFICIENT_STOCK when a negative delta would leave less than 0 available', async () => {
    const { id } = await createProduct({ quantity: 5 });
    const res = await request(t.http)
      .post(`/api/products/${id}/inventory`)
      .set(admin())
      .send({ delta: -6 })
      .expect(409);
    expect(res.body).toEqual({
      statusCode: 409,
      code: 'CATALOG.INSUFFICIENT_STOCK',
      message: expect.any(String),
      details: { productId: id, quantity: 5, reserved: 0, requestedQuantity: -1 },
    });
    expect((await productDoc(id)).inventory.quantity).toBe(5);
  });

  for (const [body, field, message] of [
    [{}, 'delta', 'exactly one of delta and set must be given'],
    [{ delta: 1, set: 1 }, 'delta', 'delta and set cannot be given together'],
    [{ delta: 0 }, 'delta', 'delta must be a non-zero integer'],
    [{ delta: 1.5 }, 'delta', 'delta must be a non-zero integer'],
    [{ delta: '3' }, 'delta', 'delta must be a non-zero integer'],
    [{ delta: 2_000_000_000 }, 'delta', 'delta must be a non-zero integer'],
    [{ set: -1 }, 'set', 'set must not be less than 0'],
    [{ set: 2.5 }, 'set', 'set must be an integer number'],
    [{ set: { $inc: 1 } }, 'set', 'set must be an integer number'],
    [
      { delta: 1, reason: 'r'.repeat(501) },
      'reason',
      'reason must be shorter than or equal to 500 characters',
    ],
    [{ delta: 1, version: 'x' }, 'version', 'version must be an integer number'],
  ] as [object, string, string][])
    it(`400 for ${show(body)}`, async () => {
      const { id } = await createProduct();
      const res = await request(t.http)
        .post(`/api/products/${id}/inventory`)
        .set(admin())
        .send(body)
        .expect(400);
      expect(fieldsOf(res.body)).toEqual([field]);
      expect(res.body.details[0].errors.join(' ')).toContain(message);
    });

  it('409 CATALOG.VERSION_CONFLICT for a stale version', async () => {
    const { id } = await createProduct();
    await request(t.http).post(`/api/products/${id}/inventory`).set(admin()).send({ delta: 1 }).expect(202);
    const res = await request(t.http)
      .post(`/api/products/${id}/inventory`)
      .set(admin())
      .send({ delta: 1, version: 1 })
      .expect(409);
    expect(res.body.details).toEqual({ productId: id, expectedVersion: 1, currentVersion: 2 });
  });

  it('409 CATALOG.PRODUCT_DISCONTINUED for a discontinued product', async () => {
    const { id } = await createProduct();
    await request(t.http).post(`/api/products/${id}/discontinue`).set(admin()).expect(202);
    const res = await request(t.http)
      .post(`/api/products/${id}/inventory`)
      .set(admin())
      .send({ delta: 1 })
      .expect(409);
    expect(res.body.code).toBe('CATALOG.PRODUCT_DISCONTINUED');
  });

  it('404 for an unknown product; 401 without a token; 403 for a customer', async () => {
    const res = await request(t.http)
      .post(`/api/products/${UNKNOWN}/inventory`)
      .set(admin())
      .send({ delta: 1 })
      .expect(404);
    expect(res.body.code).toBe('CATALOG.PRODUCT_NOT_FOUND');
    const { id } = await createProduct();
    await request(t.http).post(`/api/products/${id}/inventory`).send({ delta: 1 }).expect(401);
    await request(t.http)
      .post(`/api/products/${id}/inventory`)
      .set(customer())
      .send({ delta: 1 })
      .expect(403);
  });

  it('concurrent adjustments are all applied exactly once (no lost update)', async () => {
    const { id } = await createProduct({ quantity: 0 });
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        request(t.http).post(`/api/products/${id}/inventory`).set(admin()).send({ delta: 1 }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(202));
    const doc = await productDoc(id);
    expect(doc.inventory.quantity).toBe(12);
    expect(doc.version).toBe(13);
    expect((await eventsOf(id)).map((e) => e.aggregateVersion)).toEqual(
      Array.from({ length: 13 }, (_, i) => i + 1),
    );
  });
});

describe('POST /api/products/:id/discontinue', () => {
  it('202; the product is discontinued, with an event (the body may be empty)', async () => {
    const { id } = await createProduct();
    const res = await request(t.http).post(`/api/products/${id}/discontinue`).set(admin()).expect(202);
    expect(res.body).toEqual({ id, version: 2, consistencyToken: `${id}@2` });
    expect(res.headers.location).toBe(`/api/products/${id}`);
    expect((await productDoc(id)).status).toBe('discontinued');
    const [, e] = await eventsOf(id);
    expect(e).toMatchObject({
      type: 'catalog.product-discontinued',
      payload: { reason: null, status: 'discontinued' },
    });
  });

  it('accepts a reason and an expected version', async () => {
    const { id } = await createProduct();
    await request(t.http)
      .post(`/api/products/${id}/discontinue`)
      .set(admin())
      .send({ reason: 'end of line', version: 1 })
      .expect(202);
    expect((await eventsOf(id))[1].payload).toEqual({ reason: 'end of line', status: 'discontinued' });
  });

  it('409 CATALOG.ALREADY_DISCONTINUED the second time', async () => {
    const { id } = await createProduct();
    await request(t.http).post(`/api/products/${id}/discontinue`).set(admin()).expect(202);
    const res = await request(t.http).post(`/api/products/${id}/discontinue`).set(admin()).expect(409);
    expect(res.body.code).toBe('CATALOG.ALREADY_DISCONTINUED');
  });

  it('409 CATALOG.VERSION_CONFLICT for a stale version', async () => {
    const { id } = await createProduct();
    await request(t.http).patch(`/api/products/${id}`).set(admin()).send({ name: 'X' }).expect(202);
    const res = await request(t.http)
      .post(`/api/products/${id}/discontinue`)
      .set(admin())
      .send({ version: 1 })
      .expect(409);
    expect(res.body.code).toBe('CATALOG.VERSION_CONFLICT');
    expect((await productDoc(id)).status).toBe('active');
  });

  for (const [body, field] of [
    [{ reason: 5 }, 'reason'],
    [{ reason: 'r'.repeat(501) }, 'reason'],
    [{ version: -1 }, 'version'],
    [{ force: true }, 'force'],
  ] as [object, string][])
    it(`400 for ${show(body)}`, async () => {
      const { id } = await createProduct();
      const res = await request(t.http)
        .post(`/api/products/${id}/discontinue`)
        .set(admin())
        .send(body)
        .expect(400);
      expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
      expect(res.body.message).toContain(field);
    });

  it('404 for an unknown product; 401 without a token; 403 for a customer', async () => {
    await request(t.http).post(`/api/products/${UNKNOWN}/discontinue`).set(admin()).expect(404);
    const { id } = await createProduct();
    await request(t.http).post(`/api/products/${id}/discontinue`).expect(401);
    await request(t.http).post(`/api/products/${id}/discontinue`).set(customer()).expect(403);
  });
});

describe('POST /api/products/:id/reviews (add review)', () => {
  const review = { rating: 4, title: 'Good sound', body: 'Comfortable for hours.' };

  it('a customer who received the product reviews it once: 202, review stored, rating totals on the product', async () => {
    const { id } = await createProduct();
    const customerId = `cus_${randomUUID()}`;
    await deliver(customerId, id);
    const res = await request(t.http)
      .post(`/api/products/${id}/reviews`)
      .set(customer(customerId))
      .send(review)
      .expect(202);
    expect(res.body).toEqual({
      id,
      version: 2,
      consistencyToken: `${id}@2`,
      reviewId: expect.stringMatching(/^rev_/),
    });
    expect(res.headers.location).toBe(`/api/products/${id}`);
    expect(
      await db.collection('product_reviews').findOne({ productId: id }, { projection: { _id: 0 } }),
    ).toEqual({
      reviewId: res.body.reviewId,
      productId: id,
      customerId,
      ...review,
      createdAt: expect.any(Date),
    });
    expect((await productDoc(id)).ratings).toEqual({ count: 1, sum: 4 });
    const [, e] = await eventsOf(id);
    expect(e).toMatchObject({
      type: 'catalog.review-added',
      aggregateVersion: 2,
      payload: { reviewId: res.body.reviewId, customerId, rating: 4, ratings: { count: 1, sum: 4 } },
    });
  });

  it('409 CATALOG.ALREADY_REVIEWED the second time', async () => {
    const { id } = await createProduct();
    const customerId = `cus_${randomUUID()}`;
    await deliver(customerId, id);
    await request(t.http)
      .post(`/api/products/${id}/reviews`)
      .set(customer(customerId))
      .send(review)
      .expect(202);
    const res = await request(t.http)
      .post(`/api/products/${id}/reviews`)
      .set(customer(customerId))
      .send({ ...review, rating: 1 })
      .expect(409);
    expect(res.body).toEqual({
      statusCode: 409,
      code: 'CATALOG.ALREADY_REVIEWED',
      message: expect.any(String),
      details: { productId: id, customerId },
    });
    expect((await productDoc(id)).ratings).toEqual({ count: 1, sum: 4 });
  });

  it('two concurrent first reviews by one customer: one 202, one 409', async () => {
    const { id } = await createProduct();
    const customerId = `cus_${randomUUID()}`;
    await deliver(customerId, id);
    const results = await Promise.all(
      [1, 2].map(() =>
        request(t.http).post(`/api/products/${id}/reviews`).set(customer(customerId)).send(review),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([202, 409]);
    expect(await db.collection('product_reviews').countDocuments({ productId: id })).toBe(1);
    expect((await productDoc(id)).ratings).toEqual({ count: 1, sum: 4 });
  });

  it('403 CATALOG.NOT_PURCHASED for a customer without a delivered order of the product', async () => {
    const { id } = await createProduct();
    const other = await createProduct();
    const customerId = `cus_${randomUUID()}`;
    await deliver(customerId, other.id); // received another product only
    const res = await request(t.http)
      .post(`/api/products/${id}/reviews`)
      .set(customer(customerId))
      .send(review)
      .expect(403);
    expect(res.body.code).toBe('CATALOG.NOT_PURCHASED');
    // Another customer's delivery does not count either.
    await deliver(`cus_${randomUUID()}`, id);
    await request(t.http)
      .post(`/api/products/${id}/reviews`)
      .set(customer(customerId))
      .send(review)
      .expect(403);
  });

  it('the same delivered event applied twice records the purchase once', async () => {
    const { id } = await createProduct();
    const customerId = `cus_${randomUUID()}`;
    const orderId = `ord_${randomUUID()}`;
    await deliver(customerId, id, orderId);
    await deliver(customerId, id, orderId);
    const docs = await db.collection('delivered_purchases').find({ customerId, productId: id }).toArray();
    expect(docs).toHaveLength(1);
    expect(docs[0].orderIds).toEqual([orderId]);
  });

  it('a discontinued product can still be reviewed by a customer who received it', async () => {
    const { id } = await createProduct();
    const customerId = `cus_${randomUUID()}`;
    await deliver(customerId, id);
    await request(t.http).post(`/api/products/${id}/discontinue`).set(admin()).expect(202);
    await request(t.http)
      .post(`/api/products/${id}/reviews`)
      .set(customer(customerId))
      .send(review)
      .expect(202);
  });

  for (const [body, fields] of [
    [{}, ['body', 'rating', 'title']],
    [{ ...review, rating: 0 }, ['rating']],
    [{ ...review, rating: 6 }, ['rating']],
    [{ ...review, rating: 3.5 }, ['rating']],
    [{ ...review, rating: '5' }, ['rating']],
    [{ ...review, title: '' }, ['title']],
    [{ ...review, title: '   ' }, ['title']],
    [{ ...review, title: 't'.repeat(201) }, ['title']],
    [{ ...review, body: { $ne: null } }, ['body']],
    [{ ...review, body: 'b'.repeat(5001) }, ['body']],
    [{ ...review, customerId: 'cus_someone_else' }, ['customerId']],
  ] as [Record<string, unknown>, string[]][])
    it(`400 for ${show(body)}`, async () => {
      const { id } = await createProduct();
      const res = await request(t.http)
        .post(`/api/products/${id}/reviews`)
        .set(customer())
        .send(body)
        .expect(400);
      expect(fieldsOf(res.body)).toEqual(fields);
    });

  it('404 for an unknown product', async () => {
    const res = await request(t.http)
      .post(`/api/products/${UNKNOWN}/reviews`)
      .set(customer())
      .send(review)
      .expect(404);
    expect(res.body.code).toBe('CATALOG.PRODUCT_NOT_FOUND');
  });

  it('401 without a token; 403 for an admin (reviews are written by customers)', async () => {
    const { id } = await createProduct();
    await request(t.http).post(`/api/products/${id}/reviews`).send(review).expect(401);
    const res = await request(t.http)
      .post(`/api/products/${id}/reviews`)
      .set(admin())
      .send(review)
      .expect(403);
    expect(res.body.code).toBe('AUTH.FORBIDDEN');
  });
});

describe('the event log is complete', () => {
  it("replaying a product's events rebuilds exactly the stored product", async () => {
    const { id } = await createProduct({ quantity: 3 });
    const customerId = `cus_${randomUUID()}`;
    await deliver(customerId, id);
    await request(t.http)
      .patch(`/api/products/${id}`)
      .set(admin())
      .send({ features: [], price: '9.95' })
      .expect(202);
    await request(t.http).post(`/api/products/${id}/inventory`).set(admin()).send({ delta: 4 }).expect(202);
    await request(t.http)
      .post(`/api/products/${id}/reviews`)
      .set(customer(customerId))
      .send({ rating: 5, title: 't', body: 'b' })
      .expect(202);
    await request(t.http).post(`/api/products/${id}/discontinue`).set(admin()).expect(202);

    const registry = t.app.get(EventRegistry);
    const history = (await eventsOf(id)).map((e) => registry.revive(e) as ProductEvent);
    expect(history.every((e) => e !== undefined)).toBe(true);
    const rebuilt = Product.fromHistory(history).state;
    const stored = toState(await productDoc(id));
    expect(rebuilt).toEqual(stored);
    expect(stored).toMatchObject({
      version: 6,
      price: '9.95',
      inventory: { quantity: 7, reserved: 0 },
      status: 'discontinued',
    });
  });
});
