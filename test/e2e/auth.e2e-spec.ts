import request from 'supertest';
import { signToken } from '../../src/shared/auth/jwt.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './helpers/test-app.js';

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('authentication on every route but health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const route = '/api/products';
  const body = { sku: 'AUTH-1', name: 'Auth test', brand: 'B', category: ['C'], price: '1.00' };

  it('401 without a token, with a malformed header, expired, tampered or alg:none tokens', async () => {
    const expired = signToken({ sub: 'admin', role: 'admin' }, TEST_JWT_SECRET, 60, Date.now() - 3_600_000);
    const [h, , s] = t.adminToken.split('.');
    const tampered = `${h}.${b64({ sub: 'x', role: 'admin', exp: Math.floor(Date.now() / 1000) + 600 })}.${s}`;
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${t.adminToken.split('.')[1]}.`;
    const otherSecret = signToken({ sub: 'admin', role: 'admin' }, 'another-secret-another-secret-01234', 60);
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
