/**
 * The customers command API over HTTP: every command's success (write model + events), each
 * validation error, each conflict, and authorization (admin / the customer themself / another
 * customer). Also the CustomerDirectory the orders context uses.
 */
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { CustomerDirectory } from '../../src/modules/customers/customers.public.js';
import { WRITE_CONNECTION } from '../../src/shared/persistence/connections.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const CUSTOMER_ID = /^cus_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ADDRESS_ID = /^adr_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MISSING_CUSTOMER = 'cus_00000000-0000-4000-8000-000000000000';
const MISSING_ADDRESS = 'adr_00000000-0000-4000-8000-000000000000';

interface StoredEvent {
  type: string;
  aggregateId: string;
  aggregateType: string;
  aggregateVersion: number;
  correlationId: string;
  payload: Record<string, unknown>;
}

describe('customers API', () => {
  let t: TestApp;
  let db: Connection;
  let admin: Record<string, string>;
  let emailSeq = 0;

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get<Connection>(getConnectionToken(WRITE_CONNECTION));
    admin = { Authorization: `Bearer ${t.adminToken}` };
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const as = (customerId: string): Record<string, string> => ({
    Authorization: `Bearer ${t.customerToken(customerId)}`,
  });
  const uniqueEmail = (): string => `user${++emailSeq}.${Date.now()}@example.com`;
  const customerDoc = (customerId: string) => db.collection('customers').findOne({ customerId });
  const addressDoc = (addressId: string) => db.collection('addresses').findOne({ addressId });
  const eventsOf = (aggregateId: string): Promise<StoredEvent[]> =>
    db
      .collection<StoredEvent>('domain_events')
      .find({ aggregateId }, { projection: { _id: 0 } })
      .sort({ aggregateVersion: 1 })
      .toArray();

  async function register(body: Record<string, unknown> = {}): Promise<string> {
    const res = await request(t.http)
      .post('/api/customers')
      .set(admin)
      .send({ name: 'Test Customer', email: uniqueEmail(), ...body })
      .expect(202);
    return res.body.id as string;
  }

  const address = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    label: 'Home',
    line1: '1 Main St',
    city: 'Springfield',
    postalCode: '62701',
    country: 'US',
    ...overrides,
  });

  async function addAddress(customerId: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const res = await request(t.http)
      .post(`/api/customers/${customerId}/addresses`)
      .set(admin)
      .send(address(overrides))
      .expect(202);
    return res.body.id as string;
  }

  /** A 400 that lists exactly these fields. */
  function expectInvalid(body: { code: string; details: { field: string }[] }, fields: string[]): void {
    expect(body.code).toBe('REQUEST.VALIDATION_FAILED');
    expect(body.details.map((d) => d.field).sort()).toEqual([...fields].sort());
  }

  describe('POST /api/customers (register; admin)', () => {
    it('202 with id, version, consistency token and Location; the write model and the event', async () => {
      const res = await request(t.http)
        .post('/api/customers')
        .set(admin)
        .set('X-Correlation-Id', 'corr-register-1')
        .send({ name: '  Ada Lovelace ', email: 'Ada.Lovelace@Example.COM', phone: '+442071234567' })
        .expect(202);
      const id = res.body.id as string;
      expect(id).toMatch(CUSTOMER_ID);
      expect(res.body).toEqual({ id, version: 1, consistencyToken: `${id}@1` });
      expect(res.headers.location).toBe(`/api/customers/${id}`);

      expect(await customerDoc(id)).toMatchObject({
        customerId: id,
        name: 'Ada Lovelace',
        email: 'ada.lovelace@example.com',
        phone: '+442071234567',
        vipStatus: 'none',
        status: 'active',
        version: 1,
      });
      const events = await eventsOf(id);
      expect(events).toEqual([
        expect.objectContaining({
          type: 'customers.customer-registered',
          aggregateType: 'customer',
          aggregateVersion: 1,
          correlationId: 'corr-register-1',
          payload: {
            name: 'Ada Lovelace',
            email: 'ada.lovelace@example.com',
            phone: '+442071234567',
            vipStatus: 'none',
            status: 'active',
          },
        }),
      ]);
    });

    it('accepts an initial VIP status', async () => {
      const id = await register({ vipStatus: 'gold' });
      expect((await customerDoc(id))?.vipStatus).toBe('gold');
    });

    it.each([
      ['missing name', { name: undefined }, ['name']],
      ['blank name', { name: '   ' }, ['name']],
      ['name of 201 characters', { name: 'x'.repeat(201) }, ['name']],
      ['name with a control character', { name: 'Ada\u0000' }, ['name']],
      ['name that is a number', { name: 42 }, ['name']],
      ['missing email', { email: undefined }, ['email']],
      ['malformed email', { email: 'not-an-email' }, ['email']],
      ['email as an operator object', { email: { $ne: null } }, ['email']],
      ['phone not in E.164', { phone: '0301234567' }, ['phone']],
      ['phone as a number', { phone: 4930123456 }, ['phone']],
      ['unknown VIP status', { vipStatus: 'diamond' }, ['vipStatus']],
      ['a customerId from the client', { customerId: MISSING_CUSTOMER }, ['customerId']],
      ['a $-prefixed key', { $where: 'sleep(1000)' }, ['$where']],
    ])('400 for %s', async (_, overrides, fields) => {
      const res = await request(t.http)
        .post('/api/customers')
        .set(admin)
        .send({ name: 'Valid Name', email: uniqueEmail(), ...overrides })
        .expect(400);
      expectInvalid(res.body, fields);
    });

    it('400 lists every failing field at once', async () => {
      const res = await request(t.http)
        .post('/api/customers')
        .set(admin)
        .send({ name: '', email: 'x', phone: 'y', vipStatus: 'z', extra: 1 })
        .expect(400);
      expectInvalid(res.body, ['name', 'email', 'phone', 'vipStatus', 'extra']);
    });

    it('409 CUSTOMERS.EMAIL_TAKEN for an email in use (compared case-insensitively); nothing written', async () => {
      const email = uniqueEmail();
      await register({ email });
      const before = await db.collection('customers').countDocuments();
      const res = await request(t.http)
        .post('/api/customers')
        .set(admin)
        .send({ name: 'Other', email: email.toUpperCase() })
        .expect(409);
      expect(res.body).toMatchObject({ statusCode: 409, code: 'CUSTOMERS.EMAIL_TAKEN' });
      expect(await db.collection('customers').countDocuments()).toBe(before);
    });

    it('concurrent registrations with one email: exactly one succeeds', async () => {
      const email = uniqueEmail();
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          request(t.http)
            .post('/api/customers')
            .set(admin)
            .send({ name: `Racer ${i}`, email }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([202, 409, 409, 409, 409]);
      for (const r of results.filter((x) => x.status === 409))
        expect(r.body.code).toBe('CUSTOMERS.EMAIL_TAKEN');
      expect(await db.collection('customers').countDocuments({ email })).toBe(1);
    });

    it('401 without a token, with a tampered token', async () => {
      await request(t.http).post('/api/customers').send({ name: 'A', email: uniqueEmail() }).expect(401);
      const tampered = t.adminToken.slice(0, -2) + (t.adminToken.endsWith('AA') ? 'BB' : 'AA');
      await request(t.http)
        .post('/api/customers')
        .set('Authorization', `Bearer ${tampered}`)
        .send({ name: 'A', email: uniqueEmail() })
        .expect(401);
    });

    it('403 for a customer token (customers are created by admins)', async () => {
      const res = await request(t.http)
        .post('/api/customers')
        .set(as(MISSING_CUSTOMER))
        .send({ name: 'A', email: uniqueEmail() })
        .expect(403);
      expect(res.body.code).toBe('AUTH.FORBIDDEN');
    });
  });

  describe('PATCH /api/customers/:id (update profile; the customer or an admin)', () => {
    it('the customer updates their own profile: 202, version 2, the write model and the event', async () => {
      const id = await register();
      const email = uniqueEmail();
      const res = await request(t.http)
        .patch(`/api/customers/${id}`)
        .set(as(id))
        .send({ name: 'New Name', email: email.toUpperCase(), phone: '+14155550123' })
        .expect(202);
      expect(res.body).toEqual({ id, version: 2, consistencyToken: `${id}@2` });
      expect(res.headers.location).toBe(`/api/customers/${id}`);
      expect(await customerDoc(id)).toMatchObject({
        name: 'New Name',
        email,
        phone: '+14155550123',
        version: 2,
      });
      const events = await eventsOf(id);
      expect(events[1]).toMatchObject({
        type: 'customers.customer-profile-updated',
        aggregateVersion: 2,
        payload: { name: 'New Name', email, phone: '+14155550123', changed: ['name', 'email', 'phone'] },
      });
    });

    it('an admin may update any customer; phone null clears the number', async () => {
      const id = await register({ phone: '+4930123456' });
      await request(t.http).patch(`/api/customers/${id}`).set(admin).send({ phone: null }).expect(202);
      expect((await customerDoc(id))?.phone).toBeNull();
    });

    it('a request that changes nothing: 202 with the unchanged version and no event', async () => {
      const email = uniqueEmail();
      const id = await register({ email, name: 'Same' });
      const res = await request(t.http)
        .patch(`/api/customers/${id}`)
        .set(as(id))
        .send({ name: 'Same', email: email.toUpperCase() })
        .expect(202);
      expect(res.body.version).toBe(1);
      expect(await eventsOf(id)).toHaveLength(1);
    });

    it.each([
      ['an empty body', {}, ['body']],
      ['name null', { name: null }, ['name']],
      ['blank name', { name: ' ' }, ['name']],
      ['name as an array', { name: ['a'] }, ['name']],
      ['malformed email', { email: 'nope' }, ['email']],
      ['email null', { email: null }, ['email']],
      ['email as an operator object', { email: { $gt: '' } }, ['email']],
      ['phone not in E.164', { phone: '12' }, ['phone']],
      ['an unknown field', { name: 'X', vipStatus: 'gold' }, ['vipStatus']],
      ['expectedVersion 0', { name: 'X', expectedVersion: 0 }, ['expectedVersion']],
      ['expectedVersion as a string', { name: 'X', expectedVersion: '1' }, ['expectedVersion']],
    ])('400 for %s', async (_, body, fields) => {
      const id = await register();
      const res = await request(t.http).patch(`/api/customers/${id}`).set(as(id)).send(body).expect(400);
      expectInvalid(res.body, fields);
    });

    it('400 for a malformed customer id (admin)', async () => {
      for (const bad of ['cus_1', 'x', '%7B%22%24ne%22%3A1%7D']) {
        const res = await request(t.http)
          .patch(`/api/customers/${bad}`)
          .set(admin)
          .send({ name: 'X' })
          .expect(400);
        expectInvalid(res.body, ['id']);
      }
    });

    it('404 CUSTOMERS.NOT_FOUND for an unknown customer (admin)', async () => {
      const res = await request(t.http)
        .patch(`/api/customers/${MISSING_CUSTOMER}`)
        .set(admin)
        .send({ name: 'X' })
        .expect(404);
      expect(res.body).toEqual({ statusCode: 404, code: 'CUSTOMERS.NOT_FOUND', message: expect.any(String) });
    });

    it('403 for another customer, whether or not the target exists; nothing of it in the answer', async () => {
      const victim = await register({ name: 'Victim Person' });
      const attacker = await register();
      for (const target of [victim, MISSING_CUSTOMER]) {
        const res = await request(t.http)
          .patch(`/api/customers/${target}`)
          .set(as(attacker))
          .send({ name: 'Hacked' })
          .expect(403);
        expect(res.body).toEqual({ statusCode: 403, code: 'AUTH.FORBIDDEN', message: expect.any(String) });
        expect(JSON.stringify(res.body)).not.toContain('Victim');
      }
      expect((await customerDoc(victim))?.name).toBe('Victim Person');
    });

    it('409 CUSTOMERS.EMAIL_TAKEN when the new email belongs to another customer', async () => {
      const taken = uniqueEmail();
      await register({ email: taken });
      const id = await register();
      const res = await request(t.http)
        .patch(`/api/customers/${id}`)
        .set(as(id))
        .send({ email: taken })
        .expect(409);
      expect(res.body.code).toBe('CUSTOMERS.EMAIL_TAKEN');
      expect((await customerDoc(id))?.version).toBe(1);
    });

    it('409 CUSTOMERS.VERSION_CONFLICT for a stale expectedVersion, with the current version', async () => {
      const id = await register();
      await request(t.http)
        .patch(`/api/customers/${id}`)
        .set(as(id))
        .send({ name: 'V2', expectedVersion: 1 })
        .expect(202);
      const res = await request(t.http)
        .patch(`/api/customers/${id}`)
        .set(as(id))
        .send({ name: 'V3', expectedVersion: 1 })
        .expect(409);
      expect(res.body).toMatchObject({
        code: 'CUSTOMERS.VERSION_CONFLICT',
        details: { customerId: id, expectedVersion: 1, currentVersion: 2 },
      });
    });

    it('concurrent updates at the same expected version: exactly one wins', async () => {
      const id = await register();
      const results = await Promise.all(
        ['A', 'B', 'C'].map((n) =>
          request(t.http)
            .patch(`/api/customers/${id}`)
            .set(as(id))
            .send({ name: `Name ${n}`, expectedVersion: 1 }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([202, 409, 409]);
      expect((await customerDoc(id))?.version).toBe(2);
      expect(await eventsOf(id)).toHaveLength(2);
    });

    it('409 CUSTOMERS.SUSPENDED while suspended', async () => {
      const id = await register();
      await request(t.http).post(`/api/customers/${id}/suspend`).set(admin).expect(202);
      const res = await request(t.http)
        .patch(`/api/customers/${id}`)
        .set(as(id))
        .send({ name: 'X' })
        .expect(409);
      expect(res.body.code).toBe('CUSTOMERS.SUSPENDED');
    });
  });

  describe('PUT /api/customers/:id/vip (admin)', () => {
    it('202; the event carries the new and the previous status; the same status again changes nothing', async () => {
      const id = await register();
      const res = await request(t.http)
        .put(`/api/customers/${id}/vip`)
        .set(admin)
        .send({ vipStatus: 'platinum' })
        .expect(202);
      expect(res.body).toEqual({ id, version: 2, consistencyToken: `${id}@2` });
      expect((await customerDoc(id))?.vipStatus).toBe('platinum');
      expect((await eventsOf(id))[1]).toMatchObject({
        type: 'customers.customer-vip-status-changed',
        payload: { vipStatus: 'platinum', previousVipStatus: 'none' },
      });
      const again = await request(t.http)
        .put(`/api/customers/${id}/vip`)
        .set(admin)
        .send({ vipStatus: 'platinum' })
        .expect(202);
      expect(again.body.version).toBe(2);
      expect(await eventsOf(id)).toHaveLength(2);
    });

    it('403 for the customer themself', async () => {
      const id = await register();
      await request(t.http)
        .put(`/api/customers/${id}/vip`)
        .set(as(id))
        .send({ vipStatus: 'gold' })
        .expect(403);
      expect((await customerDoc(id))?.vipStatus).toBe('none');
    });

    it.each([
      ['a missing status', {}, ['vipStatus']],
      ['an unknown status', { vipStatus: 'diamond' }, ['vipStatus']],
      ['an operator object', { vipStatus: { $ne: 'none' } }, ['vipStatus']],
      ['an unknown field', { vipStatus: 'gold', tier: 1 }, ['tier']],
    ])('400 for %s', async (_, body, fields) => {
      const id = await register();
      const res = await request(t.http).put(`/api/customers/${id}/vip`).set(admin).send(body).expect(400);
      expectInvalid(res.body, fields);
    });

    it('404 for an unknown customer; 409 for a stale expectedVersion', async () => {
      await request(t.http)
        .put(`/api/customers/${MISSING_CUSTOMER}/vip`)
        .set(admin)
        .send({ vipStatus: 'gold' })
        .expect(404);
      const id = await register();
      const res = await request(t.http)
        .put(`/api/customers/${id}/vip`)
        .set(admin)
        .send({ vipStatus: 'gold', expectedVersion: 7 })
        .expect(409);
      expect(res.body.details).toMatchObject({ expectedVersion: 7, currentVersion: 1 });
    });
  });

  describe('POST /api/customers/:id/suspend and /reactivate (admin)', () => {
    it('suspend: 202, status and reason stored, event; suspending again: 409 CUSTOMERS.ALREADY_SUSPENDED', async () => {
      const id = await register();
      const res = await request(t.http)
        .post(`/api/customers/${id}/suspend`)
        .set(admin)
        .send({ reason: 'chargeback' })
        .expect(202);
      expect(res.body).toEqual({ id, version: 2, consistencyToken: `${id}@2` });
      expect(await customerDoc(id)).toMatchObject({ status: 'suspended', suspendedReason: 'chargeback' });
      expect((await eventsOf(id))[1]).toMatchObject({
        type: 'customers.customer-suspended',
        payload: { reason: 'chargeback' },
      });
      const again = await request(t.http).post(`/api/customers/${id}/suspend`).set(admin).expect(409);
      expect(again.body.code).toBe('CUSTOMERS.ALREADY_SUSPENDED');
    });

    it('reactivate: 202, active again, event; reactivating an active customer: 409 CUSTOMERS.NOT_SUSPENDED', async () => {
      const id = await register();
      await request(t.http).post(`/api/customers/${id}/suspend`).set(admin).expect(202);
      const res = await request(t.http).post(`/api/customers/${id}/reactivate`).set(admin).expect(202);
      expect(res.body.version).toBe(3);
      expect(await customerDoc(id)).toMatchObject({ status: 'active', suspendedReason: null });
      expect((await eventsOf(id))[2]).toMatchObject({ type: 'customers.customer-reactivated', payload: {} });
      const again = await request(t.http).post(`/api/customers/${id}/reactivate`).set(admin).expect(409);
      expect(again.body.code).toBe('CUSTOMERS.NOT_SUSPENDED');
    });

    it('403 for the customer themself (both)', async () => {
      const id = await register();
      await request(t.http).post(`/api/customers/${id}/suspend`).set(as(id)).expect(403);
      await request(t.http).post(`/api/customers/${id}/reactivate`).set(as(id)).expect(403);
      expect((await customerDoc(id))?.status).toBe('active');
    });

    it('400 for a reason that is too long, not a string, or an unknown field', async () => {
      const id = await register();
      let res = await request(t.http)
        .post(`/api/customers/${id}/suspend`)
        .set(admin)
        .send({ reason: 'x'.repeat(501) })
        .expect(400);
      expectInvalid(res.body, ['reason']);
      res = await request(t.http)
        .post(`/api/customers/${id}/suspend`)
        .set(admin)
        .send({ reason: { $gt: '' } })
        .expect(400);
      expectInvalid(res.body, ['reason']);
      res = await request(t.http)
        .post(`/api/customers/${id}/reactivate`)
        .set(admin)
        .send({ force: true })
        .expect(400);
      expectInvalid(res.body, ['force']);
    });

    it('404 for an unknown customer', async () => {
      await request(t.http).post(`/api/customers/${MISSING_CUSTOMER}/suspend`).set(admin).expect(404);
      await request(t.http).post(`/api/customers/${MISSING_CUSTOMER}/reactivate`).set(admin).expect(404);
    });
  });

  describe('POST /api/customers/:id/addresses (add; the customer or an admin)', () => {
    it('the customer adds their first address: 202 with the address id, Location, default, event', async () => {
      const id = await register();
      const res = await request(t.http)
        .post(`/api/customers/${id}/addresses`)
        .set(as(id))
        .send(address({ country: 'de', region: 'Berlin', line2: 'c/o Ada' }))
        .expect(202);
      const addressId = res.body.id as string;
      expect(addressId).toMatch(ADDRESS_ID);
      expect(res.body).toEqual({ id: addressId, version: 2, consistencyToken: `${id}@2` });
      expect(res.headers.location).toBe(`/api/customers/${id}/addresses/${addressId}`);
      expect(await addressDoc(addressId)).toMatchObject({
        addressId,
        customerId: id,
        label: 'Home',
        line1: '1 Main St',
        line2: 'c/o Ada',
        city: 'Springfield',
        region: 'Berlin',
        postalCode: '62701',
        country: 'DE',
        isDefault: true,
        version: 1,
        removedAt: null,
      });
      expect((await customerDoc(id))?.version).toBe(2);
      expect((await eventsOf(id))[1]).toMatchObject({
        type: 'customers.address-added',
        aggregateVersion: 2,
        payload: { addressId, country: 'DE', isDefault: true, version: 1 },
      });
    });

    it('a new default address: the old default is updated first, then the new one added', async () => {
      const id = await register();
      const first = await addAddress(id);
      const second = await addAddress(id, { label: 'Work', isDefault: true });
      expect((await addressDoc(first))?.isDefault).toBe(false);
      expect((await addressDoc(second))?.isDefault).toBe(true);
      const events = await eventsOf(id);
      expect(events.map((e) => [e.type, e.aggregateVersion])).toEqual([
        ['customers.customer-registered', 1],
        ['customers.address-added', 2],
        ['customers.address-updated', 3],
        ['customers.address-added', 4],
      ]);
      expect(events[2].payload).toMatchObject({ addressId: first, isDefault: false, changed: ['isDefault'] });
    });

    it.each([
      ['missing required fields', {}, ['label', 'line1', 'city', 'postalCode', 'country']],
      ['blank label', address({ label: '  ' }), ['label']],
      ['label of 51 characters', address({ label: 'x'.repeat(51) }), ['label']],
      ['line1 with a control character', address({ line1: 'a\nb' }), ['line1']],
      ['line2 of 201 characters', address({ line2: 'x'.repeat(201) }), ['line2']],
      ['a country that does not exist', address({ country: 'XX' }), ['country']],
      ['a three-letter country', address({ country: 'USA' }), ['country']],
      ['a country as an operator object', address({ country: { $ne: 'US' } }), ['country']],
      ['a postal code with symbols', address({ postalCode: '12$45' }), ['postalCode']],
      ['isDefault as a string', address({ isDefault: 'yes' }), ['isDefault']],
      ['an addressId from the client', address({ addressId: MISSING_ADDRESS }), ['addressId']],
    ])('400 for %s', async (_, body, fields) => {
      const id = await register();
      const res = await request(t.http)
        .post(`/api/customers/${id}/addresses`)
        .set(as(id))
        .send(body)
        .expect(400);
      expectInvalid(res.body, fields);
    });

    it('403 for another customer; 404 for an unknown customer (admin)', async () => {
      const victim = await register();
      const attacker = await register();
      await request(t.http)
        .post(`/api/customers/${victim}/addresses`)
        .set(as(attacker))
        .send(address())
        .expect(403);
      expect(await db.collection('addresses').countDocuments({ customerId: victim })).toBe(0);
      const res = await request(t.http)
        .post(`/api/customers/${MISSING_CUSTOMER}/addresses`)
        .set(admin)
        .send(address())
        .expect(404);
      expect(res.body.code).toBe('CUSTOMERS.NOT_FOUND');
    });

    it('409 CUSTOMERS.ADDRESS_LIMIT_REACHED at the 21st address', async () => {
      const id = await register();
      for (let i = 0; i < 20; i++) await addAddress(id, { label: `Address ${i}` });
      const res = await request(t.http)
        .post(`/api/customers/${id}/addresses`)
        .set(as(id))
        .send(address())
        .expect(409);
      expect(res.body).toMatchObject({ code: 'CUSTOMERS.ADDRESS_LIMIT_REACHED', details: { limit: 20 } });
    });

    it('409 CUSTOMERS.SUSPENDED while suspended', async () => {
      const id = await register();
      await request(t.http).post(`/api/customers/${id}/suspend`).set(admin).expect(202);
      const res = await request(t.http)
        .post(`/api/customers/${id}/addresses`)
        .set(admin)
        .send(address())
        .expect(409);
      expect(res.body.code).toBe('CUSTOMERS.SUSPENDED');
    });
  });

  describe('PATCH /api/customers/:id/addresses/:addressId (update)', () => {
    it('202 with the address id; fields stored, address version 2; event with the changed fields', async () => {
      const id = await register();
      const addressId = await addAddress(id, { line2: 'Apt 1' });
      const res = await request(t.http)
        .patch(`/api/customers/${id}/addresses/${addressId}`)
        .set(as(id))
        .send({ city: 'Shelbyville', line2: null, country: 'ca' })
        .expect(202);
      expect(res.body).toEqual({ id: addressId, version: 3, consistencyToken: `${id}@3` });
      expect(res.headers.location).toBe(`/api/customers/${id}/addresses/${addressId}`);
      expect(await addressDoc(addressId)).toMatchObject({
        city: 'Shelbyville',
        line2: null,
        country: 'CA',
        version: 2,
      });
      expect((await eventsOf(id))[2]).toMatchObject({
        type: 'customers.address-updated',
        payload: {
          addressId,
          city: 'Shelbyville',
          line2: null,
          country: 'CA',
          changed: ['line2', 'city', 'country'],
        },
      });
    });

    it('isDefault: true moves the default', async () => {
      const id = await register();
      const first = await addAddress(id);
      const second = await addAddress(id);
      await request(t.http)
        .patch(`/api/customers/${id}/addresses/${second}`)
        .set(as(id))
        .send({ isDefault: true })
        .expect(202);
      expect((await addressDoc(first))?.isDefault).toBe(false);
      expect((await addressDoc(second))?.isDefault).toBe(true);
    });

    it.each([
      ['an empty body', {}, ['body']],
      ['isDefault false', { isDefault: false }, ['isDefault']],
      ['label null', { label: null }, ['label']],
      ['a country that does not exist', { country: 'ZZ' }, ['country']],
      ['city as an operator object', { city: { $exists: true } }, ['city']],
      ['an unknown field', { customerId: MISSING_CUSTOMER }, ['customerId']],
    ])('400 for %s', async (_, body, fields) => {
      const id = await register();
      const addressId = await addAddress(id);
      const res = await request(t.http)
        .patch(`/api/customers/${id}/addresses/${addressId}`)
        .set(as(id))
        .send(body)
        .expect(400);
      expectInvalid(res.body, fields);
    });

    it('400 for a malformed address id', async () => {
      const id = await register();
      const res = await request(t.http)
        .patch(`/api/customers/${id}/addresses/adr_nope`)
        .set(as(id))
        .send({ label: 'X' })
        .expect(400);
      expectInvalid(res.body, ['addressId']);
    });

    it("404 CUSTOMERS.ADDRESS_NOT_FOUND for an unknown address and for another customer's address", async () => {
      const owner = await register();
      const foreign = await addAddress(owner, { label: 'Secret Place' });
      const id = await register();
      for (const addressId of [MISSING_ADDRESS, foreign]) {
        const res = await request(t.http)
          .patch(`/api/customers/${id}/addresses/${addressId}`)
          .set(as(id))
          .send({ label: 'Mine now' })
          .expect(404);
        expect(res.body).toEqual({
          statusCode: 404,
          code: 'CUSTOMERS.ADDRESS_NOT_FOUND',
          message: expect.any(String),
        });
        expect(JSON.stringify(res.body)).not.toContain('Secret');
      }
      expect((await addressDoc(foreign))?.label).toBe('Secret Place');
    });

    it('403 for another customer', async () => {
      const id = await register();
      const addressId = await addAddress(id);
      const other = await register();
      await request(t.http)
        .patch(`/api/customers/${id}/addresses/${addressId}`)
        .set(as(other))
        .send({ label: 'X' })
        .expect(403);
    });
  });

  describe('DELETE /api/customers/:id/addresses/:addressId (remove)', () => {
    it('202; the address is soft-deleted; removing the default promotes the oldest remaining one', async () => {
      const id = await register();
      const first = await addAddress(id);
      const second = await addAddress(id);
      const third = await addAddress(id);
      const res = await request(t.http)
        .delete(`/api/customers/${id}/addresses/${first}`)
        .set(as(id))
        .expect(202);
      expect(res.body).toEqual({ id: first, version: 6, consistencyToken: `${id}@6` });
      expect(res.headers.location).toBe(`/api/customers/${id}`);
      const removed = await addressDoc(first);
      expect(removed?.removedAt).toBeInstanceOf(Date);
      expect(removed?.isDefault).toBe(false);
      expect((await addressDoc(second))?.isDefault).toBe(true);
      expect((await addressDoc(third))?.isDefault).toBe(false);
      const events = await eventsOf(id);
      expect(events.slice(4).map((e) => [e.type, e.payload.addressId])).toEqual([
        ['customers.address-removed', first],
        ['customers.address-updated', second],
      ]);
    });

    it('404 CUSTOMERS.ADDRESS_NOT_FOUND when removed again', async () => {
      const id = await register();
      const addressId = await addAddress(id);
      await request(t.http).delete(`/api/customers/${id}/addresses/${addressId}`).set(as(id)).expect(202);
      const res = await request(t.http)
        .delete(`/api/customers/${id}/addresses/${addressId}`)
        .set(as(id))
        .expect(404);
      expect(res.body.code).toBe('CUSTOMERS.ADDRESS_NOT_FOUND');
    });

    it('?expectedVersion: stale = 409 with the current version; not an integer or unknown parameter = 400', async () => {
      const id = await register();
      const addressId = await addAddress(id);
      const stale = await request(t.http)
        .delete(`/api/customers/${id}/addresses/${addressId}?expectedVersion=1`)
        .set(as(id))
        .expect(409);
      expect(stale.body).toMatchObject({
        code: 'CUSTOMERS.VERSION_CONFLICT',
        details: { currentVersion: 2 },
      });
      let res = await request(t.http)
        .delete(`/api/customers/${id}/addresses/${addressId}?expectedVersion=abc`)
        .set(as(id))
        .expect(400);
      expectInvalid(res.body, ['expectedVersion']);
      res = await request(t.http)
        .delete(`/api/customers/${id}/addresses/${addressId}?force=1`)
        .set(as(id))
        .expect(400);
      expectInvalid(res.body, ['force']);
      await request(t.http)
        .delete(`/api/customers/${id}/addresses/${addressId}?expectedVersion=2`)
        .set(as(id))
        .expect(202);
    });

    it('403 for another customer; 409 while suspended', async () => {
      const id = await register();
      const addressId = await addAddress(id);
      const other = await register();
      await request(t.http).delete(`/api/customers/${id}/addresses/${addressId}`).set(as(other)).expect(403);
      await request(t.http).post(`/api/customers/${id}/suspend`).set(admin).expect(202);
      const res = await request(t.http)
        .delete(`/api/customers/${id}/addresses/${addressId}`)
        .set(as(id))
        .expect(409);
      expect(res.body.code).toBe('CUSTOMERS.SUSPENDED');
      expect((await addressDoc(addressId))?.removedAt).toBeNull();
    });
  });

  describe('CustomerDirectory (exported to the orders context)', () => {
    let directory: CustomerDirectory;
    beforeAll(() => {
      directory = t.app.get(CustomerDirectory, { strict: false });
    });

    const rejection = async (
      p: Promise<unknown>,
    ): Promise<{ code: string; status: number; details?: unknown }> => {
      try {
        await p;
      } catch (e) {
        return e as { code: string; status: number; details?: unknown };
      }
      throw new Error('expected a rejection');
    };

    it('returns the customer and both address snapshots (shipping and billing may be the same)', async () => {
      const email = uniqueEmail();
      const id = await register({
        name: 'Directory Person',
        email,
        phone: '+4930123456',
        vipStatus: 'silver',
      });
      const home = await addAddress(id, { region: 'IL' });
      const office = await addAddress(id, { label: 'Office', line2: 'Floor 3' });
      const r = await directory.requireActiveCustomerWithAddresses(id, home, office);
      expect(r.customer).toEqual({
        customerId: id,
        name: 'Directory Person',
        email,
        phone: '+4930123456',
        vipStatus: 'silver',
      });
      expect(r.shipping).toEqual({
        addressId: home,
        label: 'Home',
        line1: '1 Main St',
        line2: null,
        city: 'Springfield',
        region: 'IL',
        postalCode: '62701',
        country: 'US',
      });
      expect(r.billing).toMatchObject({ addressId: office, label: 'Office', line2: 'Floor 3' });
      const same = await directory.requireActiveCustomerWithAddresses(id, home, home);
      expect(same.billing).toEqual(same.shipping);
    });

    it("rejects another customer's, a removed and an unknown address with 403 CUSTOMERS.ADDRESS_NOT_OWNED", async () => {
      const owner = await register();
      const foreign = await addAddress(owner);
      const id = await register();
      const mine = await addAddress(id);
      const gone = await addAddress(id);
      await request(t.http).delete(`/api/customers/${id}/addresses/${gone}`).set(admin).expect(202);
      for (const [shipping, billing, field] of [
        [foreign, mine, 'shippingAddressId'],
        [mine, gone, 'billingAddressId'],
        [mine, MISSING_ADDRESS, 'billingAddressId'],
      ]) {
        const e = await rejection(directory.requireActiveCustomerWithAddresses(id, shipping, billing));
        expect(e).toMatchObject({ code: 'CUSTOMERS.ADDRESS_NOT_OWNED', status: 403, details: { field } });
      }
    });

    it('404 CUSTOMERS.NOT_FOUND for an unknown customer, 409 CUSTOMERS.SUSPENDED for a suspended one', async () => {
      const e404 = await rejection(
        directory.requireActiveCustomerWithAddresses(MISSING_CUSTOMER, MISSING_ADDRESS, MISSING_ADDRESS),
      );
      expect(e404).toMatchObject({ code: 'CUSTOMERS.NOT_FOUND', status: 404 });
      const id = await register();
      const a = await addAddress(id);
      await request(t.http).post(`/api/customers/${id}/suspend`).set(admin).expect(202);
      const e409 = await rejection(directory.requireActiveCustomerWithAddresses(id, a, a));
      expect(e409).toMatchObject({ code: 'CUSTOMERS.SUSPENDED', status: 409 });
    });

    it('findCustomer: the summary, or null', async () => {
      const id = await register({ vipStatus: 'gold' });
      expect(await directory.findCustomer(id)).toMatchObject({
        customerId: id,
        status: 'active',
        vipStatus: 'gold',
        version: 1,
      });
      expect(await directory.findCustomer(MISSING_CUSTOMER)).toBeNull();
    });
  });

  it('the write model has the documented unique indexes', async () => {
    const customers = await db.collection('customers').indexes();
    const addresses = await db.collection('addresses').indexes();
    expect(customers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: { customerId: 1 }, unique: true }),
        expect.objectContaining({ key: { email: 1 }, unique: true }),
      ]),
    );
    expect(addresses).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: { addressId: 1 }, unique: true }),
        expect.objectContaining({ key: { customerId: 1, addedInVersion: 1 } }),
      ]),
    );
  });
});
