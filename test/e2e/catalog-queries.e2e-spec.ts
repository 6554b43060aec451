/**
 * The catalog query API over HTTP: products are created through the command API, projected into
 * `product_catalog` by the projection runtime, and read through GET /api/products/:id, /search and
 * /trending (public), with the query cache in front (memory store here; Redis when REDIS_URL is
 * set, as in CI).
 */
import request from 'supertest';
import { ProductViewBuffer } from '../../src/modules/catalog/commands/record-product-views/product-view.buffer.js';
import { QueryCache } from '../../src/shared/cache/query-cache.js';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { StoredEvent } from '../../src/shared/events/event-registry.js';
import { applyOne } from '../../src/shared/projections/projection.js';
import { ProjectionRegistry } from '../../src/shared/projections/projection-registry.js';
import { ProjectionRuntime } from '../../src/shared/projections/projection-runtime.js';
import { ProjectionsService } from '../../src/shared/projections/projections.service.js';
import { READ_CONNECTION, WRITE_CONNECTION } from '../../src/shared/persistence/connections.js';
import { OrdersFixtures } from './helpers/orders-fixtures.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

interface ProductBody {
  id: string;
  name: string;
  price: string;
  brand: string;
  categoryPath: string;
  inStock: boolean;
  stockLevel: number;
  features: string[];
  version: number;
  metrics: { viewCount: number; trendingScore: number; popularityScore: number; purchaseCount: number };
  score?: number;
}
interface SearchBody {
  items: ProductBody[];
  pagination: { total: number; limit: number; offset: number; pages: number };
}

let t: TestApp;
let sku = 0;

async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const getProduct = (id: string) => request(t.http).get(`/api/products/${id}`);
const search = (query: Record<string, string | string[]>) =>
  request(t.http).get('/api/products/search').query(query);

async function create(fields: {
  name: string;
  brand: string;
  category: string[];
  price: string;
  description?: string;
  features?: string[];
  quantity?: number;
}): Promise<string> {
  const res = await request(t.http)
    .post('/api/products')
    .set('Authorization', `Bearer ${t.adminToken}`)
    .send({ sku: `QRY-${++sku}`, quantity: 5, ...fields })
    .expect(202);
  const id = (res.body as { id: string }).id;
  await waitFor(async () => (await getProduct(id)).status === 200);
  return id;
}

const names = (body: SearchBody) => body.items.map((p) => p.name);

beforeAll(async () => {
  // startTestApp does not read process.env: pass REDIS_URL on so CI runs these against Redis.
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl)
    console.log('catalog-queries.e2e: REDIS_URL is not set, the query cache uses the memory store');
  t = await startTestApp(redisUrl ? { REDIS_URL: redisUrl } : {});
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('GET /api/products/:id', () => {
  it('returns the projected product with money as a decimal string and metrics from zero', async () => {
    const id = await create({
      name: 'Studio Monitor',
      brand: 'Acme',
      category: ['Electronics', 'Audio'],
      price: '249.5',
      features: ['bluetooth'],
    });
    const res = await getProduct(id).expect(200);
    expect(res.body).toMatchObject({
      id,
      name: 'Studio Monitor',
      brand: 'Acme',
      category: ['Electronics', 'Audio'],
      categoryPath: 'Electronics/Audio',
      price: '249.50',
      status: 'active',
      inStock: true,
      stockLevel: 5,
      features: ['bluetooth'],
      version: 1,
      metrics: {
        averageRating: 0,
        reviewCount: 0,
        viewCount: 0,
        purchaseCount: 0,
        popularityScore: 0,
        trendingScore: 0,
      },
    });
    expect((res.body as { slug: string }).slug).toMatch(/^studio-monitor-qry-\d+$/);
  });

  it('400 for a malformed id, 404 for an unknown one', async () => {
    expect((await getProduct('nope').expect(400)).body).toMatchObject({ code: 'CATALOG.INVALID_PRODUCT_ID' });
    expect((await getProduct('prd_00000000-0000-4000-8000-00000000beef').expect(404)).body).toMatchObject({
      code: 'CATALOG.PRODUCT_NOT_FOUND',
    });
  });
});

describe('GET /api/products/search', () => {
  const cat = 'Garden';
  beforeAll(async () => {
    await create({
      name: 'Hose Reel',
      brand: 'Greeny',
      category: [cat, 'Watering'],
      price: '9.99',
      features: ['metal'],
    });
    await create({
      name: 'Watering Can',
      brand: 'Greeny',
      category: [cat, 'Watering'],
      price: '10.00',
      features: ['metal', 'large'],
      description: 'A can for watering plants; pairs with any hose',
    });
    await create({
      name: 'Garden Shears',
      brand: 'Cutter',
      category: [cat, 'Tools'],
      price: '100.00',
      quantity: 0,
    });
    await create({ name: 'Seed Tray', brand: 'Greeny', category: [`${cat}ing`], price: '3.00' });
  }, 60_000);

  it('filters by category prefix (whole segments only), sorted by price ascending', async () => {
    const res = await search({ category: cat, sortBy: 'price' }).expect(200);
    const body = res.body as SearchBody;
    expect(names(body)).toEqual(['Hose Reel', 'Watering Can', 'Garden Shears']);
    expect(body.items.map((p) => p.price)).toEqual(['9.99', '10.00', '100.00']);
    expect(
      names(
        (await search({ category: `${cat}/Watering`, sortBy: 'price', order: 'desc' })).body as SearchBody,
      ),
    ).toEqual(['Watering Can', 'Hose Reel']);
  });

  it('filters by an exact decimal price range, brand, stock and features', async () => {
    expect(
      names((await search({ category: cat, minPrice: '10', maxPrice: '99.99' })).body as SearchBody),
    ).toEqual(['Watering Can']);
    expect(names((await search({ category: cat, brand: 'Cutter' })).body as SearchBody)).toEqual([
      'Garden Shears',
    ]);
    const inStock = (await search({ category: cat, inStock: 'false' })).body as SearchBody;
    expect(names(inStock)).toEqual(['Garden Shears']);
    expect(inStock.items[0]).toMatchObject({ inStock: false, stockLevel: 0 });
    expect(names((await search({ category: cat, features: 'metal,large' })).body as SearchBody)).toEqual([
      'Watering Can',
    ]);
    expect(
      names((await search({ category: cat, features: ['metal'], sortBy: 'price' })).body as SearchBody),
    ).toEqual(['Hose Reel', 'Watering Can']);
  });

  it('full text: a match in the name outranks a match in the description', async () => {
    const body = (await search({ q: 'hose' }).expect(200)).body as SearchBody;
    expect(names(body)).toEqual(['Hose Reel', 'Watering Can']);
    expect(body.items[0].score).toBeGreaterThan(body.items[1].score ?? 0);
  });

  it('paginates with total, limit, offset and pages', async () => {
    const first = (await search({ category: cat, sortBy: 'price', limit: '2' })).body as SearchBody;
    expect(first.pagination).toEqual({ total: 3, limit: 2, offset: 0, pages: 2 });
    expect(names(first)).toEqual(['Hose Reel', 'Watering Can']);
    const second = (await search({ category: cat, sortBy: 'price', limit: '2', offset: '2' }))
      .body as SearchBody;
    expect(second.pagination).toEqual({ total: 3, limit: 2, offset: 2, pages: 2 });
    expect(names(second)).toEqual(['Garden Shears']);
  });

  it.each([
    ['limit=0', { limit: '0' }],
    ['limit=101', { limit: '101' }],
    ['limit=abc', { limit: 'abc' }],
    ['offset=-1', { offset: '-1' }],
    ['minPrice=abc', { minPrice: 'abc' }],
    ['maxPrice=1.234', { maxPrice: '1.234' }],
    ['sortBy=name', { sortBy: 'name' }],
    ['order=up', { order: 'up' }],
    ['inStock=yes', { inStock: 'yes' }],
    ['unknown parameter', { color: 'red' }],
  ])('400 for %s', async (_label, query) => {
    const res = await search(query).expect(400);
    expect(res.body).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED' });
  });

  it('400 for operator injection through bracket syntax', async () => {
    await request(t.http).get('/api/products/search?brand[$ne]=x').expect(400);
    await request(t.http).get('/api/products/search?q[$gt]=').expect(400);
    await request(t.http).get('/api/products/search?features[$where]=1').expect(400);
  });

  it('400 for minPrice > maxPrice and for relevance without q', async () => {
    expect((await search({ minPrice: '10', maxPrice: '5' }).expect(400)).body).toMatchObject({
      code: 'CATALOG.INVALID_SEARCH',
    });
    await search({ sortBy: 'relevance' }).expect(400);
  });
});

describe('GET /api/products/trending', () => {
  it('ranks products by their view activity; products without activity are not listed', async () => {
    const quiet = await create({ name: 'Quiet Lamp', brand: 'Lux', category: ['Lighting'], price: '20.00' });
    const hot = await create({ name: 'Hot Lamp', brand: 'Lux', category: ['Lighting'], price: '30.00' });
    const warm = await create({ name: 'Warm Lamp', brand: 'Lux', category: ['Lighting'], price: '25.00' });
    const viewer = t.customerToken('cus_trend');
    for (const [id, n] of [
      [hot, 6],
      [warm, 2],
    ] as const) {
      for (let i = 0; i < n; i++) {
        await request(t.http)
          .post(`/api/products/${id}/views`)
          .set('Authorization', `Bearer ${viewer}`)
          .expect(202);
      }
    }
    await t.app.get(ProductViewBuffer).flush();
    await waitFor(async () => ((await getProduct(warm)).body as ProductBody).metrics.viewCount === 2);
    await waitFor(async () => ((await getProduct(hot)).body as ProductBody).metrics.viewCount === 6);
    const res = await request(t.http)
      .get('/api/products/trending')
      .query({ category: 'Lighting' })
      .expect(200);
    const items = (res.body as { items: ProductBody[] }).items;
    expect(items.map((p) => p.id)).toEqual([hot, warm]);
    expect(items.map((p) => p.id)).not.toContain(quiet);
    expect(items[0].metrics.trendingScore).toBeGreaterThan(items[1].metrics.trendingScore);
    expect(items[0].metrics).toMatchObject({ viewCount: 6, popularityScore: 6 });
    await request(t.http).get('/api/products/trending').query({ limit: '0' }).expect(400);
    await request(t.http).get('/api/products/trending').query({ limit: 'x' }).expect(400);
  });
});

describe('query cache', () => {
  it('the second identical query is a cache hit; an update is visible on the next query, with no TTL wait', async () => {
    const cache = t.app.get(QueryCache);
    expect(cache.stats().store).toBe(process.env.REDIS_URL ? 'redis' : 'memory');
    const id = await create({ name: 'Cached Chair', brand: 'Sit', category: ['Furniture'], price: '80.00' });
    await t.settled();
    await getProduct(id).expect(200);
    await search({ category: 'Furniture' }).expect(200);
    const before = cache.stats();
    await getProduct(id).expect(200);
    await search({ category: 'Furniture' }).expect(200);
    const after = cache.stats();
    expect(after.hits - before.hits).toBe(2);
    expect(after.misses - before.misses).toBe(0);

    await request(t.http)
      .patch(`/api/products/${id}`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .send({ name: 'Cached Armchair', price: '85.00' })
      .expect(202);
    const updated = await waitFor(async () => {
      const body = (await getProduct(id)).body as ProductBody;
      return body.name === 'Cached Armchair' && body.price === '85.00' && body;
    }, 5000);
    expect(updated.version).toBeGreaterThan(1);
    const list = (await search({ category: 'Furniture' })).body as SearchBody;
    expect(list.items.map((p) => [p.name, p.price])).toEqual([['Cached Armchair', '85.00']]);
  });
});

describe('metrics from real orders and reviews', () => {
  it('a delivered order counts its units, a review sets the exact average, and verify finds 0 differences', async () => {
    const fx = new OrdersFixtures(t);
    const product = await fx.product('12.50', 5, 'Metric Mug');
    const buyer = await fx.customer();
    const [addressId] = buyer.addressIds;
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
    for (const status of ['confirmed', 'shipped', 'delivered']) {
      const res = await request(t.http)
        .put(`/api/orders/${orderId}/status`)
        .set('Authorization', `Bearer ${t.adminToken}`)
        .send({ status, version })
        .expect(202);
      version = (res.body as { version: number }).version;
    }
    const delivered = await waitFor(async () => {
      const body = (await getProduct(product.productId)).body as ProductBody;
      return body.metrics.purchaseCount === 2 && body;
    });
    expect(delivered).toMatchObject({ stockLevel: 3, metrics: { purchaseCount: 2, popularityScore: 20 } });
    expect(delivered.metrics.trendingScore).toBeGreaterThan(0);

    // The review is accepted once the catalog saw the delivery (its own saga, asynchronous).
    await waitFor(async () => {
      const res = await request(t.http)
        .post(`/api/products/${product.productId}/reviews`)
        .set('Authorization', `Bearer ${buyer.token}`)
        .send({ rating: 4, title: 'Good', body: 'Solid mug.' });
      return res.status === 202;
    });
    const reviewed = await waitFor(async () => {
      const body = (await getProduct(product.productId)).body as ProductBody & {
        metrics: { averageRating: number; reviewCount: number };
      };
      return body.metrics.reviewCount === 1 && body;
    });
    // 10 × 2 units + 0 views + 4 stars
    expect(reviewed.metrics).toMatchObject({
      averageRating: 4,
      reviewCount: 1,
      purchaseCount: 2,
      popularityScore: 24,
    });

    const [report] = await t.app.get(ProjectionsService).verify('product_catalog');
    expect(report).toMatchObject({ projection: 'product_catalog', differences: 0 });
  }, 30_000);
});

describe('concurrent appliers on MongoDB', () => {
  it('four appliers replaying every event at once, each in its own shuffled order with duplicates, build the live read model', async () => {
    const projection = t.app.get(ProjectionRegistry).get('product_catalog')!;
    const write = t.app.get<Connection>(getConnectionToken(WRITE_CONNECTION));
    const read = t.app.get<Connection>(getConnectionToken(READ_CONNECTION));
    const events = await write
      .collection<StoredEvent>('domain_events')
      .find({ type: { $in: [...projection.handles] } }, { projection: { _id: 0 } })
      .toArray();
    expect(events.length).toBeGreaterThan(15);
    const suffix = '_concurrency_test';
    const ctx = t.app.get(ProjectionRuntime).context(projection, 'verify', suffix);
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const shuffled = () => [...events, ...events.slice(0, 10)].sort(() => random() - 0.5);
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        for (const e of shuffled()) await applyOne(projection, e, ctx);
      }),
    );
    const strip = (docs: Record<string, unknown>[]) =>
      docs.map(({ rev, ...rest }) => {
        void rev;
        return rest;
      });
    const live = await read.collection('product_catalog').find({}).sort({ _id: 1 }).toArray();
    const replayed = await read.collection(`product_catalog${suffix}`).find({}).sort({ _id: 1 }).toArray();
    expect(strip(replayed)).toEqual(strip(live));
    await read.collection(`product_catalog${suffix}`).drop();
    await read.collection(`product_catalog_activity${suffix}`).drop();
  }, 60_000);
});

describe('read-your-writes (X-Consistency-Token)', () => {
  it('a query sent with the command response token reflects that command, every time (200 iterations)', async () => {
    const id = await create({ name: 'RYW Kettle', brand: 'Boil', category: ['Kitchen'], price: '30.00' });
    await getProduct(id).expect(200); // warm the cache with the old state
    await search({ category: 'Kitchen' }).expect(200);
    for (let i = 1; i <= 200; i++) {
      const price = `${30 + i}.00`;
      const res = await request(t.http)
        .patch(`/api/products/${id}`)
        .set('Authorization', `Bearer ${t.adminToken}`)
        .send(i % 2 ? { price } : { price, name: `RYW Kettle ${i}` })
        .expect(202);
      const token = (res.body as { consistencyToken: string }).consistencyToken;
      expect(token).toMatch(new RegExp(`^${id}@\\d+$`));
      const got = await getProduct(id).set('X-Consistency-Token', token).expect(200);
      expect(got.headers['x-consistency']).toBe('fresh');
      expect((got.body as ProductBody).price).toBe(price);
      if (i % 50 === 0) {
        const list = await search({ category: 'Kitchen' }).set('X-Consistency-Token', token).expect(200);
        expect((list.body as SearchBody).items.map((p) => p.price)).toEqual([price]);
      }
    }
  }, 60_000);

  it('no token: no header; another aggregate: not-applicable; malformed: 400', async () => {
    const id = await create({ name: 'RYW Toaster', brand: 'Boil', category: ['Kitchen'], price: '20.00' });
    expect((await getProduct(id).expect(200)).headers['x-consistency']).toBeUndefined();
    const other = await getProduct(id).set('X-Consistency-Token', 'cus_someone@3').expect(200);
    expect(other.headers['x-consistency']).toBe('not-applicable');
    await getProduct(id).set('X-Consistency-Token', 'garbage').expect(400);
  });
});

describe('indexes and rebuild', () => {
  it('the runtime created the indexes, including the weighted text index', async () => {
    const read = t.app.get<Connection>(getConnectionToken(READ_CONNECTION));
    const indexes = await read.collection('product_catalog').listIndexes().toArray();
    const text = indexes.find((i) => i.name === 'product_text');
    expect(text?.weights).toEqual({ name: 10, brand: 5, searchKeywords: 3, description: 1 });
    expect(indexes.map((i) => i.name as string)).toEqual(
      expect.arrayContaining([
        'sku_1',
        'slug_1',
        'price_1',
        'popularity',
        'trending',
        'rating',
        'features_1',
      ]),
    );
  });

  it('a rebuild from the event log swaps in an identical read model (verify = 0) and queries keep answering', async () => {
    const service = t.app.get(ProjectionsService);
    const before = (await search({ category: 'Garden', sortBy: 'price' }).expect(200)).body as SearchBody;
    expect(before.items).toHaveLength(3);
    await service.rebuild('product_catalog');
    const [report] = await service.verify('product_catalog');
    expect(report).toMatchObject({ differences: 0 });
    const after = (await search({ category: 'Garden', sortBy: 'price' }).expect(200)).body as SearchBody;
    expect(after).toEqual(before);
  }, 60_000);
});
