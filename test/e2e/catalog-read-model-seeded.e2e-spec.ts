/**
 * `product_catalog` against the write model on the demo dataset: once the projection has applied
 * every product version (read with each product's consistency token), every product document
 * shows the write model's price, stock and rating totals, a purchaseCount equal to the units of its
 * delivered orders in the write model, a viewCount equal to the views counter, and verify reports 0
 * differences. Nothing in the read model is invented: every metric is traced back to write data.
 * (The demo seed records no reviews or views so far, so those metrics are checked at their
 * write-model value 0 here; catalog-queries.e2e-spec.ts and the projection specs cover them.)
 */
import { jest } from '@jest/globals';
import type { Decimal128 } from 'mongodb';
import request from 'supertest';
import { seedDemoData } from '../../src/seed/seed-runner.js';
import { formatMoney } from '../../src/shared/money/money.js';
import { ProjectionsService } from '../../src/shared/projections/projections.service.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { writeDb } from './helpers/write-model.js';

jest.setTimeout(180_000);

interface WriteProduct {
  productId: string;
  price: Decimal128;
  version: number;
  status: string;
  inventory: { quantity: number; reserved: number };
  ratings: { count: number; sum: number };
}

describe('product_catalog on the demo data (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await seedDemoData(t.app, {
      seed: 11,
      anchor: new Date('2026-02-01T00:00:00.000Z'),
      products: 20,
      customers: 5,
      orders: 30,
      log: () => undefined,
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('every product equals the write model, with metrics from its orders, reviews and views', async () => {
    const db = writeDb(t.app);
    const products = (await db.collection('products').find({}).toArray()) as unknown as WriteProduct[];
    expect(products.length).toBe(20);
    const delivered = new Map<string, number>();
    const orders = (await db.collection('orders').find({ status: 'delivered' }).toArray()) as unknown as {
      items: { productId: string; quantity: number }[];
    }[];
    expect(orders.length).toBeGreaterThan(0);
    for (const o of orders) {
      for (const i of o.items) delivered.set(i.productId, (delivered.get(i.productId) ?? 0) + i.quantity);
    }
    const views = new Map<string, number>();
    for (const v of await db.collection('product_view_counts').find({}).toArray()) {
      views.set(v.productId as string, v.totalViews as number);
    }

    for (const p of products) {
      const res = await request(t.http)
        .get(`/api/products/${p.productId}`)
        .set('X-Consistency-Token', `${p.productId}@${p.version}`);
      expect([p.productId, res.status, res.headers['x-consistency']]).toEqual([p.productId, 200, 'fresh']);
      // Views and deliveries are other aggregates: wait for them by value.
      const purchaseCount = delivered.get(p.productId) ?? 0;
      const viewCount = views.get(p.productId) ?? 0;
      const deadline = Date.now() + 5000;
      let body = res.body as { metrics: { purchaseCount: number; viewCount: number } };
      while (
        (body.metrics.purchaseCount !== purchaseCount || body.metrics.viewCount !== viewCount) &&
        Date.now() < deadline
      ) {
        await new Promise((r) => setTimeout(r, 50));
        body = (
          await request(t.http)
            .get(`/api/products/${p.productId}`)
            .set('X-Consistency-Token', `${p.productId}@${p.version}`)
        ).body as typeof body;
      }
      const average = p.ratings.count ? Math.round((p.ratings.sum / p.ratings.count) * 100) / 100 : 0;
      expect(body).toMatchObject({
        id: p.productId,
        price: formatMoney(p.price),
        status: p.status,
        stockLevel: p.inventory.quantity,
        inStock: p.status === 'active' && p.inventory.quantity > 0,
        version: p.version,
        metrics: {
          reviewCount: p.ratings.count,
          averageRating: average,
          purchaseCount,
          viewCount,
          popularityScore: 10 * purchaseCount + viewCount + p.ratings.sum,
        },
      });
    }
    const totalDelivered = [...delivered.values()].reduce((a, b) => a + b, 0);
    expect(totalDelivered).toBeGreaterThan(0);

    const [report] = await t.app.get(ProjectionsService).verify('product_catalog');
    expect(report).toMatchObject({ projection: 'product_catalog', differences: 0 });
  });
});
