import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt } from 'jose';
import { loadConfig } from '../../config/env.js';
import { setClaim, signingKey, signLocalToken } from './local-signer.js';
import { createTokenVerifier } from './token-verifier.js';

const SECRET = 'local-signer-secret-local-signer-secret';
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = {
  public: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  private: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};

describe('npm run token signing (jose)', () => {
  it('HS256 with the secret: the service accepts the token', async () => {
    const config = loadConfig({ JWT_SECRET: SECRET });
    const token = await signLocalToken(
      { sub: 'admin', role: 'admin' },
      config,
      signingKey(config, SECRET)!,
      60,
    );
    await expect(createTokenVerifier(config, SECRET).verify(token)).resolves.toEqual({
      sub: 'admin',
      role: 'admin',
    });
  });

  it('ES256 with JWT_PRIVATE_KEY, claims where the configuration looks for them, iss and aud set', async () => {
    const config = loadConfig({
      JWT_PUBLIC_KEY: pem.public,
      JWT_PRIVATE_KEY: pem.private,
      JWT_ISSUER: 'https://idp.test',
      JWT_AUDIENCE: 'orders',
      JWT_ROLES_CLAIM: 'realm_access.roles',
      JWT_CUSTOMER_ID_CLAIM: 'ext.customer',
    });
    const signing = signingKey(config, undefined)!;
    expect(signing.alg).toBe('ES256');
    const token = await signLocalToken(
      { sub: 'c1', role: 'customer', customerId: 'c1' },
      config,
      signing,
      60,
    );
    expect(decodeJwt(token)).toMatchObject({
      realm_access: { roles: ['customer'] },
      ext: { customer: 'c1' },
      iss: 'https://idp.test',
      aud: ['orders'],
    });
    await expect(createTokenVerifier(config, undefined).verify(token)).resolves.toEqual({
      sub: 'c1',
      role: 'customer',
      customerId: 'c1',
    });
  });

  it('no signing key with a JWKS and no private key', () => {
    expect(signingKey(loadConfig({ JWT_JWKS_URL: 'http://idp.test/certs' }), undefined)).toBeUndefined();
  });

  it('setClaim defines __proto__ as a plain field', () => {
    const claims: Record<string, unknown> = {};
    setClaim(claims, '__proto__.x', 1);
    expect(Object.getPrototypeOf(claims)).toBe(Object.prototype);
    expect(Object.keys(claims)).toEqual(['__proto__']);
  });
});
