/**
 * Idempotency-Key over HTTP (through the customers commands): a repeat returns the first response
 * and does not execute again, also when it arrives while the first is still running; the same key
 * with another request is refused; 4xx are replayed, 5xx release the key; keys are per principal
 * and expire.
 */
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { CustomerRepository } from '../../src/modules/customers/persistence/customer.repository.js';
import type { IdempotencyKeyDoc } from '../../src/shared/idempotency/idempotency-key.schema.js';
import {
  keyDocumentId,
  principalScope,
  requestFingerprint,
} from '../../src/shared/idempotency/request-fingerprint.js';
import { WRITE_CONNECTION } from '../../src/shared/persistence/connections.js';
import { UnitOfWork } from '../../src/shared/persistence/unit-of-work.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let seq = 0;
const unique = (prefix: string): string => `${prefix}-${process.pid}-${Date.now()}-${++seq}`;

function helpers(t: TestApp) {
  const db = t.app.get<Connection>(getConnectionToken(WRITE_CONNECTION));
  const admin = { Authorization: `Bearer ${t.adminToken}` };
  return {
    db,
    admin,
    keys: () => db.collection<IdempotencyKeyDoc>('idempotency_keys'),
    countCustomers: (email: string) => db.collection('customers').countDocuments({ email }),
    countEvents: (aggregateId: string, type?: string) =>
      db.collection('domain_events').countDocuments({ aggregateId, ...(type ? { type } : {}) }),
    registerBody: () => ({ name: 'Idem Potent', email: `${unique('idem')}@example.com` }),
    async register(): Promise<string> {
      const res = await request(t.http)
        .post('/api/customers')
        .set(admin)
        .send({ name: 'Idem Potent', email: `${unique('idem')}@example.com` })
        .expect(202);
      return res.body.id as string;
    },
  };
}

describe('Idempotency-Key', () => {
  let t: TestApp;
  let h: ReturnType<typeof helpers>;

  beforeAll(async () => {
    t = await startTestApp();
    h = helpers(t);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('a repeat returns the first response (status, body, Location) and does not execute again', async () => {
    const key = unique('k');
    const body = h.registerBody();
    const first = await request(t.http)
      .post('/api/customers')
      .set(h.admin)
      .set('Idempotency-Key', key)
      .send(body);
    expect(first.status).toBe(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const second = await request(t.http)
      .post('/api/customers')
      .set(h.admin)
      .set('Idempotency-Key', key)
      .send(body);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.location).toBe(first.headers.location);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await h.countCustomers(body.email)).toBe(1);
    expect(await h.countEvents(first.body.id)).toBe(1);
  });

  it('a repeated state transition is answered from the first response, not run again (no 409)', async () => {
    const id = await h.register();
    const key = unique('suspend');
    const send = () =>
      request(t.http).post(`/api/customers/${id}/suspend`).set(h.admin).set('Idempotency-Key', key).send({});
    const first = await send().expect(202);
    const again = await send().expect(202);
    expect(again.body).toEqual(first.body);
    expect(await h.countEvents(id, 'customers.customer-suspended')).toBe(1);
    // Without the key the same request is a new command: the customer is already suspended.
    await request(t.http).post(`/api/customers/${id}/suspend`).set(h.admin).send({}).expect(409);
  });

  it('concurrent repeats: all get the same response, the command runs once', async () => {
    const key = unique('concurrent');
    const body = h.registerBody();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        request(t.http).post('/api/customers').set(h.admin).set('Idempotency-Key', key).send(body),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(202));
    const ids = new Set(results.map((r) => r.body.id as string));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
    expect(await h.countCustomers(body.email)).toBe(1);
    expect(await h.countEvents([...ids][0])).toBe(1);
  });

  it('a repeat that arrives while the first is still running waits for it and replays it', async () => {
    const uow = t.app.get(UnitOfWork, { strict: false });
    uow.afterCommitHook = () => sleep(800);
    try {
      const key = unique('slow');
      const body = h.registerBody();
      const send = () =>
        request(t.http).post('/api/customers').set(h.admin).set('Idempotency-Key', key).send(body);
      const firstP = send().then((r) => r);
      await sleep(150);
      const started = Date.now();
      const second = await send();
      const first = await firstP;
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(await h.countCustomers(body.email)).toBe(1);
    } finally {
      uow.afterCommitHook = undefined;
    }
  });

  it('the same key with a different body, path or method: 422 IDEMPOTENCY.KEY_REUSED, nothing executed', async () => {
    const key = unique('reuse');
    const body = h.registerBody();
    await request(t.http)
      .post('/api/customers')
      .set(h.admin)
      .set('Idempotency-Key', key)
      .send(body)
      .expect(202);
    const other = h.registerBody();
    const res = await request(t.http)
      .post('/api/customers')
      .set(h.admin)
      .set('Idempotency-Key', key)
      .send(other)
      .expect(422);
    expect(res.body).toEqual({
      statusCode: 422,
      code: 'IDEMPOTENCY.KEY_REUSED',
      message: expect.any(String),
    });
    expect(await h.countCustomers(other.email)).toBe(0);
    const id = await h.register();
    await request(t.http)
      .post(`/api/customers/${id}/suspend`)
      .set(h.admin)
      .set('Idempotency-Key', key)
      .send(body)
      .expect(422);
    await request(t.http)
      .put(`/api/customers/${id}/vip`)
      .set(h.admin)
      .set('Idempotency-Key', key)
      .send({ vipStatus: 'gold' })
      .expect(422);
    expect(await h.countEvents(id)).toBe(1);
  });

  it('keys are per principal: the same key from another caller is another request', async () => {
    const a = await h.register();
    const b = await h.register();
    const key = unique('shared');
    const asCustomer = (id: string) => ({ Authorization: `Bearer ${t.customerToken(id)}` });
    const body = { name: 'Same Body' };
    await request(t.http)
      .patch(`/api/customers/${a}`)
      .set(asCustomer(a))
      .set('Idempotency-Key', key)
      .send(body)
      .expect(202);
    const resB = await request(t.http)
      .patch(`/api/customers/${b}`)
      .set(asCustomer(b))
      .set('Idempotency-Key', key)
      .send(body)
      .expect(202);
    expect(resB.headers['idempotent-replayed']).toBeUndefined();
    expect(await h.countEvents(b, 'customers.customer-profile-updated')).toBe(1);
    const docs = await h.keys().find({ key }).toArray();
    expect(docs.map((d) => d.scope).sort()).toEqual([`customer:${a}`, `customer:${b}`].sort());
  });

  it('4xx responses are stored and replayed (validation and conflicts), even when a retry would now succeed', async () => {
    const key400 = unique('bad');
    const bad = { name: '', email: 'nope' };
    const first = await request(t.http)
      .post('/api/customers')
      .set(h.admin)
      .set('Idempotency-Key', key400)
      .send(bad)
      .expect(400);
    const again = await request(t.http)
      .post('/api/customers')
      .set(h.admin)
      .set('Idempotency-Key', key400)
      .send(bad)
      .expect(400);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');

    const id = await h.register();
    await request(t.http).post(`/api/customers/${id}/suspend`).set(h.admin).send({}).expect(202);
    const key409 = unique('conflict');
    const send = () =>
      request(t.http)
        .post(`/api/customers/${id}/suspend`)
        .set(h.admin)
        .set('Idempotency-Key', key409)
        .send({});
    const conflict = await send().expect(409);
    expect(conflict.body.code).toBe('CUSTOMERS.ALREADY_SUSPENDED');
    await request(t.http).post(`/api/customers/${id}/reactivate`).set(h.admin).send({}).expect(202);
    const replayed = await send().expect(409);
    expect(replayed.body).toEqual(conflict.body);
    expect(await h.countEvents(id, 'customers.customer-suspended')).toBe(1);
  });

  it('a 5xx releases the key: the retry executes', async () => {
    const repo = t.app.get(CustomerRepository, { strict: false });
    const original = repo.commit.bind(repo);
    let failures = 1;
    repo.commit = async (...args: Parameters<CustomerRepository['commit']>) => {
      if (failures-- > 0) throw new Error('simulated database failure');
      return original(...args);
    };
    try {
      const key = unique('retry');
      const body = h.registerBody();
      const send = () =>
        request(t.http).post('/api/customers').set(h.admin).set('Idempotency-Key', key).send(body);
      const failed = await send().expect(500);
      expect(failed.body).toEqual({ statusCode: 500, code: 'INTERNAL', message: 'Internal server error' });
      expect(await h.countCustomers(body.email)).toBe(0);
      expect(await h.keys().countDocuments({ key })).toBe(0);
      const retried = await send().expect(202);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
      expect(await h.countCustomers(body.email)).toBe(1);
    } finally {
      repo.commit = original;
    }
  });

  it.each([
    ['empty', ''],
    ['longer than 200 characters', 'k'.repeat(201)],
    ['containing a tab', 'a\tb'],
    ['non-ASCII', 'cl\u00e9'],
  ])('400 IDEMPOTENCY.INVALID_KEY for a key that is %s; nothing executed', async (_, key) => {
    const body = h.registerBody();
    const res = await request(t.http)
      .post('/api/customers')
      .set(h.admin)
      .set('Idempotency-Key', key)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('IDEMPOTENCY.INVALID_KEY');
    expect(await h.countCustomers(body.email)).toBe(0);
  });

  it('GET requests ignore the header', async () => {
    const key = unique('get');
    await request(t.http).get('/health').set('Idempotency-Key', key).expect(200);
    expect(await h.keys().countDocuments({ key })).toBe(0);
  });

  it('keys expire: a TTL index on expiresAt, set idempotencyTtlSeconds after the response', async () => {
    const indexes = await h.keys().indexes();
    expect(indexes).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: { expiresAt: 1 }, expireAfterSeconds: 0 })]),
    );
    const key = unique('ttl');
    const before = Date.now();
    await request(t.http)
      .post('/api/customers')
      .set(h.admin)
      .set('Idempotency-Key', key)
      .send(h.registerBody())
      .expect(202);
    const doc = await h.keys().findOne({ key });
    expect(doc).toMatchObject({
      state: 'completed',
      scope: 'admin:e2e-admin',
      response: { status: 202, error: false },
    });
    const ttlMs = t.config.idempotencyTtlSeconds * 1000;
    expect(doc!.expiresAt.getTime()).toBeGreaterThanOrEqual(before + ttlMs);
    expect(doc!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + ttlMs);
  });

  it('an expired key the TTL monitor has not swept yet counts as absent: the request runs again', async () => {
    const key = unique('expired');
    const body = h.registerBody();
    const send = () =>
      request(t.http).post('/api/customers').set(h.admin).set('Idempotency-Key', key).send(body);
    const first = await send().expect(202);
    await h.keys().updateOne({ key }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    // The same registration runs again, and is now a duplicate email: proof that it executed.
    const second = await send().expect(409);
    expect(second.body.code).toBe('CUSTOMERS.EMAIL_TAKEN');
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(await h.countEvents(first.body.id)).toBe(1);
  });

  const orphanKey = (key: string, body: object, now: Date) => {
    const scope = principalScope({ sub: 'e2e-admin', role: 'admin' });
    return {
      _id: keyDocumentId(scope, key),
      scope,
      key,
      fingerprint: requestFingerprint({ method: 'POST', path: '/api/customers', body, scope }),
      method: 'POST',
      path: '/api/customers',
      state: 'pending' as const,
      owner: 'a-process-that-died',
      lockedUntil: new Date(now.getTime() - 1000),
      response: null,
      createdAt: new Date(now.getTime() - 60_000),
      completedAt: null,
      expiresAt: new Date(now.getTime() + 3_600_000),
    };
  };

  it('a pending key whose holder died before committing is taken over and runs once', async () => {
    const key = unique('orphan');
    const body = h.registerBody();
    await h.keys().insertOne(orphanKey(key, body, new Date()));
    const res = await request(t.http)
      .post('/api/customers')
      .set(h.admin)
      .set('Idempotency-Key', key)
      .send(body)
      .expect(202);
    expect(await h.countCustomers(body.email)).toBe(1);
    const again = await request(t.http)
      .post('/api/customers')
      .set(h.admin)
      .set('Idempotency-Key', key)
      .send(body)
      .expect(202);
    expect(again.body).toEqual(res.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('a pending key whose holder died after committing answers the committed result, never a second run', async () => {
    const key = unique('died-after-commit');
    const body = h.registerBody();
    const first = await request(t.http)
      .post('/api/customers')
      .set(h.admin)
      .set('Idempotency-Key', key)
      .send(body)
      .expect(202);
    // As if the process died between the command's commit and storing its response.
    await h.keys().updateOne(
      { key },
      {
        $set: {
          state: 'pending',
          response: null,
          completedAt: null,
          owner: 'a-process-that-died',
          lockedUntil: new Date(Date.now() - 1000),
        },
      },
    );
    const repeat = await request(t.http)
      .post('/api/customers')
      .set(h.admin)
      .set('Idempotency-Key', key)
      .send(body)
      .expect(202);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.location).toBe(first.headers.location);
    expect(await h.countCustomers(body.email)).toBe(1);
    expect(await h.countEvents(first.body.id)).toBe(1);
  });
});

describe('Idempotency-Key: bounded wait', () => {
  let t: TestApp;
  let h: ReturnType<typeof helpers>;

  beforeAll(async () => {
    t = await startTestApp({ IDEMPOTENCY_WAIT_MS: '300' });
    h = helpers(t);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('a repeat gives up after IDEMPOTENCY_WAIT_MS with 409 IDEMPOTENCY.IN_PROGRESS; later repeats replay', async () => {
    const uow = t.app.get(UnitOfWork, { strict: false });
    uow.afterCommitHook = () => sleep(1500);
    try {
      const key = unique('in-progress');
      const body = h.registerBody();
      const send = () =>
        request(t.http).post('/api/customers').set(h.admin).set('Idempotency-Key', key).send(body);
      const firstP = send().then((r) => r);
      await sleep(100);
      const started = Date.now();
      const waiting = await send();
      expect(waiting.status).toBe(409);
      expect(waiting.body.code).toBe('IDEMPOTENCY.IN_PROGRESS');
      expect(Date.now() - started).toBeLessThan(1200);
      const first = await firstP;
      expect(first.status).toBe(202);
      uow.afterCommitHook = undefined;
      const later = await send().expect(202);
      expect(later.body).toEqual(first.body);
      expect(later.headers['idempotent-replayed']).toBe('true');
      expect(await h.countCustomers(body.email)).toBe(1);
    } finally {
      uow.afterCommitHook = undefined;
    }
  });
});
