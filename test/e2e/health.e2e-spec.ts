import request from 'supertest';
import { startTestApp, type TestApp } from './helpers/test-app.js';

describe('service shell', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('GET /health is public and reports both databases up', async () => {
    const res = await request(t.http).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info.writeDb.status).toBe('up');
    expect(res.body.info.readDb.status).toBe('up');
  });

  it('unknown routes answer the one error shape', async () => {
    const res = await request(t.http)
      .get('/api/nope')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(404);
    expect(res.body).toEqual({ statusCode: 404, code: 'REQUEST.NOT_FOUND', message: expect.any(String) });
  });
});
