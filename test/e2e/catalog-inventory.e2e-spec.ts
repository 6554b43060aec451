/**
 * The InventoryService the catalog exports to the orders context, run as orders runs it: inside a
 * UnitOfWork transaction, appending the returned events with the caller's own. Checks atomicity
 * (all lines or none), the error details, the version/event rule and the behaviour under
 * concurrent reservations of the last units.
 */
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  InventoryService,
  type StockContext,
  type StockLine,
} from '../../src/modules/catalog/catalog.public.js';
import { AppError } from '../../src/shared/errors/app-error.js';
import { WRITE_CONNECTION } from '../../src/shared/persistence/connections.js';
import { UnitOfWork } from '../../src/shared/persistence/unit-of-work.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let db: Connection;
let inventory: InventoryService;
let uow: UnitOfWork;
let skuSeq = 0;

async function createProduct(quantity: number, price = '19.99'): Promise<string> {
  const res = await request(t.http)
    .post('/api/products')
    .set('Authorization', `Bearer ${t.adminToken}`)
    .send({
      sku: `INV-${++skuSeq}`,
      name: `Product ${skuSeq}`,
      brand: 'Acme',
      category: ['Electronics', 'Audio'],
      price,
      images: ['https://img.example.com/p.jpg'],
      quantity,
    })
    .expect(202);
  return (res.body as { id: string }).id;
}

const ctx = (): StockContext => ({ orderId: `ord_${randomUUID()}`, correlationId: `corr-${randomUUID()}` });

type Op = 'reserve' | 'release' | 'consume';

/** Runs one inventory call the way an orders command handler does. */
function run(op: Op, items: StockLine[], context = ctx()) {
  return uow.run(async (session) => {
    const change = await inventory[op](items, session, context);
    return { result: change, events: change.events };
  });
}

async function errorOf(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected an AppError');
}

async function stock(
  id: string,
): Promise<{ inventory: { quantity: number; reserved: number }; version: number }> {
  const doc = await db.collection('products').findOne({ productId: id });
  if (!doc) throw new Error(`no product ${id}`);
  return { inventory: doc.inventory, version: doc.version };
}

beforeAll(async () => {
  // 50 transactions racing for one product (no product lock on this path) retry on every write
  // conflict; on a loaded 2-core CI machine they can take longer than the default 10 s budget, and
  // what these tests check is the outcome, not that budget.
  t = await startTestApp({ TRANSACTION_TIMEOUT_MS: '60000' });
  db = t.app.get<Connection>(getConnectionToken(WRITE_CONNECTION));
  inventory = t.app.get(InventoryService);
  uow = t.app.get(UnitOfWork);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('InventoryService.reserve', () => {
  it('moves units from available to reserved, one version and one logged event per product, and returns snapshots', async () => {
    const a = await createProduct(10, '19.99');
    const b = await createProduct(3, '5.50');
    const context = ctx();
    const reservation = await run(
      'reserve',
      [
        { productId: a, quantity: 4 },
        { productId: b, quantity: 3 },
      ],
      context,
    );
    expect(await stock(a)).toEqual({ inventory: { quantity: 6, reserved: 4 }, version: 2 });
    expect(await stock(b)).toEqual({ inventory: { quantity: 0, reserved: 3 }, version: 2 });
    expect('snapshots' in reservation && reservation.snapshots).toEqual([
      {
        productId: a,
        sku: expect.any(String),
        name: expect.any(String),
        price: '19.99',
        currency: 'USD',
        imageUrl: 'https://img.example.com/p.jpg',
        category: ['Electronics', 'Audio'],
        brand: 'Acme',
      },
      expect.objectContaining({ productId: b, price: '5.50' }),
    ]);
    const logged = await db
      .collection('domain_events')
      .find({ type: 'catalog.stock-reserved', 'payload.orderId': context.orderId })
      .sort({ aggregateId: 1 })
      .toArray();
    expect(
      logged.map((e) => [e.aggregateId, e.aggregateVersion, e.correlationId, e.payload.quantity]),
    ).toEqual(
      [
        [a, 2, context.correlationId, 4],
        [b, 2, context.correlationId, 3],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
  });

  it('merges lines of the same product', async () => {
    const a = await createProduct(10);
    const r = await run('reserve', [
      { productId: a, quantity: 2 },
      { productId: a, quantity: 3 },
    ]);
    expect(r.events).toHaveLength(1);
    expect(await stock(a)).toEqual({ inventory: { quantity: 5, reserved: 5 }, version: 2 });
  });

  it('409 CATALOG.OUT_OF_STOCK lists every short product; nothing changes, nothing is logged', async () => {
    const a = await createProduct(5);
    const b = await createProduct(1);
    const c = await createProduct(0);
    const before = await db.collection('domain_events').countDocuments();
    const e = await errorOf(
      run('reserve', [
        { productId: a, quantity: 5 },
        { productId: b, quantity: 2 },
        { productId: c, quantity: 1 },
      ]),
    );
    expect({ code: e.code, status: e.status, details: e.details }).toEqual({
      code: 'CATALOG.OUT_OF_STOCK',
      status: 409,
      details: {
        items: [
          { productId: b, requested: 2, available: 1 },
          { productId: c, requested: 1, available: 0 },
        ],
      },
    });
    expect(await stock(a)).toEqual({ inventory: { quantity: 5, reserved: 0 }, version: 1 });
    expect(await db.collection('domain_events').countDocuments()).toBe(before);
  });

  it('404 CATALOG.PRODUCT_NOT_FOUND names the unknown products', async () => {
    const a = await createProduct(5);
    const unknown = 'prd_00000000-0000-4000-8000-00000000dead';
    const e = await errorOf(
      run('reserve', [
        { productId: a, quantity: 1 },
        { productId: unknown, quantity: 1 },
      ]),
    );
    expect({ code: e.code, status: e.status, details: e.details }).toEqual({
      code: 'CATALOG.PRODUCT_NOT_FOUND',
      status: 404,
      details: { productIds: [unknown] },
    });
    expect((await stock(a)).inventory.reserved).toBe(0);
  });

  it('409 CATALOG.PRODUCT_DISCONTINUED names the discontinued products', async () => {
    const a = await createProduct(5);
    await request(t.http)
      .post(`/api/products/${a}/discontinue`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(202);
    const e = await errorOf(run('reserve', [{ productId: a, quantity: 1 }]));
    expect({ code: e.code, status: e.status, details: e.details }).toEqual({
      code: 'CATALOG.PRODUCT_DISCONTINUED',
      status: 409,
      details: { productIds: [a] },
    });
  });

  it.each([0, -1, 1.5])('400 CATALOG.INVALID_QUANTITY for quantity %p', async (quantity) => {
    const a = await createProduct(5);
    const e = await errorOf(run('reserve', [{ productId: a, quantity }]));
    expect({ code: e.code, status: e.status }).toEqual({ code: 'CATALOG.INVALID_QUANTITY', status: 400 });
  });

  it('50 concurrent orders for the last 20 units: exactly 20 succeed, the others get OUT_OF_STOCK', async () => {
    const a = await createProduct(20);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => run('reserve', [{ productId: a, quantity: 1 }])),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const codes = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => (r.reason as AppError).code);
    expect({ ok, codes }).toEqual({ ok: 20, codes: Array(30).fill('CATALOG.OUT_OF_STOCK') });
    expect(await stock(a)).toEqual({ inventory: { quantity: 0, reserved: 20 }, version: 21 });
    const versions = await db
      .collection('domain_events')
      .find({ aggregateId: a })
      .sort({ aggregateVersion: 1 })
      .map((e) => e.aggregateVersion as number)
      .toArray();
    expect(versions).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  }, 60_000);
});

describe('InventoryService.release and consume', () => {
  it('release (cancel) gives reserved units back to available', async () => {
    const a = await createProduct(10);
    const order = ctx();
    await run('reserve', [{ productId: a, quantity: 4 }], order);
    const r = await run('release', [{ productId: a, quantity: 4 }], order);
    expect(r.events.map((e) => [e.type, e.aggregateVersion])).toEqual([['catalog.stock-released', 3]]);
    expect(await stock(a)).toEqual({ inventory: { quantity: 10, reserved: 0 }, version: 3 });
  });

  it('consume (ship) removes reserved units; available stays', async () => {
    const a = await createProduct(10);
    const order = ctx();
    await run('reserve', [{ productId: a, quantity: 4 }], order);
    const r = await run('consume', [{ productId: a, quantity: 4 }], order);
    expect(r.events.map((e) => [e.type, e.aggregateVersion])).toEqual([['catalog.stock-consumed', 3]]);
    expect(await stock(a)).toEqual({ inventory: { quantity: 6, reserved: 0 }, version: 3 });
  });

  it('release and consume work on a discontinued product (orders placed before still finish)', async () => {
    const a = await createProduct(10);
    await run('reserve', [{ productId: a, quantity: 3 }]);
    await request(t.http)
      .post(`/api/products/${a}/discontinue`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(202);
    await run('release', [{ productId: a, quantity: 1 }]);
    await run('consume', [{ productId: a, quantity: 2 }]);
    expect((await stock(a)).inventory).toEqual({ quantity: 8, reserved: 0 });
  });

  it.each<Op>(['release', 'consume'])(
    '%s more than reserved: 409 CATALOG.NOT_RESERVED, nothing changes',
    async (op) => {
      const a = await createProduct(10);
      const b = await createProduct(10);
      await run('reserve', [
        { productId: a, quantity: 2 },
        { productId: b, quantity: 2 },
      ]);
      const e = await errorOf(
        run(op, [
          { productId: a, quantity: 1 },
          { productId: b, quantity: 3 },
        ]),
      );
      expect({ code: e.code, details: e.details }).toEqual({
        code: 'CATALOG.NOT_RESERVED',
        details: { productId: b, requested: 3, reserved: 2 },
      });
      expect(await stock(a)).toEqual({ inventory: { quantity: 8, reserved: 2 }, version: 2 });
    },
  );

  it('a failure of the caller after reserving rolls the reservation back (same transaction)', async () => {
    const a = await createProduct(5);
    await expect(
      uow.run(async (session) => {
        await inventory.reserve([{ productId: a, quantity: 5 }], session, ctx());
        throw new Error('the order could not be inserted');
      }),
    ).rejects.toThrow('the order could not be inserted');
    expect(await stock(a)).toEqual({ inventory: { quantity: 5, reserved: 0 }, version: 1 });
  });
});
