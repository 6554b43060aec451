import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, SignJWT, type JWTPayload } from 'jose';
import { loadConfig } from '../../config/env.js';
import { signToken } from './dev-token.js';
import { TokenError } from './jwt.js';
import { createTokenVerifier } from './token-verifier.js';

const SECRET = 'unit-test-secret-unit-test-secret-0123';
const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (k: typeof rsa.publicKey): string => k.export({ type: 'spki', format: 'pem' }).toString();

const hs256 = () => createTokenVerifier(loadConfig({ JWT_SECRET: SECRET }), SECRET);
const rs256 = (env: Record<string, string> = {}) =>
  createTokenVerifier(
    loadConfig({
      JWT_PUBLIC_KEY: pem(rsa.publicKey),
      JWT_ISSUER: 'https://idp',
      JWT_AUDIENCE: 'orders',
      ...env,
    }),
    undefined,
  );

const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: JWTPayload, alg = 'RS256', key: Parameters<SignJWT['sign']>[0] = rsa.privateKey) =>
  new SignJWT(claims).setProtectedHeader({ alg }).sign(key);
const good = { sub: 'ops', roles: ['admin'], iss: 'https://idp', aud: 'orders', exp: now() + 60 };

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TokenError) return e.message;
    throw e;
  }
  throw new Error('accepted');
}

describe('HS256 mode (development)', () => {
  it('accepts what signToken (synchronous minting for tests) produces', async () => {
    const t = signToken({ sub: 'cus_1', role: 'customer', customerId: 'cus_1' }, SECRET, 60);
    await expect(hs256().verify(t)).resolves.toEqual({ sub: 'cus_1', role: 'customer', customerId: 'cus_1' });
  });

  it('refuses alg none, HS512, tampered payloads, other secrets and expired tokens', async () => {
    const t = signToken({ sub: 'admin', role: 'admin' }, SECRET, 60);
    const [h, p, s] = t.split('.');
    expect(await reason(hs256().verify(`${b64({ alg: 'none' })}.${p}.`))).toBe('token algorithm not allowed');
    expect(await reason(hs256().verify(`${b64({ alg: 'HS512' })}.${p}.${s}`))).toBe(
      'token algorithm not allowed',
    );
    expect(
      await reason(hs256().verify(`${h}.${b64({ sub: 'x', roles: ['admin'], exp: now() + 60 })}.${s}`)),
    ).toBe('invalid token signature');
    expect(await reason(hs256().verify(signToken({ sub: 'a', role: 'admin' }, SECRET + 'x', 60)))).toBe(
      'invalid token signature',
    );
    const expired = signToken({ sub: 'a', role: 'admin' }, SECRET, 60, Date.now() - 120_000);
    expect(await reason(hs256().verify(expired))).toBe('token expired');
    expect(await reason(hs256().verify('not-a-token'))).toBe('malformed token');
  });
});

describe('public key mode (RS256 / ES256)', () => {
  it('accepts an RS256 token with the right iss and aud; an ES256 key in its own setup', async () => {
    await expect(rs256().verify(await sign(good))).resolves.toEqual({ sub: 'ops', role: 'admin' });
    const es = createTokenVerifier(loadConfig({ JWT_PUBLIC_KEY: pem(ec.publicKey) }), undefined);
    await expect(es.verify(await sign(good, 'ES256', ec.privateKey))).resolves.toMatchObject({
      role: 'admin',
    });
  });

  it('refuses wrong iss, wrong aud, expired, not yet valid, missing exp', async () => {
    const v = rs256();
    expect(await reason(v.verify(await sign({ ...good, iss: 'https://evil' })))).toBe(
      'token issuer not accepted',
    );
    expect(await reason(v.verify(await sign({ ...good, aud: 'other' })))).toBe('token audience not accepted');
    expect(await reason(v.verify(await sign({ ...good, exp: now() - 31 })))).toBe('token expired');
    expect(await reason(v.verify(await sign({ ...good, nbf: now() + 120 })))).toBe('token not yet valid');
    const { exp: _, ...noExp } = good;
    expect(await reason(v.verify(await sign(noExp)))).toBe('token has no valid expiry');
  });

  it('clock tolerance: 30 s by default, JWT_CLOCK_TOLERANCE_SECONDS=0 is strict', async () => {
    const justExpired = await sign({ ...good, exp: now() - 10 });
    await expect(rs256().verify(justExpired)).resolves.toMatchObject({ sub: 'ops' });
    expect(await reason(rs256({ JWT_CLOCK_TOLERANCE_SECONDS: '0' }).verify(justExpired))).toBe(
      'token expired',
    );
  });

  it('key confusion: an HS256 token keyed with the public key text is refused', async () => {
    const forged = await sign(good, 'HS256', new TextEncoder().encode(pem(rsa.publicKey)));
    expect(await reason(rs256().verify(forged))).toBe('token algorithm not allowed');
  });

  it('an ES256 token (another key) is refused by an RS256 setup', async () => {
    expect(await reason(rs256().verify(await sign(good, 'ES256', ec.privateKey)))).toBe(
      'token algorithm not allowed',
    );
  });

  it('roles and customer id at configured paths (Keycloak realm_access.roles)', async () => {
    const v = rs256({ JWT_ROLES_CLAIM: 'realm_access.roles', JWT_CUSTOMER_ID_CLAIM: 'cid' });
    const t = await sign({
      ...good,
      roles: undefined,
      realm_access: { roles: ['offline_access', 'customer'] },
      cid: 'cus_9',
    });
    await expect(v.verify(t)).resolves.toEqual({ sub: 'ops', role: 'customer', customerId: 'cus_9' });
    expect(await reason(v.verify(await sign(good)))).toBe('token has no valid role');
  });

  it('the public JWK of the key works as well (sanity of the fixtures)', async () => {
    expect((await exportJWK(rsa.publicKey)).kty).toBe('RSA');
  });
});
