import fc from 'fast-check';
import type { StoredEvent } from '../../../../shared/events/event-registry.js';
import { applyToStore } from './product-catalog.projection.js';
import mongoose from 'mongoose';
import { ProductCatalogSchema } from './product-catalog.schema.js';
import { InMemoryProductCatalogStore, toDocument } from './product-catalog.store.js';
import { TRENDING_HALF_LIFE_MS } from './product-metrics.js';

const P = 'prd_00000000-0000-4000-8000-000000000001';
const Q = 'prd_00000000-0000-4000-8000-000000000002';
const T0 = Date.UTC(2026, 10, 1);
let seq = 0;

function ev(
  type: string,
  aggregateId: string,
  aggregateVersion: number,
  payload: object,
  at = T0 + aggregateVersion * 1000,
): StoredEvent {
  return {
    eventId: `e${++seq}`,
    type,
    aggregateType: type.startsWith('orders.') ? 'order' : 'product',
    aggregateId,
    aggregateVersion,
    occurredAt: new Date(at),
    correlationId: 'c',
    payload: payload as Record<string, unknown>,
  };
}

const inv = (quantity: number, reserved = 0) => ({ quantity, reserved });
const created = (id: string, sku: string) =>
  ev('catalog.product-created', id, 1, {
    productId: id,
    sku,
    name: 'Noise Cancelling Headphones',
    description: 'Over-ear, wireless',
    brand: 'Sonic',
    category: ['Electronics', 'Audio', 'Headphones'],
    price: '199.99',
    currency: 'USD',
    images: ['a.jpg'],
    features: ['wireless', 'anc'],
    status: 'active',
    inventory: inv(10),
  });

/** The life of product P: every product event type, a review, views, a delivered order. */
function history(): StoredEvent[] {
  return [
    created(P, 'HP-1'),
    ev('catalog.product-updated', P, 2, { changes: { name: 'Sonic ANC 700', features: ['wireless'] } }),
    ev('catalog.product-price-changed', P, 3, { previousPrice: '199.99', price: '179.50', currency: 'USD' }),
    ev('catalog.stock-reserved', P, 4, { orderId: 'ord_1', quantity: 2, inventory: inv(8, 2) }),
    ev('catalog.stock-consumed', P, 5, { orderId: 'ord_1', quantity: 2, inventory: inv(8, 0) }),
    ev('catalog.review-added', P, 6, {
      reviewId: 'r1',
      customerId: 'c1',
      rating: 4,
      title: 't',
      body: 'b',
      ratings: { count: 1, sum: 4 },
    }),
    ev('catalog.review-added', P, 7, {
      reviewId: 'r2',
      customerId: 'c2',
      rating: 5,
      title: 't',
      body: 'b',
      ratings: { count: 2, sum: 9 },
    }),
    ev('catalog.inventory-adjusted', P, 8, { mode: 'set', delta: 0, reason: null, inventory: inv(8, 0) }),
    ev('catalog.product-views-recorded', `views:${P}`, 1, { productId: P, count: 3, totalViews: 3 }),
    ev('catalog.product-views-recorded', `views:${P}`, 2, { productId: P, count: 4, totalViews: 7 }),
    ev('orders.order-delivered', 'ord_1', 4, {
      orderId: 'ord_1',
      customerId: 'c1',
      previousStatus: 'shipped',
      status: 'delivered',
      items: [
        { productId: P, quantity: 1 },
        { productId: P, quantity: 1 },
        { productId: Q, quantity: 5 },
      ],
      total: '1.00',
      currency: 'USD',
      changedAt: new Date(T0 + 50_000).toISOString(),
    }),
    created(Q, 'HP-2'),
    ev('catalog.product-discontinued', Q, 2, { reason: null, status: 'discontinued' }),
  ];
}

async function project(events: readonly StoredEvent[]): Promise<InMemoryProductCatalogStore> {
  const store = new InMemoryProductCatalogStore();
  for (const e of events) await applyToStore(store, [e]);
  return store;
}

const snapshot = (store: InMemoryProductCatalogStore) => ({
  products: [...store.products.entries()].sort().map(([id, p]) => [id, p.state]),
  activity: [...store.activity.keys()].sort(),
});

describe('product_catalog projection', () => {
  it('projects the full state and every metric from the events', async () => {
    const store = await project(history());
    const p = store.products.get(P)!.state;
    expect(p).toMatchObject({
      listed: true,
      sku: 'HP-1',
      name: 'Sonic ANC 700',
      brand: 'Sonic',
      categoryPath: 'Electronics/Audio/Headphones',
      price: '179.50',
      features: ['wireless'],
      status: 'active',
      stockLevel: 8,
      inStock: true,
      slug: 'sonic-anc-700-hp-1',
      lastSyncedFrom: { writeModelVersion: 8, appliedThrough: 8, pendingVersions: [], viewsVersion: 2 },
    });
    expect(p.searchKeywords).toEqual(
      expect.arrayContaining(['sonic', 'anc', '700', 'audio', 'wireless', 'hp-1']),
    );
    expect(p.metrics).toMatchObject({
      reviewCount: 2,
      ratingSum: 9,
      averageRating: 4.5,
      viewCount: 7,
      purchaseCount: 2,
      // 10 × 2 purchases + 7 views + 9 stars
      popularityScore: 36,
    });
    expect(p.metrics.trendingScore).toBeGreaterThan(0);
    const q = store.products.get(Q)!.state;
    expect(q).toMatchObject({ status: 'discontinued', inStock: false, stockLevel: 10 });
    expect(q.metrics).toMatchObject({ purchaseCount: 5, popularityScore: 50 });
  });

  it('applying every event twice gives the same read model as once', async () => {
    const once = await project(history());
    const twice = await project(history().flatMap((e) => [e, e]));
    expect(snapshot(twice)).toEqual(snapshot(once));
  });

  it('any order of arrival (and late duplicates) gives the same read model', async () => {
    const expected = snapshot(await project(history()));
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(history(), { minLength: history().length, maxLength: history().length }),
        fc.array(fc.nat({ max: history().length - 1 }), { maxLength: 5 }),
        async (shuffled, dupes) => {
          const store = await project([...shuffled, ...dupes.map((i) => shuffled[i])]);
          expect(snapshot(store)).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a product known only from purchases or views stays unlisted until it is created', async () => {
    const store = await project(history().filter((e) => e.type !== 'catalog.product-created'));
    expect(store.products.get(Q)!.state).toMatchObject({ listed: false, metrics: { purchaseCount: 5 } });
  });

  it('appliedThrough only moves past a version once every version below it is applied', async () => {
    const [c, u2, p3, r4] = history();
    const store = await project([c, p3, r4]);
    expect(store.products.get(P)!.state.lastSyncedFrom).toMatchObject({
      writeModelVersion: 4,
      appliedThrough: 1,
      pendingVersions: [3, 4],
    });
    await applyToStore(store, [u2]);
    expect(store.products.get(P)!.state.lastSyncedFrom).toMatchObject({
      appliedThrough: 4,
      pendingVersions: [],
    });
  });

  it('an older update of a field does not overwrite a newer one', async () => {
    const newer = ev('catalog.product-updated', P, 3, { changes: { name: 'New' } });
    const older = ev('catalog.product-updated', P, 2, { changes: { name: 'Old', brand: 'B2' } });
    const store = await project([created(P, 'S'), newer, older]);
    expect(store.products.get(P)!.state).toMatchObject({ name: 'New', brand: 'B2' });
  });

  it('trending: recent activity outranks the same activity older, one half-life = exactly 1 point', async () => {
    const views = (id: string, at: number) =>
      ev('catalog.product-views-recorded', `views:${id}`, 1, { productId: id, count: 8, totalViews: 8 }, at);
    const store = await project([views(P, T0), views(Q, T0 + TRENDING_HALF_LIFE_MS)]);
    const p = store.products.get(P)!.state.metrics.trendingScore;
    const q = store.products.get(Q)!.state.metrics.trendingScore;
    expect(q - p).toBeCloseTo(1, 6);
  });

  it('trending: one delivered unit weighs as much as ten views at the same time', async () => {
    const store = await project([
      ev('catalog.product-views-recorded', `views:${P}`, 1, { productId: P, count: 10, totalViews: 10 }, T0),
      ev('orders.order-delivered', 'ord_9', 4, {
        orderId: 'ord_9',
        items: [{ productId: Q, quantity: 1 }],
        changedAt: new Date(T0).toISOString(),
      }),
    ]);
    expect(store.products.get(P)!.state.metrics.trendingScore).toBe(
      store.products.get(Q)!.state.metrics.trendingScore,
    );
  });
});

describe('product_catalog schema', () => {
  it('describes exactly the documents the projection writes (no field missing, none unknown)', async () => {
    const Model = mongoose.model('ProductCatalogSchemaSpec', ProductCatalogSchema);
    const store = await project(history());
    expect(store.products.size).toBeGreaterThan(0);
    for (const { state, rev } of store.products.values()) {
      expect(new Model(toDocument(state, rev)).validateSync()).toBeUndefined();
    }
    const [first] = store.products.values();
    expect(() => new Model({ ...toDocument(first!.state, 1), surprise: true })).toThrow(/surprise/);
  });
});
