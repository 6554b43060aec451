/**
 * Tokens from an identity provider (issue #16): the service verifies against a local JWKS server
 * whose keys the test generates. RS256 and ES256 are accepted; a key rotated in at the provider is
 * picked up on the next unknown `kid`; wrong issuer or audience, expired, not yet valid, `alg: none`,
 * HS256 keyed with the public key (key confusion), unknown `kid` and tampered payloads are all 401
 * with the error shape; no log line holds a token; /health reports the JWKS, and a provider outage
 * leaves the cached keys verifying and the instance ready.
 */
import request from 'supertest';
import { signWith, newKey, type TestKey } from '../helpers/jwks-server.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { hmacToken, jwksFactory, type TokenFactory } from '../helpers/token-factory.js';

const ADMIN_ROUTE = '/api/admin/projections';
const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('identity-provider tokens through a JWKS', () => {
  const logs: string[] = [];
  /** Every token sent: none may reach a log line. */
  const sent: string[] = [];
  let factory: TokenFactory;
  let t: TestApp;

  beforeAll(async () => {
    // Cooldown 0: every unknown kid may refetch (the cooldown itself is a unit test of the key store).
    factory = await jwksFactory({ JWT_JWKS_COOLDOWN_SECONDS: '0' });
    t = await startTestApp(
      { LOG_LEVEL: 'debug' },
      { tokens: factory, logs: { write: (s: string) => void logs.push(s) } },
    );
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await factory?.close();
  });

  const now = (): number => Math.floor(Date.now() / 1000);
  const adminClaims = (extra: object = {}): object => ({
    ...factory.baseClaims,
    sub: 'ops@idp',
    roles: ['admin'],
    iat: now(),
    exp: now() + 300,
    ...extra,
  });
  const call = (token: string) => {
    sent.push(token);
    return request(t.http).get(ADMIN_ROUTE).set('Authorization', `Bearer ${token}`);
  };
  const key = (kid: string): TestKey => factory.jwks!.key(kid);

  it('accepts RS256 and ES256 tokens signed with the published keys', async () => {
    await call(signWith(key('rsa-1'), adminClaims())).expect(200);
    await call(signWith(key('ec-1'), adminClaims())).expect(200);
  });

  it('picks up a key rotated in at the provider on the first token that names it', async () => {
    const jwks = factory.jwks!;
    const before = jwks.requests;
    const rotated = jwks.rotate('rsa-2');
    await call(signWith(rotated, adminClaims())).expect(200);
    expect(jwks.requests).toBe(before + 1);
    await call(signWith(rotated, adminClaims())).expect(200);
    expect(jwks.requests).toBe(before + 1); // cached from then on
  });

  const refused: [string, () => string, string][] = [
    [
      'wrong issuer',
      () => signWith(key('rsa-1'), adminClaims({ iss: 'https://evil.test/' })),
      'token issuer not accepted',
    ],
    [
      'wrong audience',
      () => signWith(key('rsa-1'), adminClaims({ aud: 'billing-api' })),
      'token audience not accepted',
    ],
    [
      'expired',
      () => signWith(key('rsa-1'), adminClaims({ iat: now() - 600, exp: now() - 60 })),
      'token expired',
    ],
    [
      'not yet valid (nbf)',
      () => signWith(key('ec-1'), adminClaims({ nbf: now() + 600 })),
      'token not yet valid',
    ],
    [
      'alg none',
      () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(adminClaims())}.`,
      'token algorithm not allowed',
    ],
    [
      'HS256 keyed with the RSA public key (key confusion)',
      () =>
        hmacToken(
          { kid: 'rsa-1' },
          adminClaims(),
          key('rsa-1').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        ),
      'token algorithm not allowed',
    ],
    ['unknown kid', () => signWith(newKey('rogue', 'RS256'), adminClaims()), 'token signing key unknown'],
    [
      'tampered payload',
      () => {
        const [h, , s] = signWith(key('rsa-1'), adminClaims({ roles: ['customer'], customerId: 'c1' })).split(
          '.',
        );
        return `${h}.${b64(adminClaims())}.${s}`;
      },
      'invalid token signature',
    ],
  ];

  it.each(refused)('%s: 401 AUTH.UNAUTHORIZED with the error shape', async (_name, token, reason) => {
    const res = await call(token()).expect(401);
    expect(res.body).toEqual({
      statusCode: 401,
      code: 'AUTH.UNAUTHORIZED',
      message: `Invalid token: ${reason}`,
    });
  });

  it('/health reports the JWKS; a provider outage keeps cached keys verifying and the instance ready', async () => {
    const jwks = factory.jwks!;
    const up = await request(t.http).get('/health').expect(200);
    expect(up.body.details.jwks).toMatchObject({ status: 'up', provider: 'up', keys: 3 });

    jwks.down = true;
    try {
      const during = await request(t.http).get('/health').expect(200);
      expect(during.body.details.jwks).toMatchObject({ status: 'up', provider: 'down', keys: 3 });
      await call(signWith(key('rsa-1'), adminClaims())).expect(200);
      await call(signWith(key('ec-1'), adminClaims())).expect(200);
      // An unknown kid during the outage is refused as such, not a 5xx.
      const res = await call(signWith(newKey('rogue-2', 'RS256'), adminClaims())).expect(401);
      expect(res.body.code).toBe('AUTH.UNAUTHORIZED');
    } finally {
      jwks.down = false;
    }
    const after = await request(t.http).get('/health').expect(200);
    expect(after.body.details.jwks).toMatchObject({ status: 'up', provider: 'up' });
  });

  it('no log line contains a token sent in this file, or its signature', () => {
    expect(sent.length).toBeGreaterThanOrEqual(15);
    expect(logs.length).toBeGreaterThan(0);
    const leaks = sent.filter((token) => {
      const signature = token.split('.')[2];
      return logs.some((l) => l.includes(token) || (signature.length > 20 && l.includes(signature)));
    });
    expect(leaks).toEqual([]);
  });
});

describe('an identity provider unreachable since start-up (no key ever fetched)', () => {
  let factory: TokenFactory;
  let t: TestApp;

  beforeAll(async () => {
    factory = await jwksFactory();
    factory.jwks!.down = true;
    t = await startTestApp({}, { tokens: factory });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await factory?.close();
  });

  it('tokens get 503 AUTH.KEYS_UNAVAILABLE with Retry-After (not 401: the token may be fine); /health is 503 with jwks down', async () => {
    const res = await request(t.http)
      .get(ADMIN_ROUTE)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .expect(503);
    expect(res.body).toEqual({ statusCode: 503, code: 'AUTH.KEYS_UNAVAILABLE', message: expect.any(String) });
    expect(res.headers['retry-after']).toBeDefined();
    const health = await request(t.http).get('/health').expect(503);
    expect(health.body.error.jwks).toMatchObject({ status: 'down', provider: 'down', keys: 0 });
  });
});
