/**
 * Projection lag means how far behind a projection is now: 0 when no event waits (however long ago
 * the last one was applied), growing from the oldest waiting event's commit while events wait, also
 * when nothing is applying them. /health follows it.
 */
import request from 'supertest';
import { ProjectionRuntime } from '../../src/shared/projections/projection-runtime.js';
import { ProjectionsService } from '../../src/shared/projections/projections.service.js';
import { OrdersFixtures } from './helpers/orders-fixtures.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { insertWaitingEvent } from './helpers/waiting-event.js';

const THRESHOLD_MS = 1_000;

describe('projection lag', () => {
  let t: TestApp;
  let fx: OrdersFixtures;
  beforeAll(async () => {
    t = await startTestApp({ PROJECTION_LAG_THRESHOLD_MS: String(THRESHOLD_MS) });
    fx = new OrdersFixtures(t);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const statuses = () => t.app.get(ProjectionsService).status();

  it('an idle, caught-up projection has lag 0 and /health answers 200 long after its last event', async () => {
    const p = await fx.product('5.00', 10);
    const c = await fx.customer();
    await request(t.http)
      .post('/api/orders')
      .set('Authorization', `Bearer ${c.token}`)
      .send({
        items: [{ productId: p.productId, quantity: 1 }],
        shippingAddressId: c.addressIds[0],
        billingAddressId: c.addressIds[0],
      })
      .expect(202);
    await t.settled();
    await new Promise((r) => setTimeout(r, THRESHOLD_MS * 1.5)); // longer than the threshold, nothing new
    for (const s of await statuses()) {
      expect([s.name, s.lagMs]).toEqual([s.name, 0]);
      if (s.name === 'orders_read') expect(s.lastAppliedLagMs).not.toBeNull();
    }
    const health = await request(t.http).get('/health').expect(200);
    expect(health.body.info.projectionLag.status).toBe('up');
  }, 30_000);

  it('projections read their own state through the primary, whatever the read connection prefers', () => {
    const runtime = t.app.get(ProjectionRuntime);
    expect(runtime.readDb.readPreference.mode).toBe('secondaryPreferred'); // queries may use secondaries
    for (const p of runtime.registry.all()) {
      const ctx = runtime.context(p, 'live');
      for (const c of p.collections)
        expect([p.name, c.name, ctx.collection(c.name).readPreference?.mode]).toEqual([
          p.name,
          c.name,
          'primary',
        ]);
    }
  });

  it('while an event waits and nothing applies it, the lag grows from its commit and /health answers 503', async () => {
    await t.app.get(ProjectionRuntime).stopResync();
    await insertWaitingEvent(t.app, 'lag-test');
    const lagOf = async (): Promise<number> =>
      (await statuses()).find((s) => s.name === 'orders_read')!.lagMs;
    const first = await lagOf();
    expect(first).toBeGreaterThanOrEqual(5_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(await lagOf()).toBeGreaterThanOrEqual(first + 250);
    const health = await request(t.http).get('/health').expect(503);
    expect(health.body.error.projectionLag).toMatchObject({
      status: 'down',
      behind: expect.arrayContaining(['orders_read']),
    });
  }, 30_000);
});
