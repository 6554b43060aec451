/**
 * Operations: /health (readiness, every named check), /health/live, /metrics (admin only, and its
 * figures move with the commands and queries that run), and /health turning 503 when the
 * projections are stopped or their lag is above PROJECTION_LAG_THRESHOLD_MS.
 */
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { LagMonitor } from '../../src/shared/health/lag-monitor.js';
import { READ_CONNECTION, WRITE_CONNECTION } from '../../src/shared/persistence/connections.js';
import { ProjectionRuntime } from '../../src/shared/projections/projection-runtime.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

async function waitFor<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The value of one sample line (`name{labels} value`) of the exposition text; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (matches) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

async function createProduct(t: TestApp, sku: string): Promise<string> {
  const res = await request(t.http)
    .post('/api/products')
    .set('Authorization', `Bearer ${t.adminToken}`)
    .send({ sku, quantity: 5, name: 'Ops Lamp', brand: 'Acme', category: ['Home'], price: '19.99' })
    .expect(202);
  return (res.body as { id: string }).id;
}

describe('operations', () => {
  let t: TestApp;
  const scrape = async (): Promise<string> =>
    (await request(t.http).get('/metrics').set('Authorization', `Bearer ${t.adminToken}`).expect(200)).text;

  beforeAll(async () => {
    t = await startTestApp();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('GET /health is public and names every check up (once the resync streams hold their leases)', async () => {
    const res = await waitFor(async () => {
      const r = await request(t.http).get('/health');
      return r.status === 200 ? r : null;
    });
    expect(res.body.status).toBe('ok');
    for (const check of ['writeDb', 'readDb', 'projections', 'projectionLag'])
      expect(res.body.info[check].status).toBe('up');
    // REDIS_URL is not configured here: no redis check.
    expect(res.body.info.redis).toBeUndefined();
    expect(res.body.info.projectionLag.thresholdMs).toBe(10_000);
    expect(Object.keys(res.body.info.projections.projections)).toEqual(
      expect.arrayContaining(['product_catalog']),
    );
  }, 30_000);

  it('GET /health/live is public and reports the event loop', async () => {
    const res = await request(t.http).get('/health/live').expect(200);
    expect(res.body.info.eventLoop.status).toBe('up');
    expect(typeof res.body.info.eventLoop.delayMs).toBe('number');
  });

  it('GET /metrics needs an admin token', async () => {
    await request(t.http).get('/metrics').expect(401);
    await request(t.http)
      .get('/metrics')
      .set('Authorization', `Bearer ${t.customerToken('c-1')}`)
      .expect(403);
    const res = await request(t.http)
      .get('/metrics')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'cqrs_command_duration_seconds',
      'cqrs_commands_total',
      'cqrs_command_failures_total',
      'cqrs_query_duration_seconds',
      'cqrs_query_cache_hits_total',
      'cqrs_query_cache_misses_total',
      'cqrs_query_cache_hit_ratio',
      'cqrs_projection_lag_ms',
      'cqrs_projection_events_applied_total',
      'cqrs_projection_failures_total',
      'cqrs_projection_dead_letters',
      'cqrs_projection_checkpoint_age_seconds',
      'cqrs_projection_lease_holder',
    ])
      expect(res.text).toContain(`# TYPE ${name} `);
  });

  it('metrics move when commands and queries run', async () => {
    const before = await scrape();
    const id = await createProduct(t, 'OPS-1');
    // Wait on the read model directly (not through the QueryBus, which would count).
    const readDb = t.app.get<Connection>(getConnectionToken(READ_CONNECTION));
    await waitFor(
      async () => (await readDb.collection<{ _id: string }>('product_catalog').findOne({ _id: id })) !== null,
    );
    await t.settled();
    await request(t.http).get(`/api/products/${id}`).expect(200);
    await request(t.http).get(`/api/products/${id}`).expect(200);
    const after = await scrape();

    const create = { command: 'CreateProductCommand' };
    expect(sample(after, 'cqrs_commands_total', create) - sample(before, 'cqrs_commands_total', create)).toBe(
      1,
    );
    const ok = { command: 'CreateProductCommand', outcome: 'success' };
    expect(
      sample(after, 'cqrs_command_duration_seconds_count', ok) -
        sample(before, 'cqrs_command_duration_seconds_count', ok),
    ).toBe(1);
    const q = { query: 'GetProductQuery', outcome: 'success' };
    expect(
      sample(after, 'cqrs_query_duration_seconds_count', q) -
        sample(before, 'cqrs_query_duration_seconds_count', q),
    ).toBe(2);
    expect(sample(after, 'cqrs_query_cache_hits_total') - sample(before, 'cqrs_query_cache_hits_total')).toBe(
      1,
    );
    expect(
      sample(after, 'cqrs_query_cache_misses_total') - sample(before, 'cqrs_query_cache_misses_total'),
    ).toBe(1);
    expect(
      sample(after, 'cqrs_projection_events_applied_total', { projection: 'product_catalog' }) -
        sample(before, 'cqrs_projection_events_applied_total', { projection: 'product_catalog' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(after, 'cqrs_projection_lease_holder', { projection: 'product_catalog', mine: 'true' }),
    ).toBe(1);
  });

  it('a failing command counts as a failure, of the client when it is answered 4xx', async () => {
    const before = await scrape();
    await request(t.http)
      .post('/api/products')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .send({
        sku: 'OPS-1',
        quantity: 5,
        name: 'Duplicate',
        brand: 'Acme',
        category: ['Home'],
        price: '1.00',
      })
      .expect((r) => expect(r.status).toBeGreaterThanOrEqual(400));
    const after = await scrape();
    const c = { command: 'CreateProductCommand' };
    const failures = (kind: string): number =>
      sample(after, 'cqrs_command_failures_total', { ...c, kind }) -
      sample(before, 'cqrs_command_failures_total', { ...c, kind });
    const total = sample(after, 'cqrs_commands_total', c) - sample(before, 'cqrs_commands_total', c);
    // The duplicate SKU is rejected by the command handler, inside the bus, with a 409.
    expect(total).toBe(1);
    expect(failures('client')).toBe(1);
    expect(failures('server')).toBe(0);
  });

  it('/health turns 503 with projections down once the projections are stopped', async () => {
    await t.app.get(ProjectionRuntime).stopResync();
    const res = await request(t.http).get('/health').expect(503);
    expect(res.body.status).toBe('error');
    expect(res.body.error.projections.status).toBe('down');
    expect(res.body.error.projections.stopped).toEqual(expect.arrayContaining(['product_catalog']));
    expect(res.body.details.writeDb.status).toBe('up');
    // Liveness does not depend on the read side.
    await request(t.http).get('/health/live').expect(200);
  });
});

describe('operations: lag above the threshold', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ PROJECTION_LAG_THRESHOLD_MS: '1000' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('/health is 503 with projectionLag down and the lag monitor warns once', async () => {
    const id = await createProduct(t, 'OPS-LAG-1');
    const readDb = t.app.get<Connection>(getConnectionToken(READ_CONNECTION));
    await waitFor(
      async () => (await readDb.collection<{ _id: string }>('product_catalog').findOne({ _id: id })) !== null,
    );
    // Nothing applies events any more here, and one committed 5 s ago waits: lag > 1 s.
    await t.app.get(ProjectionRuntime).stopResync();
    const writeDb = t.app.get<Connection>(getConnectionToken(WRITE_CONNECTION));
    const committed = new Date(Date.now() - 5_000);
    await writeDb.collection('domain_events').insertOne({
      eventId: randomUUID(),
      type: 'catalog.product-discontinued',
      aggregateType: 'product',
      aggregateId: id,
      aggregateVersion: 99,
      occurredAt: committed,
      recordedAt: committed,
      correlationId: 'ops-lag',
      payload: { status: 'discontinued' },
    });
    const res = await waitFor(async () => {
      const r = await request(t.http).get('/health');
      return r.status === 503 && r.body.error?.projectionLag ? r : null;
    });
    expect(res.body.error.projectionLag.status).toBe('down');
    expect(res.body.error.projectionLag.thresholdMs).toBe(1000);
    expect(res.body.error.projectionLag.behind).toEqual(expect.arrayContaining(['product_catalog']));
    const monitor = t.app.get(LagMonitor);
    const first = await monitor.check();
    expect(first).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          event: 'projection.lag.high',
          projection: 'product_catalog',
          thresholdMs: 1000,
        }),
      ]),
    );
    // No repeated warning while the state does not change.
    expect((await monitor.check()).filter((a) => a.projection === 'product_catalog')).toEqual([]);
  }, 30_000);
});

describe('operations: redis check', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('with REDIS_URL pointing at nothing, /health is 503 with redis down (and the rest up)', async () => {
    t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    const app = t;
    const res = await waitFor(async () => {
      const r = await request(app.http).get('/health');
      return r.body.details?.projections?.status === 'up' ? r : null;
    });
    expect(res.status).toBe(503);
    expect(res.body.error.redis.status).toBe('down');
    expect(res.body.details.writeDb.status).toBe('up');
  }, 30_000);

  // CI sets REDIS_URL to a real Redis (.ci/run).
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  it('with a real Redis (REDIS_URL), /health is 200 with redis up', async () => {
    t = await startTestApp({ REDIS_URL: redisUrl });
    const app = t;
    const res = await waitFor(async () => {
      const r = await request(app.http).get('/health');
      return r.status === 200 ? r : null;
    });
    expect(res.body.info.redis.status).toBe('up');
  }, 30_000);
});
