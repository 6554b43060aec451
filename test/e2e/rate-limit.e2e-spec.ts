/**
 * Command rate limit: N commands in the window pass, the next one is 429 RATE_LIMITED with
 * Retry-After and does not execute (the write model is unchanged, its Idempotency-Key stays
 * free); another principal has its own budget; queries are not limited; once the window has
 * moved on, commands pass again.
 */
import request from 'supertest';
import { signToken } from '../../src/shared/auth/jwt.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './helpers/test-app.js';
import { writeDb } from './helpers/write-model.js';

const LIMIT = 3;
const WINDOW_MS = 1500;

describe('command rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_COMMANDS: String(LIMIT), RATE_LIMIT_WINDOW_MS: String(WINDOW_MS) });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const product = (sku: string) => ({
    sku,
    name: 'Rate limited',
    brand: 'B',
    category: ['C'],
    price: '1.00',
  });
  const create = (token: string, sku: string, key?: string) => {
    const req = request(t.http)
      .post('/api/products')
      .set('Authorization', `Bearer ${token}`)
      .send(product(sku));
    return key ? req.set('Idempotency-Key', key) : req;
  };
  const productCount = () => writeDb(t.app).collection('products').countDocuments();
  const eventCount = () => writeDb(t.app).collection('domain_events').countDocuments();

  it('lets N commands through, refuses the next with 429 + Retry-After, executing nothing', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const ok = await create(t.adminToken, `RL-A-${i}`).expect(202);
      expect(ok.headers['x-ratelimit-limit']).toBe(String(LIMIT));
      expect(ok.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1 - i));
    }
    const [products, events] = [await productCount(), await eventCount()];
    const refused = await create(t.adminToken, 'RL-A-OVER', 'rl-key-1').expect(429);
    expect(refused.body).toEqual({ statusCode: 429, code: 'RATE_LIMITED', message: expect.any(String) });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(WINDOW_MS / 1000));
    expect(await productCount()).toBe(products);
    expect(await eventCount()).toBe(events);
    expect(await writeDb(t.app).collection('products').findOne({ sku: 'RL-A-OVER' })).toBeNull();
    expect(await writeDb(t.app).collection('idempotency_keys').countDocuments()).toBe(0);
    // Queries are not limited.
    await request(t.http)
      .get('/api/orders/search')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(200);
  });

  it('counts per principal: another token is not limited, and has its own budget', async () => {
    const other = signToken({ sub: 'e2e-admin-2', role: 'admin' }, TEST_JWT_SECRET, 3600);
    for (let i = 0; i < LIMIT; i++) await create(other, `RL-B-${i}`).expect(202);
    await create(other, 'RL-B-OVER').expect(429);
  });

  it('documents 429 + Retry-After on every command operation of the OpenAPI document, not on queries', async () => {
    type Op = { responses: Record<string, { headers?: Record<string, unknown> }> };
    const doc = (await request(t.http).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, Op>>;
    };
    let commands = 0;
    for (const ops of Object.values(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        if (['post', 'put', 'patch', 'delete'].includes(method)) {
          commands++;
          expect(op.responses['429']?.headers).toHaveProperty('Retry-After');
        } else expect(op.responses['429']).toBeUndefined();
      }
    expect(commands).toBeGreaterThan(10);
  });

  it('lets commands through again once the window has moved on (same Idempotency-Key, first run)', async () => {
    let res = await create(t.adminToken, 'RL-A-OVER', 'rl-key-1');
    for (let i = 0; res.status === 429 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await create(t.adminToken, 'RL-A-OVER', 'rl-key-1');
    }
    expect(res.status).toBe(202);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(await writeDb(t.app).collection('products').findOne({ sku: 'RL-A-OVER' })).not.toBeNull();
  });
});
