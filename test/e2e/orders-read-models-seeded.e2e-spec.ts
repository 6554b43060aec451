/**
 * The orders read models against the write model on the demo dataset (20 products, 5 customers,
 * 30 orders spread over past days with every status): once the projections have caught up, every
 * order of the write model is in orders_read with the same status, version and total, the day
 * summaries equal an independent computation from the write model's orders, and verify reports 0
 * differences.
 */
import { jest } from '@jest/globals';
import request from 'supertest';
import type { Decimal128 } from 'mongodb';
import { seedDemoData } from '../../src/seed/seed-runner.js';
import { Dec } from '../../src/shared/money/money.js';
import { ProjectionsService } from '../../src/shared/projections/projections.service.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { writeDb } from './helpers/write-model.js';

jest.setTimeout(180_000);

interface WriteOrder {
  orderId: string;
  customerId: string;
  status: string;
  version: number;
  total: Decimal128;
  createdAt: Date;
}

describe('orders read models on the demo data (e2e)', () => {
  let t: TestApp;
  let orders: WriteOrder[];

  beforeAll(async () => {
    t = await startTestApp();
    await seedDemoData(t.app, {
      seed: 7,
      anchor: new Date('2026-02-01T00:00:00.000Z'),
      products: 20,
      customers: 5,
      orders: 30,
      log: () => undefined,
    });
    orders = (await writeDb(t.app).collection('orders').find({}).toArray()) as unknown as WriteOrder[];
    expect(orders.length).toBe(30);
  });

  afterAll(async () => {
    await t.close();
  });

  it('every order is in orders_read with its status, version and total (read with its consistency token)', async () => {
    for (const o of orders) {
      const res = await request(t.http)
        .get(`/api/orders/${o.orderId}`)
        .set('Authorization', `Bearer ${t.adminToken}`)
        .set('X-Consistency-Token', `${o.orderId}@${o.version}`);
      expect([o.orderId, res.status, res.headers['x-consistency']]).toEqual([o.orderId, 200, 'fresh']);
      expect(res.body).toMatchObject({
        orderId: o.orderId,
        status: o.status,
        version: o.version,
        amounts: { total: new Dec(o.total.toString()).toFixed(2) },
        customer: { customerId: o.customerId },
      });
      expect(res.body.statusHistory).toHaveLength(o.version);
    }
  });

  it('each day summary equals the computation from the write model', async () => {
    const days = new Map<string, WriteOrder[]>();
    for (const o of orders) {
      const day = o.createdAt.toISOString().slice(0, 10);
      days.set(day, [...(days.get(day) ?? []), o]);
    }
    expect(days.size).toBeGreaterThan(1);
    for (const [day, list] of days) {
      const last = list[list.length - 1];
      const live = list.filter((o) => o.status !== 'cancelled');
      const revenue = live.reduce((s, o) => s.plus(o.total.toString()), new Dec(0));
      const byStatus: Record<string, number> = {
        pending: 0,
        confirmed: 0,
        shipped: 0,
        delivered: 0,
        cancelled: 0,
      };
      for (const o of list) byStatus[o.status]++;
      const expected = {
        date: day,
        orderCount: list.length,
        revenueOrderCount: live.length,
        totalRevenue: revenue.toFixed(2),
        avgOrderValue: live.length ? revenue.div(live.length).toDecimalPlaces(2).toFixed(2) : '0.00',
        byStatus,
      };
      // The token covers the day's last order; other orders of the day may still be in flight on
      // the projection (the seed ends with a burst of status changes), so poll, bounded.
      const deadline = Date.now() + 15_000;
      let body: Record<string, unknown> = {};
      for (;;) {
        const res = await request(t.http)
          .get(`/api/analytics/orders-summary?date=${day}`)
          .set('Authorization', `Bearer ${t.adminToken}`)
          .set('X-Consistency-Token', `${last.orderId}@${last.version}`);
        expect(res.status).toBe(200);
        body = res.body as Record<string, unknown>;
        const counts = (body.byStatus ?? {}) as Record<string, unknown>;
        const same =
          Object.entries(expected).every(([k, v]) => k === 'byStatus' || body[k] === v) &&
          Object.entries(byStatus).every(([k, v]) => counts[k] === v);
        if (same || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect([day, body]).toMatchObject([day, expected]);
    }
  });

  it('verify: 0 differences for orders_read and orders_summary', async () => {
    const service = t.app.get(ProjectionsService);
    for (const name of ['orders_read', 'orders_summary']) {
      const [report] = await service.verify(name);
      expect([name, report.differences, report.samples]).toEqual([name, 0, []]);
    }
  });
});
