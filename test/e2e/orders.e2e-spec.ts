/**
 * The orders command API over HTTP: place, update status, cancel. For each: success (202, body,
 * Location, write model, events), every validation error, every conflict, and who may do what
 * (the customer, an admin, another customer). After every test the inventory invariant holds.
 */
import { Decimal128 } from 'mongodb';
import request from 'supertest';
import { OrdersFixtures, type FixtureCustomer, type FixtureProduct } from './helpers/orders-fixtures.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { inventoryOf, inventoryViolations, writeDb } from './helpers/write-model.js';

const UNKNOWN_PRODUCT = 'prd_00000000-0000-4000-8000-000000000000';
const UNKNOWN_ORDER = 'ord_00000000-0000-4000-8000-000000000000';
const UNKNOWN_CUSTOMER = 'cus_00000000-0000-4000-8000-000000000000';

interface StoredOrder {
  orderId: string;
  customerId: string;
  status: string;
  version: number;
  items: {
    productId: string;
    sku: string;
    name: string;
    quantity: number;
    priceAtOrder: Decimal128;
    subtotal: Decimal128;
  }[];
  subtotal: Decimal128;
  tax: Decimal128;
  shipping: Decimal128;
  total: Decimal128;
  currency: string;
  shippingAddressId: string;
  billingAddressId: string;
  createdAt: Date;
  updatedAt: Date;
}

interface StoredEvent {
  type: string;
  aggregateId: string;
  aggregateVersion: number;
  correlationId: string;
  payload: Record<string, unknown>;
}

describe('orders command API', () => {
  let t: TestApp;
  let fx: OrdersFixtures;
  let ada: FixtureCustomer;
  let bob: FixtureCustomer;

  beforeAll(async () => {
    t = await startTestApp();
    fx = new OrdersFixtures(t);
    ada = await fx.customer(2);
    bob = await fx.customer(1);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  afterEach(async () => {
    expect(await inventoryViolations(t.app)).toEqual([]);
  });

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const order = async (orderId: string): Promise<StoredOrder> => {
    const doc = await writeDb(t.app).collection<StoredOrder>('orders').findOne({ orderId });
    if (!doc) throw new Error(`no order ${orderId}`);
    return doc;
  };
  const events = (aggregateId: string): Promise<StoredEvent[]> =>
    writeDb(t.app)
      .collection<StoredEvent>('domain_events')
      .find({ aggregateId })
      .sort({ aggregateVersion: 1 })
      .toArray();
  const eventsOfOrder = (orderId: string): Promise<StoredEvent[]> =>
    writeDb(t.app)
      .collection<StoredEvent>('domain_events')
      .find({ $or: [{ aggregateId: orderId }, { 'payload.orderId': orderId }] })
      .toArray();

  const placeBody = (
    customer: FixtureCustomer,
    items: { productId: string; quantity: number }[],
    extra: Record<string, unknown> = {},
  ) => ({
    items,
    shippingAddressId: customer.addressIds[0],
    billingAddressId: customer.addressIds[customer.addressIds.length - 1],
    ...extra,
  });

  const place = (customer: FixtureCustomer, items: { productId: string; quantity: number }[]) =>
    request(t.http).post('/api/orders').set(auth(customer.token)).send(placeBody(customer, items));

  async function placed(customer: FixtureCustomer, items: { productId: string; quantity: number }[]) {
    const res = await place(customer, items);
    expect(res.status).toBe(202);
    return res.body as { id: string; version: number; consistencyToken: string };
  }

  const setStatus = (orderId: string, status: string, version: number, token = t.adminToken) =>
    request(t.http).put(`/api/orders/${orderId}/status`).set(auth(token)).send({ status, version });

  const cancel = (orderId: string, token: string, body: Record<string, unknown> = {}) =>
    request(t.http).post(`/api/orders/${orderId}/cancel`).set(auth(token)).send(body);

  describe('POST /api/orders', () => {
    let mug: FixtureProduct;
    let tea: FixtureProduct;

    beforeAll(async () => {
      mug = await fx.product('19.99', 10, 'Mug');
      tea = await fx.product('5.00', 10, 'Tea');
    });

    it('a customer places an order: 202, Location, exact totals, stock reserved, events appended', async () => {
      const res = await request(t.http)
        .post('/api/orders')
        .set(auth(ada.token))
        .set('X-Correlation-Id', 'corr-place-1')
        .send(
          placeBody(ada, [
            { productId: mug.productId, quantity: 3 },
            { productId: tea.productId, quantity: 1 },
          ]),
        );
      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^ord_[0-9a-f-]{36}$/),
        version: 1,
        consistencyToken: `${res.body.id}@1`,
      });
      expect(res.headers.location).toBe(`/api/orders/${res.body.id}`);

      const doc = await order(res.body.id);
      expect(doc.items[0].priceAtOrder).toBeInstanceOf(Decimal128);
      expect({
        customerId: doc.customerId,
        status: doc.status,
        version: doc.version,
        currency: doc.currency,
        shippingAddressId: doc.shippingAddressId,
        billingAddressId: doc.billingAddressId,
        items: doc.items.map((i) => [
          i.productId,
          i.sku,
          i.name,
          i.quantity,
          i.priceAtOrder.toString(),
          i.subtotal.toString(),
        ]),
        subtotal: doc.subtotal.toString(),
        tax: doc.tax.toString(),
        shipping: doc.shipping.toString(),
        total: doc.total.toString(),
      }).toEqual({
        customerId: ada.customerId,
        status: 'pending',
        version: 1,
        currency: 'USD',
        shippingAddressId: ada.addressIds[0],
        billingAddressId: ada.addressIds[1],
        items: [
          [mug.productId, mug.sku, 'Mug', 3, '19.99', '59.97'],
          [tea.productId, tea.sku, 'Tea', 1, '5.00', '5.00'],
        ],
        // 64.97 × 0.08 = 5.1976 → 5.20 (half-up, once per order); 64.97 + 5.20 + 5.99
        subtotal: '64.97',
        tax: '5.20',
        shipping: '5.99',
        total: '76.16',
      });
      expect(doc.createdAt).toEqual(doc.updatedAt);

      expect(await inventoryOf(t.app, mug.productId)).toEqual({ quantity: 7, reserved: 3 });
      expect(await inventoryOf(t.app, tea.productId)).toEqual({ quantity: 9, reserved: 1 });

      const log = await eventsOfOrder(res.body.id);
      expect(log.map((e) => e.type).sort()).toEqual([
        'catalog.stock-reserved',
        'catalog.stock-reserved',
        'orders.order-placed',
      ]);
      const placedEvent = log.find((e) => e.type === 'orders.order-placed')!;
      expect(placedEvent).toMatchObject({
        aggregateId: res.body.id,
        aggregateVersion: 1,
        correlationId: 'corr-place-1',
      });
      expect(placedEvent.payload).toMatchObject({
        orderId: res.body.id,
        customerId: ada.customerId,
        customer: {
          customerId: ada.customerId,
          name: expect.any(String),
          email: expect.stringContaining('@'),
        },
        shippingAddress: {
          addressId: ada.addressIds[0],
          line1: '1 Test St',
          city: 'Testville',
          country: 'US',
        },
        billingAddress: { addressId: ada.addressIds[1], line1: '2 Test St' },
        items: [
          {
            productId: mug.productId,
            sku: mug.sku,
            name: 'Mug',
            brand: 'Testbrand',
            category: ['Test', 'Fixtures'],
            quantity: 3,
            priceAtOrder: '19.99',
            subtotal: '59.97',
          },
          { productId: tea.productId, quantity: 1, priceAtOrder: '5.00', subtotal: '5.00' },
        ],
        subtotal: '64.97',
        taxRate: '0.08',
        tax: '5.20',
        shipping: '5.99',
        total: '76.16',
        currency: 'USD',
        status: 'pending',
      });
      expect(log.every((e) => e.correlationId === 'corr-place-1')).toBe(true);
    });

    it('an admin places an order for a named customer', async () => {
      const res = await request(t.http)
        .post('/api/orders')
        .set(auth(t.adminToken))
        .send(placeBody(bob, [{ productId: tea.productId, quantity: 2 }], { customerId: bob.customerId }));
      expect(res.status).toBe(202);
      expect((await order(res.body.id)).customerId).toBe(bob.customerId);
    });

    it('a customer may name themselves', async () => {
      const res = await request(t.http)
        .post('/api/orders')
        .set(auth(bob.token))
        .send(placeBody(bob, [{ productId: tea.productId, quantity: 1 }], { customerId: bob.customerId }));
      expect(res.status).toBe(202);
    });

    it('an admin must name the customer: 400 listing customerId', async () => {
      const res = await request(t.http)
        .post('/api/orders')
        .set(auth(t.adminToken))
        .send(placeBody(bob, [{ productId: tea.productId, quantity: 1 }]));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        code: 'REQUEST.VALIDATION_FAILED',
        details: [{ field: 'customerId', errors: [expect.any(String)] }],
      });
    });

    it('a customer cannot order for another customer: 403, nothing reserved', async () => {
      const before = await inventoryOf(t.app, tea.productId);
      const res = await request(t.http)
        .post('/api/orders')
        .set(auth(ada.token))
        .send(placeBody(bob, [{ productId: tea.productId, quantity: 1 }], { customerId: bob.customerId }));
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('AUTH.FORBIDDEN');
      expect(await inventoryOf(t.app, tea.productId)).toEqual(before);
    });

    it("another customer's address: 403 CUSTOMERS.ADDRESS_NOT_OWNED, nothing reserved", async () => {
      const before = await inventoryOf(t.app, tea.productId);
      const res = await request(t.http)
        .post('/api/orders')
        .set(auth(ada.token))
        .send({
          items: [{ productId: tea.productId, quantity: 1 }],
          shippingAddressId: ada.addressIds[0],
          billingAddressId: bob.addressIds[0],
        });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({
        code: 'CUSTOMERS.ADDRESS_NOT_OWNED',
        details: { field: 'billingAddressId' },
      });
      expect(await inventoryOf(t.app, tea.productId)).toEqual(before);
    });

    it('401 without a token, 401 with a bad one', async () => {
      await request(t.http)
        .post('/api/orders')
        .send(placeBody(ada, [{ productId: tea.productId, quantity: 1 }]))
        .expect(401);
      const res = await request(t.http)
        .post('/api/orders')
        .set('Authorization', `Bearer ${ada.token}x`)
        .send(placeBody(ada, [{ productId: tea.productId, quantity: 1 }]));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('AUTH.UNAUTHORIZED');
    });

    it('a token for a customer that does not exist: 404 CUSTOMERS.NOT_FOUND', async () => {
      const ghost = { ...ada, customerId: UNKNOWN_CUSTOMER, token: t.customerToken(UNKNOWN_CUSTOMER) };
      const res = await place(ghost, [{ productId: tea.productId, quantity: 1 }]);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('CUSTOMERS.NOT_FOUND');
    });

    it('a suspended customer: 409 CUSTOMERS.SUSPENDED, nothing reserved', async () => {
      const carol = await fx.customer(1);
      await fx.suspend(carol.customerId);
      const before = await inventoryOf(t.app, tea.productId);
      const res = await place(carol, [{ productId: tea.productId, quantity: 1 }]);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('CUSTOMERS.SUSPENDED');
      expect(await inventoryOf(t.app, tea.productId)).toEqual(before);
    });

    it('an unknown product: 404 CATALOG.PRODUCT_NOT_FOUND and the other lines are not reserved', async () => {
      const before = await inventoryOf(t.app, tea.productId);
      const res = await place(ada, [
        { productId: tea.productId, quantity: 1 },
        { productId: UNKNOWN_PRODUCT, quantity: 1 },
      ]);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({
        code: 'CATALOG.PRODUCT_NOT_FOUND',
        details: { productIds: [UNKNOWN_PRODUCT] },
      });
      expect(await inventoryOf(t.app, tea.productId)).toEqual(before);
    });

    it('a discontinued product: 409 CATALOG.PRODUCT_DISCONTINUED', async () => {
      const old = await fx.product('3.00', 5);
      await fx.discontinue(old.productId);
      const res = await place(ada, [{ productId: old.productId, quantity: 1 }]);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('CATALOG.PRODUCT_DISCONTINUED');
    });

    it('not enough stock: 409 CATALOG.OUT_OF_STOCK naming the line; no line is reserved, no order written', async () => {
      const scarce = await fx.product('100.00', 2);
      const before = await inventoryOf(t.app, tea.productId);
      const ordersBefore = await writeDb(t.app).collection('orders').countDocuments();
      const res = await place(ada, [
        { productId: tea.productId, quantity: 1 },
        { productId: scarce.productId, quantity: 3 },
      ]);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        code: 'CATALOG.OUT_OF_STOCK',
        details: { items: [{ productId: scarce.productId, requested: 3, available: 2 }] },
      });
      expect(await inventoryOf(t.app, tea.productId)).toEqual(before);
      expect(await inventoryOf(t.app, scarce.productId)).toEqual({ quantity: 2, reserved: 0 });
      expect(await writeDb(t.app).collection('orders').countDocuments()).toBe(ordersBefore);
    });

    it('the last units can be ordered: stock goes to exactly 0', async () => {
      const lastTwo = await fx.product('7.50', 2);
      await placed(ada, [{ productId: lastTwo.productId, quantity: 2 }]);
      expect(await inventoryOf(t.app, lastTwo.productId)).toEqual({ quantity: 0, reserved: 2 });
      const res = await place(bob, [{ productId: lastTwo.productId, quantity: 1 }]);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('CATALOG.OUT_OF_STOCK');
    });

    describe('Idempotency-Key', () => {
      const keyed = (key: string, body: object) =>
        request(t.http).post('/api/orders').set(auth(ada.token)).set('Idempotency-Key', key).send(body);

      it('a repeat returns the first answer and places (and reserves) once', async () => {
        const before = await inventoryOf(t.app, tea.productId);
        const body = placeBody(ada, [{ productId: tea.productId, quantity: 2 }]);
        const first = await keyed('orders-e2e-repeat', body);
        const again = await keyed('orders-e2e-repeat', body);
        expect(first.status).toBe(202);
        expect(again.status).toBe(202);
        expect(again.body).toEqual(first.body);
        expect(again.headers.location).toBe(first.headers.location);
        expect(await inventoryOf(t.app, tea.productId)).toEqual({
          quantity: before.quantity - 2,
          reserved: before.reserved + 2,
        });
      });

      it('concurrent repeats place one order', async () => {
        const before = await writeDb(t.app)
          .collection('orders')
          .countDocuments({ customerId: ada.customerId });
        const body = placeBody(ada, [{ productId: tea.productId, quantity: 1 }]);
        const answers = await Promise.all(
          Array.from({ length: 5 }, () => keyed('orders-e2e-concurrent', body)),
        );
        expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
        expect(new Set(answers.map((a) => a.body.id as string)).size).toBe(1);
        expect(await writeDb(t.app).collection('orders').countDocuments({ customerId: ada.customerId })).toBe(
          before + 1,
        );
      });

      it('the same key with another body: 422 IDEMPOTENCY.KEY_REUSED, nothing placed', async () => {
        await keyed('orders-e2e-reused', placeBody(ada, [{ productId: tea.productId, quantity: 1 }])).expect(
          202,
        );
        const before = await inventoryOf(t.app, tea.productId);
        const res = await keyed(
          'orders-e2e-reused',
          placeBody(ada, [{ productId: tea.productId, quantity: 3 }]),
        );
        expect(res.status).toBe(422);
        expect(res.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
        expect(await inventoryOf(t.app, tea.productId)).toEqual(before);
      });
    });

    describe('validation: 400 REQUEST.VALIDATION_FAILED listing every failing field', () => {
      const invalid = async (body: unknown, fields: string[], token = ada.token) => {
        const res = await request(t.http)
          .post('/api/orders')
          .set(auth(token))
          .send(body as object);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
        expect((res.body.details as { field: string }[]).map((d) => d.field).sort()).toEqual(
          [...fields].sort(),
        );
        return res;
      };

      it('an empty body lists items and both addresses', async () => {
        await invalid({}, ['items', 'shippingAddressId', 'billingAddressId']);
      });

      it('no items', async () => {
        await invalid(placeBody(ada, []), ['items']);
      });

      it.each([
        ['0', 0],
        ['negative', -1],
        ['fractional', 1.5],
        ['a string', '2'],
        ['above the maximum', 1001],
        ['null', null],
      ])('quantity %s', async (_what, quantity) => {
        await invalid(placeBody(ada, [{ productId: tea.productId, quantity } as never]), [
          'items.0.quantity',
        ]);
      });

      it('a productId that is not a product id, and an operator object instead of a string', async () => {
        await invalid(
          placeBody(ada, [
            { productId: 'mug', quantity: 1 },
            { productId: { $gt: '' }, quantity: 1 } as never,
          ]),
          ['items.0.productId', 'items.1.productId'],
        );
      });

      it('the same product twice', async () => {
        const res = await invalid(
          placeBody(ada, [
            { productId: tea.productId, quantity: 1 },
            { productId: tea.productId, quantity: 2 },
          ]),
          ['items'],
        );
        expect(res.body.details[0].errors.join(' ')).toMatch(/once/);
      });

      it('more than 50 lines', async () => {
        const items = Array.from({ length: 51 }, (_, i) => ({
          productId: `prd_00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          quantity: 1,
        }));
        await invalid(placeBody(ada, items), ['items']);
      });

      it('items not an array, addresses not address ids', async () => {
        await invalid(
          {
            items: { productId: tea.productId, quantity: 1 },
            shippingAddressId: 'home',
            billingAddressId: 42,
          },
          ['items', 'shippingAddressId', 'billingAddressId'],
        );
      });

      it('unknown fields, top level and inside an item', async () => {
        await invalid(
          placeBody(ada, [{ productId: tea.productId, quantity: 1, price: '0.01' } as never], {
            discount: '100%',
          }),
          ['discount', 'items.0.price'],
        );
      });

      it('a customerId that is not a customer id (admin)', async () => {
        await invalid(
          placeBody(bob, [{ productId: tea.productId, quantity: 1 }], { customerId: 'bob' }),
          ['customerId'],
          t.adminToken,
        );
      });

      it('nothing was reserved by any of these', async () => {
        // afterEach checks the invariant; the product's stock shows no stray reservation either.
        const inv = await inventoryOf(t.app, tea.productId);
        const held = await writeDb(t.app)
          .collection<StoredOrder>('orders')
          .find({ 'items.productId': tea.productId, status: { $in: ['pending', 'confirmed'] } })
          .toArray();
        const sum = held.reduce(
          (s, o) => s + o.items.find((i) => i.productId === tea.productId)!.quantity,
          0,
        );
        expect(inv.reserved).toBe(sum);
      });
    });
  });

  describe('PUT /api/orders/:id/status', () => {
    let lamp: FixtureProduct;

    beforeAll(async () => {
      lamp = await fx.product('42.10', 100, 'Lamp');
    });

    it('pending → confirmed → shipped → delivered: 202 each, version +1, shipping consumes the reservation', async () => {
      const { id } = await placed(ada, [{ productId: lamp.productId, quantity: 4 }]);
      const before = await inventoryOf(t.app, lamp.productId);

      const confirmed = await setStatus(id, 'confirmed', 1);
      expect(confirmed.status).toBe(202);
      expect(confirmed.body).toEqual({ id, version: 2, consistencyToken: `${id}@2` });
      expect(confirmed.headers.location).toBe(`/api/orders/${id}`);
      expect(await inventoryOf(t.app, lamp.productId)).toEqual(before);

      const shipped = await setStatus(id, 'shipped', 2);
      expect(shipped.status).toBe(202);
      expect(shipped.body.version).toBe(3);
      expect(await inventoryOf(t.app, lamp.productId)).toEqual({
        quantity: before.quantity,
        reserved: before.reserved - 4,
      });

      const delivered = await setStatus(id, 'delivered', 3);
      expect(delivered.status).toBe(202);
      expect(delivered.body.version).toBe(4);

      const doc = await order(id);
      expect({ status: doc.status, version: doc.version }).toEqual({ status: 'delivered', version: 4 });
      expect(doc.updatedAt.getTime()).toBeGreaterThan(doc.createdAt.getTime());
      const log = await events(id);
      expect(log.map((e) => [e.type, e.aggregateVersion])).toEqual([
        ['orders.order-placed', 1],
        ['orders.order-confirmed', 2],
        ['orders.order-shipped', 3],
        ['orders.order-delivered', 4],
      ]);
      expect(log[3].payload).toMatchObject({
        orderId: id,
        customerId: ada.customerId,
        previousStatus: 'shipped',
        status: 'delivered',
        items: [{ productId: lamp.productId, quantity: 4 }],
        total: expect.any(String),
      });
      const consumed = await writeDb(t.app)
        .collection<StoredEvent>('domain_events')
        .find({ type: 'catalog.stock-consumed', 'payload.orderId': id })
        .toArray();
      expect(consumed).toHaveLength(1);
    });

    it('a stale version: 409 ORDERS.VERSION_CONFLICT with details.currentVersion, nothing changed', async () => {
      const { id } = await placed(ada, [{ productId: lamp.productId, quantity: 1 }]);
      await setStatus(id, 'confirmed', 1).expect(202);
      const res = await setStatus(id, 'shipped', 1);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        statusCode: 409,
        code: 'ORDERS.VERSION_CONFLICT',
        details: { currentVersion: 2, expectedVersion: 1 },
      });
      expect((await order(id)).status).toBe('confirmed');
    });

    it('a version from the future is a conflict too', async () => {
      const { id } = await placed(ada, [{ productId: lamp.productId, quantity: 1 }]);
      const res = await setStatus(id, 'confirmed', 7);
      expect(res.status).toBe(409);
      expect(res.body.details.currentVersion).toBe(1);
    });

    it.each([
      ['pending', 'shipped'],
      ['pending', 'delivered'],
      ['pending', 'pending'],
    ])('%s → %s: 409 ORDERS.INVALID_TRANSITION', async (_from, to) => {
      const { id } = await placed(ada, [{ productId: lamp.productId, quantity: 1 }]);
      const res = await setStatus(id, to, 1);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'ORDERS.INVALID_TRANSITION', details: { from: 'pending', to } });
      expect(await order(id)).toMatchObject({ status: 'pending', version: 1 });
    });

    it('delivered and cancelled are final', async () => {
      const { id } = await placed(ada, [{ productId: lamp.productId, quantity: 1 }]);
      await setStatus(id, 'cancelled', 1).expect(202);
      const res = await setStatus(id, 'confirmed', 2);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('ORDERS.INVALID_TRANSITION');
    });

    it('cancelled by status update releases the reservation', async () => {
      const before = await inventoryOf(t.app, lamp.productId);
      const { id } = await placed(ada, [{ productId: lamp.productId, quantity: 5 }]);
      await setStatus(id, 'confirmed', 1).expect(202);
      const res = await setStatus(id, 'cancelled', 2);
      expect(res.status).toBe(202);
      expect(res.body.version).toBe(3);
      expect(await inventoryOf(t.app, lamp.productId)).toEqual(before);
      const log = await events(id);
      expect(log[2]).toMatchObject({
        type: 'orders.order-cancelled',
        payload: { previousStatus: 'confirmed', cancelledBy: 'admin' },
      });
    });

    it('a customer may not change the status, even of their own order: 403', async () => {
      const { id } = await placed(ada, [{ productId: lamp.productId, quantity: 1 }]);
      const res = await setStatus(id, 'confirmed', 1, ada.token);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('AUTH.FORBIDDEN');
      expect((await order(id)).status).toBe('pending');
    });

    it('401 without a token', async () => {
      await request(t.http)
        .put(`/api/orders/${UNKNOWN_ORDER}/status`)
        .send({ status: 'confirmed', version: 1 })
        .expect(401);
    });

    it('an unknown order: 404 ORDERS.NOT_FOUND (also for ids of another shape)', async () => {
      for (const id of [UNKNOWN_ORDER, 'nope']) {
        const res = await setStatus(id, 'confirmed', 1);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ statusCode: 404, code: 'ORDERS.NOT_FOUND', message: expect.any(String) });
      }
    });

    it.each([
      [{}, ['status', 'version']],
      [{ status: 'lost', version: 1 }, ['status']],
      [{ status: 'confirmed', version: 0 }, ['version']],
      [{ status: 'confirmed', version: '1' }, ['version']],
      [{ status: 'confirmed', version: 1.5 }, ['version']],
      [{ status: { $ne: 'x' }, version: 1 }, ['status']],
      [{ status: 'confirmed', version: 1, note: 'x' }, ['note']],
    ])('validation: %j → 400 listing %j', async (body, fields) => {
      const res = await request(t.http)
        .put(`/api/orders/${UNKNOWN_ORDER}/status`)
        .set(auth(t.adminToken))
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
      expect((res.body.details as { field: string }[]).map((d) => d.field).sort()).toEqual(
        [...fields].sort(),
      );
    });
  });

  describe('POST /api/orders/:id/cancel', () => {
    let pen: FixtureProduct;

    beforeAll(async () => {
      pen = await fx.product('1.25', 100, 'Pen');
    });

    it('the owner cancels a pending order: 202, version 2, stock released, event with who and why', async () => {
      const before = await inventoryOf(t.app, pen.productId);
      const { id } = await placed(ada, [{ productId: pen.productId, quantity: 6 }]);
      expect(await inventoryOf(t.app, pen.productId)).toEqual({
        quantity: before.quantity - 6,
        reserved: before.reserved + 6,
      });
      const res = await cancel(id, ada.token, { reason: 'ordered by mistake' });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ id, version: 2, consistencyToken: `${id}@2` });
      expect(res.headers.location).toBe(`/api/orders/${id}`);
      expect(await inventoryOf(t.app, pen.productId)).toEqual(before);
      expect(await order(id)).toMatchObject({ status: 'cancelled', version: 2 });
      const log = await eventsOfOrder(id);
      expect(log.map((e) => e.type).sort()).toEqual([
        'catalog.stock-released',
        'catalog.stock-reserved',
        'orders.order-cancelled',
        'orders.order-placed',
      ]);
      expect(log.find((e) => e.type === 'orders.order-cancelled')!.payload).toMatchObject({
        previousStatus: 'pending',
        status: 'cancelled',
        cancelledBy: 'customer',
        reason: 'ordered by mistake',
      });
    });

    it('an admin cancels a confirmed order, without a body', async () => {
      const { id } = await placed(bob, [{ productId: pen.productId, quantity: 2 }]);
      await setStatus(id, 'confirmed', 1).expect(202);
      const res = await request(t.http).post(`/api/orders/${id}/cancel`).set(auth(t.adminToken));
      expect(res.status).toBe(202);
      expect(res.body.version).toBe(3);
      const log = await events(id);
      expect(log[2].payload).toMatchObject({ cancelledBy: 'admin', reason: null });
    });

    it("another customer's order: 404 ORDERS.NOT_FOUND (no hint it exists), order unchanged", async () => {
      const { id } = await placed(ada, [{ productId: pen.productId, quantity: 1 }]);
      const res = await cancel(id, bob.token);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        statusCode: 404,
        code: 'ORDERS.NOT_FOUND',
        message: `Order ${id} not found`,
      });
      expect(JSON.stringify(res.body)).not.toContain(ada.customerId);
      expect(await order(id)).toMatchObject({ status: 'pending', version: 1 });
    });

    it('the same answer as for an order that does not exist', async () => {
      const res = await cancel(UNKNOWN_ORDER, bob.token);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('ORDERS.NOT_FOUND');
    });

    it('a shipped order cannot be cancelled: 409 ORDERS.INVALID_TRANSITION, reservation stays consumed', async () => {
      const { id } = await placed(ada, [{ productId: pen.productId, quantity: 1 }]);
      await setStatus(id, 'confirmed', 1).expect(202);
      await setStatus(id, 'shipped', 2).expect(202);
      const before = await inventoryOf(t.app, pen.productId);
      const res = await cancel(id, ada.token);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        code: 'ORDERS.INVALID_TRANSITION',
        details: { from: 'shipped', to: 'cancelled' },
      });
      expect(await inventoryOf(t.app, pen.productId)).toEqual(before);
    });

    it('cancelling twice: the second is 409 and releases nothing', async () => {
      const { id } = await placed(ada, [{ productId: pen.productId, quantity: 3 }]);
      await cancel(id, ada.token).expect(202);
      const before = await inventoryOf(t.app, pen.productId);
      const res = await cancel(id, ada.token);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('ORDERS.INVALID_TRANSITION');
      expect(await inventoryOf(t.app, pen.productId)).toEqual(before);
    });

    it('with a stale version: 409 ORDERS.VERSION_CONFLICT', async () => {
      const { id } = await placed(ada, [{ productId: pen.productId, quantity: 1 }]);
      await setStatus(id, 'confirmed', 1).expect(202);
      const res = await cancel(id, ada.token, { version: 1 });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'ORDERS.VERSION_CONFLICT', details: { currentVersion: 2 } });
      await cancel(id, ada.token, { version: 2 }).expect(202);
    });

    it('401 without a token', async () => {
      await request(t.http).post(`/api/orders/${UNKNOWN_ORDER}/cancel`).expect(401);
    });

    it.each([
      ['a reason over 500 characters', { reason: 'x'.repeat(501) }, ['reason']],
      ['a reason that is not a string', { reason: 42 }, ['reason']],
      ['version 0', { version: 0 }, ['version']],
      ['a version that is not a number', { version: 'two' }, ['version']],
      ['an unknown field', { refund: true }, ['refund']],
    ])('validation: %s → 400 listing the field', async (_what, body, fields) => {
      const res = await cancel(UNKNOWN_ORDER, t.adminToken, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
      expect((res.body.details as { field: string }[]).map((d) => d.field)).toEqual(fields);
    });
  });
});
