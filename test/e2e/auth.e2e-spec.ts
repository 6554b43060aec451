import request from 'supertest';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { hmacToken, tokenFactory, TOKEN_MODES, type TokenFactory } from './helpers/token-factory.js';

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

describe.each(TOKEN_MODES)('authentication on every route but health (%s tokens)', (mode) => {
  let factory: TokenFactory;
  let t: TestApp;
  beforeAll(async () => {
    factory = await tokenFactory(mode);
    t = await startTestApp({}, { tokens: factory });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await factory?.close();
  });

  const route = '/api/products';
  const body = { sku: 'AUTH-1', name: 'Auth test', brand: 'B', category: ['C'], price: '1.00' };

  it('401 without a token, with a malformed header, expired, tampered or alg:none tokens', async () => {
    const expired = factory.principal({ sub: 'admin', role: 'admin' }, 60, Date.now() - 3_600_000);
    const [h, p, s] = t.adminToken.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    const tampered = `${h}.${b64({ ...claims, sub: 'x' })}.${s}`;
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`;
    const otherSecret = hmacToken({}, claims, 'another-secret-another-secret-01234');
    for (const auth of [
      undefined,
      'Basic abc',
      `Bearer ${expired}`,
      `Bearer ${tampered}`,
      `Bearer ${none}`,
      `Bearer ${otherSecret}`,
    ]) {
      const req = request(t.http).post(route).send(body);
      if (auth) req.set('Authorization', auth);
      const res = await req.expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, code: 'AUTH.UNAUTHORIZED' });
    }
  });

  it('403 for an admin route with a customer token; the admin token passes the guard', async () => {
    const res = await request(t.http)
      .post(route)
      .set('Authorization', `Bearer ${t.customerToken('cus_someone')}`)
      .send(body)
      .expect(403);
    expect(res.body.code).toBe('AUTH.FORBIDDEN');
    await request(t.http).post(route).set('Authorization', `Bearer ${t.adminToken}`).send(body).expect(202);
  });

  it('413 with the error shape for a body over the limit', async () => {
    const res = await request(t.http)
      .post(route)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ ...body, description: 'x'.repeat(200_000) }))
      .expect(413);
    expect(res.body).toEqual({ statusCode: 413, code: 'REQUEST.TOO_LARGE', message: expect.any(String) });
  });

  it('/health needs no token', async () => {
    await request(t.http).get('/health').expect(200);
  });
});
