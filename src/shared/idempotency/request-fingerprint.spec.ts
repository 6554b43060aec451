import { AppError } from '../errors/app-error.js';
import {
  canonicalJson,
  keyDocumentId,
  parseIdempotencyKey,
  principalScope,
  requestFingerprint,
} from './request-fingerprint.js';

describe('idempotency request fingerprint', () => {
  const base = {
    method: 'POST',
    path: '/api/customers',
    body: { name: 'A', tags: [1, 2] },
    scope: 'admin:ops',
  };

  it('is the same for the same JSON whatever the key order', () => {
    expect(requestFingerprint(base)).toBe(
      requestFingerprint({ ...base, body: { tags: [1, 2], name: 'A' }, method: 'post' }),
    );
    expect(canonicalJson({ b: { d: 1, c: [{ f: 1, e: 2 }] }, a: null })).toBe(
      '{"a":null,"b":{"c":[{"e":2,"f":1}],"d":1}}',
    );
  });

  it.each([
    ['method', { method: 'PUT' }],
    ['path', { path: '/api/customers/x' }],
    ['body value', { body: { name: 'B', tags: [1, 2] } }],
    ['array order', { body: { name: 'A', tags: [2, 1] } }],
    ['value type', { body: { name: 'A', tags: ['1', 2] } }],
    ['principal', { scope: 'customer:cus_1' }],
  ])('differs when the %s differs', (_, change) => {
    expect(requestFingerprint({ ...base, ...change })).not.toBe(requestFingerprint(base));
  });

  it('treats a missing body like null, and keeps undefined members out', () => {
    expect(requestFingerprint({ ...base, body: undefined })).toBe(
      requestFingerprint({ ...base, body: null }),
    );
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});

describe('Idempotency-Key header', () => {
  it('accepts 1 to 200 printable ASCII characters, absent = no key', () => {
    expect(parseIdempotencyKey('a')).toBe('a');
    expect(parseIdempotencyKey('order 2026-01-01 #7 ~')).toBe('order 2026-01-01 #7 ~');
    expect(parseIdempotencyKey('x'.repeat(200))).toBe('x'.repeat(200));
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['201 characters', 'x'.repeat(201)],
    ['a tab', 'a\tb'],
    ['a control character', 'a\u0001'],
    ['non-ASCII', 'clé'],
    ['sent twice', ['a', 'b']],
  ])('400 IDEMPOTENCY.INVALID_KEY when %s', (_, raw) => {
    let caught: unknown;
    try {
      parseIdempotencyKey(raw);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('IDEMPOTENCY.INVALID_KEY');
    expect((caught as AppError).status).toBe(400);
  });
});

describe('key scope', () => {
  it('separates principals: the same key from two callers names two documents', () => {
    const customer = principalScope({ sub: 'cus_1', role: 'customer', customerId: 'cus_1' });
    const admin = principalScope({ sub: 'ops', role: 'admin' });
    expect(customer).toBe('customer:cus_1');
    expect(admin).toBe('admin:ops');
    expect(principalScope(undefined)).toBe('anonymous');
    expect(keyDocumentId(customer, 'k')).not.toBe(keyDocumentId(admin, 'k'));
    expect(keyDocumentId(customer, 'k')).toMatch(/^[0-9a-f]{64}$/);
  });
});
