/**
 * Product rules as given/when/then: given the product's past events, when a command runs, then
 * these events are raised (with their versions) or this error code is thrown.
 */
import fc from 'fast-check';
import { AppError } from '../../../shared/errors/app-error.js';
import { InventoryAdjustedEvent } from './events/inventory-adjusted.event.js';
import { ProductCreatedEvent, type ProductCreatedPayload } from './events/product-created.event.js';
import { ProductDiscontinuedEvent } from './events/product-discontinued.event.js';
import { ProductPriceChangedEvent } from './events/product-price-changed.event.js';
import { ProductUpdatedEvent } from './events/product-updated.event.js';
import { ReviewAddedEvent } from './events/review-added.event.js';
import { StockConsumedEvent } from './events/stock-consumed.event.js';
import { StockReleasedEvent } from './events/stock-released.event.js';
import { StockReservedEvent } from './events/stock-reserved.event.js';
import { Product, type CommandContext, type NewProduct, type ProductEvent } from './product.aggregate.js';

const ID = 'prd_00000000-0000-4000-8000-000000000001';
const ctx: CommandContext = { correlationId: 'corr-1', now: new Date('2026-01-02T03:04:05Z') };
const at = new Date('2026-01-01T00:00:00Z');
const m = { occurredAt: at };

const newProduct = (over: Partial<NewProduct> = {}): NewProduct => ({
  productId: ID,
  sku: 'HP-001',
  name: 'Studio Headphones',
  description: 'Closed-back',
  brand: 'Acme',
  category: ['Electronics', 'Audio', 'Headphones'],
  price: '19.99',
  currency: 'USD',
  images: ['https://img.example/hp.jpg'],
  features: ['Bluetooth'],
  quantity: 10,
  ...over,
});

const created = (over: Partial<ProductCreatedPayload> = {}): ProductCreatedEvent =>
  new ProductCreatedEvent(
    ID,
    1,
    {
      productId: ID,
      sku: 'HP-001',
      name: 'Studio Headphones',
      description: 'Closed-back',
      brand: 'Acme',
      category: ['Electronics', 'Audio', 'Headphones'],
      price: '19.99',
      currency: 'USD',
      images: ['https://img.example/hp.jpg'],
      features: ['Bluetooth'],
      status: 'active',
      inventory: { quantity: 10, reserved: 0 },
      ...over,
    },
    'c',
    m,
  );
const reserved = (v: number, n: number, quantity: number, res: number, orderId = 'ord-1') =>
  new StockReservedEvent(ID, v, { orderId, quantity: n, inventory: { quantity, reserved: res } }, 'c', m);
const discontinued = (v: number) =>
  new ProductDiscontinuedEvent(ID, v, { reason: null, status: 'discontinued' }, 'c', m);

/** given(events).when(command) -> raised events, or the thrown AppError. */
function given(...history: ProductEvent[]) {
  return {
    when(command: (p: Product) => void) {
      const product = Product.fromHistory(history);
      let error: unknown;
      try {
        command(product);
      } catch (e) {
        error = e;
      }
      return {
        product,
        then(expected: Array<{ type: string; aggregateVersion: number; payload: object }>) {
          if (error) throw error;
          const events = product.pullEvents();
          expect(
            events.map((e) => ({ type: e.type, aggregateVersion: e.aggregateVersion, payload: e.payload })),
          ).toEqual(expected);
          for (const e of events) {
            expect(e.aggregateId).toBe(ID);
            expect(e.aggregateType).toBe('product');
            expect(e.correlationId).toBe(ctx.correlationId);
            expect(e.occurredAt).toEqual(ctx.now);
          }
          return product;
        },
        thenNothing() {
          if (error) throw error;
          expect(product.pullEvents()).toEqual([]);
        },
        thenError(code: string, status: number, details?: object) {
          expect(error).toBeInstanceOf(AppError);
          const e = error as AppError;
          expect({ code: e.code, status: e.status }).toEqual({ code, status });
          if (details) expect(e.details).toEqual(details);
          expect(product.pullEvents()).toEqual([]);
        },
      };
    },
  };
}

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected an AppError');
}

describe('Product: create', () => {
  it('raises product-created at version 1 with the whole initial state, price normalized to cents', () => {
    const p = Product.create(newProduct({ price: '19.9' }), 'USD', ctx);
    const [e, ...rest] = p.pullEvents();
    expect(rest).toEqual([]);
    expect(e).toBeInstanceOf(ProductCreatedEvent);
    expect(e.aggregateVersion).toBe(1);
    expect(e.payload).toEqual({ ...created().payload, price: '19.90' });
    expect(p.state).toMatchObject({
      version: 1,
      status: 'active',
      price: '19.90',
      ratings: { count: 0, sum: 0 },
    });
  });

  it('starts with no stock unless an initial quantity is given', () => {
    const p = Product.create(newProduct({ quantity: undefined }), 'USD', ctx);
    expect(p.state.inventory).toEqual({ quantity: 0, reserved: 0 });
  });

  it.each(['0', '0.00', '-1', '1.999', '1e3', 'abc', ''])(
    'rejects price %p (CATALOG.INVALID_PRICE)',
    (price) => {
      expect(errorOf(() => Product.create(newProduct({ price }), 'USD', ctx)).code).toBe(
        'CATALOG.INVALID_PRICE',
      );
    },
  );

  it('rejects a currency other than the service currency', () => {
    const e = errorOf(() => Product.create(newProduct({ currency: 'EUR' }), 'USD', ctx));
    expect({ code: e.code, status: e.status, details: e.details }).toEqual({
      code: 'CATALOG.UNSUPPORTED_CURRENCY',
      status: 400,
      details: { currency: 'EUR', expected: 'USD' },
    });
  });

  it.each([-1, 1.5, Number.NaN])('rejects initial quantity %p', (quantity) => {
    expect(errorOf(() => Product.create(newProduct({ quantity }), 'USD', ctx)).code).toBe(
      'CATALOG.INVALID_QUANTITY',
    );
  });

  it('snapshot: what an order copies (first image, or null)', () => {
    expect(Product.fromHistory([created()]).snapshot()).toEqual({
      productId: ID,
      sku: 'HP-001',
      name: 'Studio Headphones',
      price: '19.99',
      currency: 'USD',
      imageUrl: 'https://img.example/hp.jpg',
      category: ['Electronics', 'Audio', 'Headphones'],
      brand: 'Acme',
    });
    expect(Product.fromHistory([created({ images: [] })]).snapshot().imageUrl).toBeNull();
  });
});

describe('Product: optimistic locking', () => {
  it('accepts the current version or none', () => {
    const p = Product.fromHistory([created(), reserved(2, 1, 9, 1)]);
    expect(() => p.expectVersion(2)).not.toThrow();
    expect(() => p.expectVersion(undefined)).not.toThrow();
  });

  it('rejects another version with the current version in the details', () => {
    const e = errorOf(() => Product.fromHistory([created(), reserved(2, 1, 9, 1)]).expectVersion(1));
    expect({ code: e.code, status: e.status, details: e.details }).toEqual({
      code: 'CATALOG.VERSION_CONFLICT',
      status: 409,
      details: { productId: ID, expectedVersion: 1, currentVersion: 2 },
    });
  });
});

describe('Product: update details and price', () => {
  it('raises product-updated with only the fields that changed', () => {
    given(created())
      .when((p) => p.update({ name: 'Studio Headphones II', brand: 'Acme', category: ['Audio'] }, ctx))
      .then([
        {
          type: 'catalog.product-updated',
          aggregateVersion: 2,
          payload: { changes: { name: 'Studio Headphones II', category: ['Audio'] } },
        },
      ]);
  });

  it('raises product-price-changed with the previous price', () => {
    given(created())
      .when((p) => p.update({ price: '24.5' }, ctx))
      .then([
        {
          type: 'catalog.product-price-changed',
          aggregateVersion: 2,
          payload: { previousPrice: '19.99', price: '24.50', currency: 'USD' },
        },
      ]);
  });

  it('details and price together: two events, one version each', () => {
    const p = given(created(), reserved(2, 1, 9, 1))
      .when((p) => p.update({ description: 'New', price: '9.99' }, ctx))
      .then([
        {
          type: 'catalog.product-updated',
          aggregateVersion: 3,
          payload: { changes: { description: 'New' } },
        },
        {
          type: 'catalog.product-price-changed',
          aggregateVersion: 4,
          payload: { previousPrice: '19.99', price: '9.99', currency: 'USD' },
        },
      ]);
    expect(p.version).toBe(4);
    expect(p.state).toMatchObject({ description: 'New', price: '9.99' });
  });

  it('values equal to the current ones change nothing (price compared after rounding to cents)', () => {
    given(created({ price: '19.90' }))
      .when((p) => p.update({ name: 'Studio Headphones', price: '19.9', features: ['Bluetooth'] }, ctx))
      .thenNothing();
  });

  it('an update naming no field is rejected', () => {
    given(created())
      .when((p) => p.update({}, ctx))
      .thenError('CATALOG.EMPTY_UPDATE', 400);
  });

  it('a discontinued product cannot be edited', () => {
    given(created(), discontinued(2))
      .when((p) => p.update({ name: 'X' }, ctx))
      .thenError('CATALOG.PRODUCT_DISCONTINUED', 409, { productIds: [ID] });
  });

  it('rejects an invalid price without raising anything', () => {
    given(created())
      .when((p) => p.update({ name: 'X', price: '0' }, ctx))
      .thenError('CATALOG.INVALID_PRICE', 400);
  });
});

describe('Product: adjust inventory', () => {
  it('delta: adds to the available quantity, reserved untouched', () => {
    given(created(), reserved(2, 3, 7, 3))
      .when((p) => p.adjustInventory({ delta: 5 }, 'restock', ctx))
      .then([
        {
          type: 'catalog.inventory-adjusted',
          aggregateVersion: 3,
          payload: { mode: 'delta', delta: 5, reason: 'restock', inventory: { quantity: 12, reserved: 3 } },
        },
      ]);
  });

  it('delta may take the available quantity down to exactly 0', () => {
    given(created())
      .when((p) => p.adjustInventory({ delta: -10 }, null, ctx))
      .then([
        {
          type: 'catalog.inventory-adjusted',
          aggregateVersion: 2,
          payload: { mode: 'delta', delta: -10, reason: null, inventory: { quantity: 0, reserved: 0 } },
        },
      ]);
  });

  it('delta below 0 available is rejected (reserved units cannot be taken away)', () => {
    given(created(), reserved(2, 4, 6, 4))
      .when((p) => p.adjustInventory({ delta: -7 }, null, ctx))
      .thenError('CATALOG.INSUFFICIENT_STOCK', 409, {
        productId: ID,
        quantity: 6,
        reserved: 4,
        requestedQuantity: -1,
      });
  });

  it('set: an absolute available quantity, the event says the effective delta', () => {
    given(created())
      .when((p) => p.adjustInventory({ set: 3 }, 'count', ctx))
      .then([
        {
          type: 'catalog.inventory-adjusted',
          aggregateVersion: 2,
          payload: { mode: 'set', delta: -7, reason: 'count', inventory: { quantity: 3, reserved: 0 } },
        },
      ]);
  });

  it('set to the current quantity changes nothing', () => {
    given(created())
      .when((p) => p.adjustInventory({ set: 10 }, null, ctx))
      .thenNothing();
  });

  it.each([{ delta: 0 }, { delta: 1.5 }, { set: -1 }, { set: 2.5 }])('rejects %p', (change) => {
    given(created())
      .when((p) => p.adjustInventory(change, null, ctx))
      .thenError('CATALOG.INVALID_QUANTITY', 400);
  });

  it('a discontinued product keeps its stock frozen', () => {
    given(created(), discontinued(2))
      .when((p) => p.adjustInventory({ delta: 1 }, null, ctx))
      .thenError('CATALOG.PRODUCT_DISCONTINUED', 409);
  });
});

describe('Product: discontinue', () => {
  it('raises product-discontinued', () => {
    const p = given(created())
      .when((p) => p.discontinue('end of line', ctx))
      .then([
        {
          type: 'catalog.product-discontinued',
          aggregateVersion: 2,
          payload: { reason: 'end of line', status: 'discontinued' },
        },
      ]);
    expect(p.state.status).toBe('discontinued');
  });

  it('twice is a conflict', () => {
    given(created(), discontinued(2))
      .when((p) => p.discontinue(null, ctx))
      .thenError('CATALOG.ALREADY_DISCONTINUED', 409, { productId: ID });
  });
});

describe('Product: stock for orders', () => {
  it('reserve moves units from available to reserved', () => {
    given(created())
      .when((p) => p.reserve(4, 'ord-9', ctx))
      .then([
        {
          type: 'catalog.stock-reserved',
          aggregateVersion: 2,
          payload: { orderId: 'ord-9', quantity: 4, inventory: { quantity: 6, reserved: 4 } },
        },
      ]);
  });

  it('reserve may take the last unit', () => {
    given(created({ inventory: { quantity: 1, reserved: 0 } }))
      .when((p) => p.reserve(1, 'ord-9', ctx))
      .then([
        {
          type: 'catalog.stock-reserved',
          aggregateVersion: 2,
          payload: { orderId: 'ord-9', quantity: 1, inventory: { quantity: 0, reserved: 1 } },
        },
      ]);
  });

  it('reserve more than available: OUT_OF_STOCK with requested and available', () => {
    given(created(), reserved(2, 8, 2, 8))
      .when((p) => p.reserve(3, 'ord-9', ctx))
      .thenError('CATALOG.OUT_OF_STOCK', 409, { items: [{ productId: ID, requested: 3, available: 2 }] });
  });

  it('reserve on a discontinued product is refused', () => {
    given(created(), discontinued(2))
      .when((p) => p.reserve(1, 'ord-9', ctx))
      .thenError('CATALOG.PRODUCT_DISCONTINUED', 409);
  });

  it.each([0, -1, 1.5])('reserve %p units is invalid', (n) => {
    given(created())
      .when((p) => p.reserve(n, 'ord-9', ctx))
      .thenError('CATALOG.INVALID_QUANTITY', 400);
  });

  it('release gives reserved units back, also on a discontinued product', () => {
    given(created(), reserved(2, 3, 7, 3), discontinued(3))
      .when((p) => p.release(3, 'ord-1', ctx))
      .then([
        {
          type: 'catalog.stock-released',
          aggregateVersion: 4,
          payload: { orderId: 'ord-1', quantity: 3, inventory: { quantity: 10, reserved: 0 } },
        },
      ]);
  });

  it('consume removes reserved units; available is unchanged', () => {
    given(created(), reserved(2, 3, 7, 3))
      .when((p) => p.consume(2, 'ord-1', ctx))
      .then([
        {
          type: 'catalog.stock-consumed',
          aggregateVersion: 3,
          payload: { orderId: 'ord-1', quantity: 2, inventory: { quantity: 7, reserved: 1 } },
        },
      ]);
  });

  it.each(['release', 'consume'] as const)('%s more than reserved: NOT_RESERVED', (op) => {
    given(created(), reserved(2, 2, 8, 2))
      .when((p) => p[op](3, 'ord-1', ctx))
      .thenError('CATALOG.NOT_RESERVED', 409, { productId: ID, requested: 3, reserved: 2 });
  });
});

describe('Product: reviews', () => {
  const review = { reviewId: 'rev-1', customerId: 'cus-1', rating: 4, title: 'Good', body: 'Nice sound' };
  const received = { hasReceived: true, alreadyReviewed: false };

  it('raises review-added with the rating totals after it', () => {
    const earlier = new ReviewAddedEvent(
      ID,
      2,
      { ...review, reviewId: 'rev-0', customerId: 'cus-0', rating: 5, ratings: { count: 1, sum: 5 } },
      'c',
      m,
    );
    given(created(), earlier)
      .when((p) => p.addReview(review, received, ctx))
      .then([
        {
          type: 'catalog.review-added',
          aggregateVersion: 3,
          payload: { ...review, ratings: { count: 2, sum: 9 } },
        },
      ]);
  });

  it('a customer who has not received the product may not review it', () => {
    given(created())
      .when((p) => p.addReview(review, { hasReceived: false, alreadyReviewed: false }, ctx))
      .thenError('CATALOG.NOT_PURCHASED', 403);
  });

  it('one review per customer', () => {
    given(created())
      .when((p) => p.addReview(review, { hasReceived: true, alreadyReviewed: true }, ctx))
      .thenError('CATALOG.ALREADY_REVIEWED', 409, { productId: ID, customerId: 'cus-1' });
  });

  it.each([0, 6, 3.5])('rating %p is invalid', (rating) => {
    given(created())
      .when((p) => p.addReview({ ...review, rating }, received, ctx))
      .thenError('CATALOG.INVALID_RATING', 400);
  });

  it('discontinued products can still be reviewed by those who received them', () => {
    given(created(), discontinued(2))
      .when((p) => p.addReview(review, received, ctx))
      .then([
        {
          type: 'catalog.review-added',
          aggregateVersion: 3,
          payload: { ...review, ratings: { count: 1, sum: 4 } },
        },
      ]);
  });
});

describe('Product: history', () => {
  it('fromHistory rebuilds the state of every event kind', () => {
    const p = Product.fromHistory([
      created(),
      new ProductUpdatedEvent(ID, 2, { changes: { name: 'N', images: [] } }, 'c', m),
      new ProductPriceChangedEvent(ID, 3, { previousPrice: '19.99', price: '5.00', currency: 'USD' }, 'c', m),
      new InventoryAdjustedEvent(
        ID,
        4,
        { mode: 'delta', delta: 2, reason: null, inventory: { quantity: 12, reserved: 0 } },
        'c',
        m,
      ),
      reserved(5, 2, 10, 2),
      new StockReleasedEvent(
        ID,
        6,
        { orderId: 'o', quantity: 1, inventory: { quantity: 11, reserved: 1 } },
        'c',
        m,
      ),
      new StockConsumedEvent(
        ID,
        7,
        { orderId: 'o', quantity: 1, inventory: { quantity: 11, reserved: 0 } },
        'c',
        m,
      ),
      discontinued(8),
    ]);
    expect(p.state).toMatchObject({
      name: 'N',
      images: [],
      price: '5.00',
      inventory: { quantity: 11, reserved: 0 },
      status: 'discontinued',
      version: 8,
    });
  });

  type Op =
    | { k: 'reserve' | 'release' | 'consume'; n: number }
    | { k: 'delta'; n: number }
    | { k: 'set'; n: number }
    | { k: 'price'; cents: number }
    | { k: 'discontinue' };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      k: fc.constantFrom('reserve' as const, 'release' as const, 'consume' as const),
      n: fc.integer({ min: -1, max: 6 }),
    }),
    fc.record({ k: fc.constant('delta' as const), n: fc.integer({ min: -8, max: 8 }) }),
    fc.record({ k: fc.constant('set' as const), n: fc.integer({ min: -1, max: 12 }) }),
    fc.record({ k: fc.constant('price' as const), cents: fc.integer({ min: 0, max: 5000 }) }),
    fc.record({ k: fc.constant('discontinue' as const) }),
  );

  it('any command sequence: invariants hold, version = event count, and replaying the events gives the same state', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const p = Product.create(newProduct({ quantity: 5 }), 'USD', ctx);
        const log: ProductEvent[] = p.pullEvents();
        for (const o of ops) {
          const before = structuredClone(p.state);
          try {
            if (o.k === 'reserve' || o.k === 'release' || o.k === 'consume') p[o.k](o.n, 'ord', ctx);
            else if (o.k === 'delta') p.adjustInventory({ delta: o.n }, null, ctx);
            else if (o.k === 'set') p.adjustInventory({ set: o.n }, null, ctx);
            else if (o.k === 'price') p.update({ price: (o.cents / 100).toFixed(2) }, ctx);
            else p.discontinue(null, ctx);
          } catch (e) {
            expect(e).toBeInstanceOf(AppError);
            expect(p.state).toEqual(before); // a refused command changes nothing
          }
          log.push(...p.pullEvents());
          const { quantity, reserved } = p.state.inventory;
          expect(quantity).toBeGreaterThanOrEqual(0);
          expect(reserved).toBeGreaterThanOrEqual(0);
        }
        expect(p.version).toBe(log.length);
        expect(log.map((e) => e.aggregateVersion)).toEqual(log.map((_, i) => i + 1));
        expect(Product.fromHistory(log).state).toEqual(p.state);
      }),
      { numRuns: 300 },
    );
  });
});
