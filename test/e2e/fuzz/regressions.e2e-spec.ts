/**
 * Regression tests for what the HTTP fuzzer (http-fuzz.e2e-spec.ts) found, one focused test each,
 * plus the two answers issue #7 names: oversized bodies are 413 and deep nesting is 400, both in
 * the error shape, and neither changes anything.
 */
import request from 'supertest';
import { MongoClient } from 'mongodb';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { OrdersFixtures, type FixtureCustomer } from '../helpers/orders-fixtures.js';
import { ProjectionsService } from '../../../src/shared/projections/projections.service.js';
import { changedCollections, quietFingerprint } from './db-fingerprint.js';

let t: TestApp;
let client: MongoClient;
let customer: FixtureCustomer;

beforeAll(async () => {
  t = await startTestApp();
  client = new MongoClient(t.running.embedded!.uri);
  customer = await new OrdersFixtures(t).customer(1);
  // The resync workers start by catching up on the fixture's events: let them finish first.
  await quietFingerprint(client, [t.config.writeDbName, t.config.readDbName], { quietMs: 2_000 });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await t?.close();
});

/** The databases once projections and flushes are done. */
const state = () => quietFingerprint(client, [t.config.writeDbName, t.config.readDbName]);
const admin = () => ({ Authorization: `Bearer ${t.adminToken}`, 'Content-Type': 'application/json' });

describe('deeply nested JSON bodies (were 500: class-transformer overflowed the stack)', () => {
  it.each([
    ['an array 40,000 levels deep', '['.repeat(40_000) + ']'.repeat(40_000)],
    ['an object 15,000 levels deep', '{"a":'.repeat(15_000) + '1' + '}'.repeat(15_000)],
    ['a field 33 levels deep', `{"reason":${'['.repeat(33)}${']'.repeat(33)}}`],
  ])('%s: 400 REQUEST.TOO_DEEP in the error shape, nothing changed', async (_, body) => {
    const before = await state();
    const res = await request(t.http)
      .post(`/api/customers/${customer.customerId}/suspend`)
      .set(admin())
      .set('Idempotency-Key', `deep-${body.length}`)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      code: 'REQUEST.TOO_DEEP',
      message: 'Request body is nested deeper than 32 levels',
    });
    expect(changedCollections(before, await state())).toEqual([]);
  });

  it('nesting within the limit still reaches validation (400 REQUEST.VALIDATION_FAILED)', async () => {
    const res = await request(t.http)
      .post(`/api/customers/${customer.customerId}/suspend`)
      .set(admin())
      .send(`{"reason":${'['.repeat(20)}${']'.repeat(20)}}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
  });

  it('brackets inside strings do not count as nesting', async () => {
    const res = await request(t.http)
      .post('/api/customers')
      .set(admin())
      .send(JSON.stringify({ name: `Bracket ${'['.repeat(100)}`, email: 'brackets@example.com' }));
    expect(res.status).toBe(202);
  });
});

describe('body-parser errors keep the documented codes (were REQUEST.INVALID with the parser message)', () => {
  it('malformed JSON: 400 REQUEST.MALFORMED_JSON, the parser message not echoed', async () => {
    const res = await request(t.http).post('/api/customers').set(admin()).send('{"name": "x", ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      code: 'REQUEST.MALFORMED_JSON',
      message: 'Request body is not valid JSON',
    });
  });
});

describe('lone UTF-16 surrogates (an email with one was 500; a name with one was stored as U+FFFD)', () => {
  it.each([
    ['an email', '{"email":"\\udfff@x.y"}'],
    ['a name', '{"name":"\\ud800"}'],
    ['a key', '{"\\ud800":1}'],
  ])('in %s: 400 REQUEST.INVALID_UNICODE in the error shape, nothing changed', async (_, body) => {
    const before = await state();
    const res = await request(t.http).patch(`/api/customers/${customer.customerId}`).set(admin()).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      code: 'REQUEST.INVALID_UNICODE',
      message: expect.any(String),
    });
    expect(changedCollections(before, await state())).toEqual([]);
  });

  it('surrogate pairs are fine: an emoji name is accepted', async () => {
    const res = await request(t.http)
      .patch(`/api/customers/${customer.customerId}`)
      .set(admin())
      .send(JSON.stringify({ name: 'Ada 😀 𝒳' }));
    expect(res.status).toBe(202);
  });
});

describe('query strings: qs-style nesting is not parsed into operators or prototypes', () => {
  it.each([
    ['an operator key', '/api/products/search?q[$ne]=x'],
    ['an operator on a number', '/api/products/search?minPrice[$gt]=0'],
    [
      'prototype pollution',
      '/api/products/search?__proto__[polluted]=yes&constructor[prototype][polluted]=yes',
    ],
    ['repeated keys (an array)', '/api/products/search?limit=1&limit=2'],
  ])('%s: 400 REQUEST.VALIDATION_FAILED, Object.prototype untouched', async (_, url) => {
    const res = await request(t.http).get(url);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'REQUEST.VALIDATION_FAILED' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('prototype keys in JSON bodies (a __proto__ key was accepted: 202, the DTO prototype replaced)', () => {
  let productId: string;
  beforeAll(async () => {
    productId = (await new OrdersFixtures(t).product('9.99', 10, 'Prototype keys product')).productId;
  }, 30_000);

  const order = (): Record<string, unknown> => ({
    items: [{ productId, quantity: 1 }],
    shippingAddressId: customer.addressIds[0],
    billingAddressId: customer.addressIds[0],
  });
  const place = (body: string, key: string) =>
    request(t.http)
      .post('/api/orders')
      .set({ Authorization: `Bearer ${customer.token}`, 'Content-Type': 'application/json' })
      .set('Idempotency-Key', key)
      .send(body);
  /** The valid order's JSON with `extra` spliced in at the end of the object `at` opens. */
  const withKey = (at: 'top' | 'item', extra: string): string => {
    const json = JSON.stringify(order());
    if (at === 'top') return `${json.slice(0, -1)},${extra}}`;
    const i = json.indexOf('"quantity":1') + '"quantity":1'.length;
    return `${json.slice(0, i)},${extra}${json.slice(i)}`;
  };

  it.each([
    ['__proto__ at the top', 'top', '"__proto__":{"role":"admin"}', '__proto__'],
    ['__proto__ in an item', 'item', '"__proto__":{"quantity":1000}', 'items.0.__proto__'],
    ['constructor.prototype', 'top', '"constructor":{"prototype":{"polluted":"yes"}}', 'constructor'],
    ['prototype in an item', 'item', '"prototype":{}', 'items.0.prototype'],
  ] as const)(
    '%s: 400 REQUEST.VALIDATION_FAILED naming the key, nothing changed',
    async (name, at, extra, field) => {
      const before = await state();
      const res = await place(withKey(at, extra), `proto-${name}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'REQUEST.VALIDATION_FAILED' });
      expect(res.body.details).toContainEqual({ field, errors: [expect.stringContaining('is not allowed')] });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(changedCollections(before, await state())).toEqual([]);
    },
  );

  it('the same order without the key is accepted (the 400s are about the key)', async () => {
    expect((await place(JSON.stringify(order()), 'proto-control')).status).toBe(202);
  });
});

describe('concurrent projection verifies in one process (the second was 500: its scratch collections already existed)', () => {
  it('two at once: one report, one 409 PROJECTIONS.VERIFY_RUNNING', async () => {
    const svc = t.app.get(ProjectionsService);
    const [a, b] = await Promise.allSettled([svc.verify('orders_read'), svc.verify('orders_read')]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    expect((b as PromiseRejectedResult).reason).toMatchObject({
      status: 409,
      code: 'PROJECTIONS.VERIFY_RUNNING',
    });
  });

  it('over HTTP: concurrent POST /verify answer 202 or 409, never 5xx; the next verify works', async () => {
    const verify = (wait = '') =>
      request(t.http)
        .post(`/api/admin/projections/verify${wait}`)
        .set('Authorization', `Bearer ${t.adminToken}`);
    const answers = await Promise.all([verify(), verify(), verify()]);
    const statuses = answers.map((r) => r.status);
    expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    const started = answers.find((r) => r.status === 202)!;
    for (let i = 0; i < 600; i++) {
      const job = await request(t.http)
        .get(started.headers.location as string)
        .set('Authorization', `Bearer ${t.adminToken}`);
      expect(job.status).toBe(200);
      if ((job.body as { status: string }).status !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = await verify('?wait=true');
    expect(after.status).toBe(200);
    expect((after.body as { differences: number }[]).every((r) => r.differences === 0)).toBe(true);
  });
});

describe('oversized bodies', () => {
  it('a 1 MB body (above BODY_LIMIT): 413 REQUEST.TOO_LARGE in the error shape, nothing changed', async () => {
    const before = await state();
    const res = await request(t.http)
      .post('/api/customers')
      .set(admin())
      .send(JSON.stringify({ name: 'x'.repeat(1024 * 1024), email: 'huge@example.com' }));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      statusCode: 413,
      code: 'REQUEST.TOO_LARGE',
      message: 'Request body is too large',
    });
    expect(changedCollections(before, await state())).toEqual([]);
  });
});
