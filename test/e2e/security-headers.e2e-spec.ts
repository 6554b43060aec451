/**
 * Security headers (helmet) on every kind of response — API answers, health, errors produced
 * before any route (401, 404, malformed JSON, 413) — no X-Powered-By, and the Swagger UI at /docs
 * still served and loadable under the policy (its scripts are same-origin files).
 */
import request from 'supertest';
import type { Response } from 'supertest';
import { startTestApp, type TestApp } from './helpers/test-app.js';

describe('security headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  function expectSecurityHeaders(res: Response): void {
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  }

  it('on API answers, health, and error responses', async () => {
    const admin = `Bearer ${t.adminToken}`;
    const responses = [
      await request(t.http).get('/api/orders/search').set('Authorization', admin).expect(200),
      await request(t.http)
        .post('/api/products')
        .set('Authorization', admin)
        .send({ sku: 'SEC-1', name: 'n', brand: 'b', category: ['c'], price: '1.00' })
        .expect(202),
      await request(t.http).get('/health/live').expect(200),
      await request(t.http).get('/api/orders/search').expect(401),
      await request(t.http).get('/no/such/route').expect(404),
      await request(t.http).post('/api/products').set('Authorization', admin).send({}).expect(400),
      await request(t.http)
        .post('/api/products')
        .set('Authorization', admin)
        .set('Content-Type', 'application/json')
        .send('{"broken":')
        .expect(400),
      await request(t.http)
        .post('/api/products')
        .set('Authorization', admin)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ description: 'x'.repeat(200_000) }))
        .expect(413),
    ];
    for (const res of responses) expectSecurityHeaders(res);
  });

  it('/docs is still served, with every script a same-origin file the policy allows', async () => {
    const page = await request(t.http).get('/docs/').redirects(1).expect(200);
    expectSecurityHeaders(page);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(body.trim()).toBe(''); // no inline script (script-src 'self' would block it)
      const src = /src=["']([^"']+)["']/.exec(attrs)?.[1];
      expect(src).toBeDefined();
      expect(src).not.toMatch(/^(https?:)?\/\//);
      const url = new URL(src!, 'http://localhost/docs/').pathname;
      const js = await request(t.http).get(url).expect(200);
      expect(js.headers['content-type']).toMatch(/javascript/);
      expectSecurityHeaders(js);
    }
    await request(t.http).get('/docs-json').expect(200);
  });
});
