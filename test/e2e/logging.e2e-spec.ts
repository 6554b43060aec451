/**
 * Structured logs: every line the service writes is one JSON object; each request has its line
 * with the request id that the response's X-Request-Id shows and that the command's domain events
 * carry as correlationId, as do the lines its events' fast-path projections log; no bearer token,
 * cookie or the JWT secret reaches any line.
 */
import request from 'supertest';
import { signToken } from '../../src/shared/auth/jwt.js';
import { ProjectionRegistry } from '../../src/shared/projections/projection-registry.js';
import { OrdersFixtures } from './helpers/orders-fixtures.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './helpers/test-app.js';
import { writeDb } from './helpers/write-model.js';

type Line = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('structured logs', () => {
  const raw: string[] = [];
  let t: TestApp;
  let fx: OrdersFixtures;

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'info' }, { logs: { write: (s: string) => void raw.push(s) } });
    fx = new OrdersFixtures(t);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const parsed = (): Line[] => raw.map((s) => JSON.parse(s) as Line);

  /** The request line of `method url`, waited for (it is written when the response finishes). */
  async function requestLineOf(method: string, url: string, reqId: string): Promise<Line> {
    for (let i = 0; i < 100; i++) {
      const line = parsed().find((l) => l.method === method && l.url === url && l.reqId === reqId);
      if (line) return line;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no request line for ${method} ${url} ${reqId}`);
  }

  it('writes one JSON object per line, with level, time and msg; Nest loggers add their context', () => {
    expect(raw.length).toBeGreaterThan(0);
    for (const s of raw) {
      expect(s.endsWith('\n')).toBe(true);
      expect(s.trimEnd().includes('\n')).toBe(false);
      const line = JSON.parse(s) as Line;
      expect(['debug', 'info', 'warn', 'error', 'fatal']).toContain(line.level);
      expect(Number.isNaN(Date.parse(String(line.time)))).toBe(false);
      expect(typeof line.msg).toBe('string');
    }
    // The start-up lines of `new Logger(ctx)` (Bootstrap, Nest's own) carry their context.
    expect(parsed().some((l) => l.context === 'Bootstrap')).toBe(true);
    expect(parsed().some((l) => l.context === 'RoutesResolver')).toBe(true);
  });

  it('one id joins the response header, the request line and the order events (correlationId)', async () => {
    const [p] = await Promise.all([fx.product('9.99', 10)]);
    const c = await fx.customer();
    const res = await request(t.http)
      .post('/api/orders')
      .set('Authorization', `Bearer ${c.token}`)
      .send({
        items: [{ productId: p.productId, quantity: 1 }],
        shippingAddressId: c.addressIds[0],
        billingAddressId: c.addressIds[0],
      })
      .expect(202);
    const reqId = res.headers['x-request-id'] as string;
    expect(reqId).toMatch(UUID);
    const line = await requestLineOf('POST', '/api/orders', reqId);
    expect(line).toMatchObject({ level: 'info', statusCode: 202, msg: 'request completed' });
    expect(typeof line.responseTime).toBe('number');
    const events = await writeDb(t.app)
      .collection('domain_events')
      .find({ aggregateId: { $in: [res.body.id, p.productId] }, aggregateVersion: { $gte: 1 } })
      .toArray();
    const ofThisRequest = events.filter((e) => e.type !== 'catalog.product-created');
    expect(ofThisRequest.map((e) => e.type).sort()).toEqual([
      'catalog.stock-reserved',
      'orders.order-placed',
    ]);
    for (const e of ofThisRequest) expect(e.correlationId).toBe(reqId);
  });

  it("logs a fast-path projection's failure on the request's event with the request id", async () => {
    const summary = t.app.get(ProjectionRegistry, { strict: false }).get('orders_summary');
    if (!summary) throw new Error('orders_summary is not registered');
    const applyBatch = summary.applyBatch.bind(summary);
    summary.applyBatch = (events, ctx) =>
      events.some((e) => e.correlationId === 'proj-log-test-1')
        ? Promise.reject(new Error('logging test: refused'))
        : applyBatch(events, ctx);
    try {
      const p = await fx.product('2.00', 5);
      const c = await fx.customer();
      await request(t.http)
        .post('/api/orders')
        .set('Authorization', `Bearer ${c.token}`)
        .set('X-Request-Id', 'proj-log-test-1')
        .send({
          items: [{ productId: p.productId, quantity: 1 }],
          shippingAddressId: c.addressIds[0],
          billingAddressId: c.addressIds[0],
        })
        .expect(202);
      let line: Line | undefined;
      // The fast path retries the batch, then its events one by one, with backoff (about 3 s),
      // before it dead-letters the event and logs.
      for (let i = 0; i < 200 && !line; i++) {
        line = parsed().find(
          (l) =>
            l.level === 'error' &&
            String(l.msg).includes('(fast)') &&
            String(l.msg).includes('orders_summary'),
        );
        if (!line) await new Promise((r) => setTimeout(r, 50));
      }
      expect(line).toMatchObject({ reqId: 'proj-log-test-1', context: expect.any(String) });
    } finally {
      summary.applyBatch = applyBatch;
    }
  });

  it("uses the caller's safe X-Request-Id / X-Correlation-Id, and replaces an unsafe one", async () => {
    const p = await fx.product('1.00', 5);
    const mine = await request(t.http)
      .post(`/api/products/${p.productId}/inventory`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .set('X-Request-Id', 'client-req-42')
      .send({ delta: 1 })
      .expect(202);
    expect(mine.headers['x-request-id']).toBe('client-req-42');
    await requestLineOf('POST', `/api/products/${p.productId}/inventory`, 'client-req-42');
    const adjusted = await writeDb(t.app)
      .collection('domain_events')
      .findOne({ aggregateId: p.productId, type: 'catalog.inventory-adjusted' });
    expect(adjusted?.correlationId).toBe('client-req-42');

    const unsafe = await request(t.http).get('/health/live').set('X-Correlation-Id', 'bad id\twith spaces');
    expect(unsafe.headers['x-request-id']).toMatch(UUID);
    await requestLineOf('GET', '/health/live', unsafe.headers['x-request-id'] as string);
  });

  it('logs no token, cookie or secret: valid and rejected bearer tokens, query and cookie credentials', async () => {
    const foreign = signToken({ sub: 'mallory', role: 'admin' }, 'another-secret-another-secret-01234', 60);
    const [h, , s] = t.adminToken.split('.');
    const tampered = `${h}.${Buffer.from('{"sub":"x","role":"admin"}').toString('base64url')}.${s}`;
    // (400: the query validation refuses the unknown parameter; the request is logged all the same.)
    const withQueryToken = await request(t.http)
      .get('/api/orders/search?q=x&access_token=' + t.adminToken)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .set('Cookie', `session=${t.adminToken}`)
      .expect(400);
    for (const token of [foreign, tampered, 'not-a-jwt-but-secret-credential-123']) {
      await request(t.http)
        .post('/api/products')
        .set('Authorization', `Bearer ${token}`)
        .send({ password: 'hunter2-password-value', token })
        .expect(401);
    }
    // A body the parser rejects (before any route) is logged too, without its content.
    const malformed = await request(t.http)
      .post('/api/products')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .set('Content-Type', 'application/json')
      .send(`{"token":"${t.adminToken}",`)
      .expect(400);
    expect(
      await requestLineOf('POST', '/api/products', malformed.headers['x-request-id'] as string),
    ).toMatchObject({ statusCode: 400 });
    const queryLine = await requestLineOf(
      'GET',
      '/api/orders/search?q=x&access_token=[REDACTED]',
      withQueryToken.headers['x-request-id'] as string,
    );
    expect(queryLine.statusCode).toBe(400);
    const all = raw.join('');
    for (const secret of [
      t.adminToken,
      t.adminToken.split('.')[2],
      foreign,
      foreign.split('.')[2],
      tampered,
      'not-a-jwt-but-secret-credential-123',
      'hunter2-password-value',
      TEST_JWT_SECRET,
    ])
      expect(all).not.toContain(secret);
    expect(parsed().filter((l) => l.url === '/api/products' && l.statusCode === 401)).toHaveLength(3);
  });
});
