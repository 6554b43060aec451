import { generateKeyPairSync } from 'node:crypto';
import { configProblems, loadConfig } from './env.js';

const SECRET = 'x'.repeat(32);
const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();
const ed = generateKeyPairSync('ed25519');

describe('JWT settings', () => {
  it('defaults: HS256 development mode, roles / customerId claims, 30 s tolerance', () => {
    expect(loadConfig({})).toMatchObject({
      jwtMode: 'hs256',
      jwtAlgorithms: ['HS256'],
      jwtRolesClaim: 'roles',
      jwtCustomerIdClaim: 'customerId',
      jwtClockToleranceSeconds: 30,
      jwtJwksCooldownSeconds: 30,
      jwtJwksCacheMaxAgeSeconds: 600,
    });
  });

  it('JWKS and public key modes; a PEM given on one line with \\n escapes', () => {
    expect(loadConfig({ JWT_JWKS_URL: 'http://localhost:8080/certs', JWT_AUDIENCE: 'a, b' })).toMatchObject({
      jwtMode: 'jwks',
      jwtAlgorithms: ['RS256', 'ES256'],
      jwtAudience: ['a', 'b'],
    });
    const oneLine = rsaPem.trim().replace(/\n/g, '\\n');
    expect(loadConfig({ JWT_PUBLIC_KEY: oneLine })).toMatchObject({
      jwtMode: 'public-key',
      jwtAlgorithms: ['RS256'],
    });
  });

  it('production: HS256 refused unless JWT_ALLOW_HS256=true; issuer and audience required with asymmetric keys', () => {
    expect(configProblems({ NODE_ENV: 'production' })).toEqual([
      'JWT_JWKS_URL or JWT_PUBLIC_KEY is required when NODE_ENV=production',
    ]);
    expect(configProblems({ NODE_ENV: 'production', JWT_SECRET: SECRET })).toEqual([
      'JWT_SECRET (HS256, a shared secret) is refused when NODE_ENV=production: use JWT_JWKS_URL or JWT_PUBLIC_KEY, or set JWT_ALLOW_HS256=true',
    ]);
    expect(configProblems({ NODE_ENV: 'production', JWT_SECRET: SECRET, JWT_ALLOW_HS256: 'true' })).toEqual(
      [],
    );
    expect(configProblems({ NODE_ENV: 'production', JWT_JWKS_URL: 'http://idp/certs' })).toEqual([
      'JWT_JWKS_URL must use https when NODE_ENV=production',
      'JWT_ISSUER is required when NODE_ENV=production (with JWT_JWKS_URL)',
      'JWT_AUDIENCE is required when NODE_ENV=production (with JWT_JWKS_URL)',
    ]);
    expect(
      configProblems({
        NODE_ENV: 'production',
        JWT_JWKS_URL: 'https://idp/certs',
        JWT_ISSUER: 'https://idp/realms/shop',
        JWT_AUDIENCE: 'orders-api',
      }),
    ).toEqual([]);
  });

  it('one problem per bad setting', () => {
    expect(
      configProblems({
        JWT_JWKS_URL: 'ftp://x',
        JWT_PUBLIC_KEY: 'not a key',
        JWT_ALGORITHMS: 'RS256,HS256',
        JWT_CLOCK_TOLERANCE_SECONDS: '-1',
        JWT_ROLES_CLAIM: 'a..b',
        JWT_ALLOW_HS256: 'maybe',
      }),
    ).toEqual([
      "JWT_ALLOW_HS256 must be true or false, got 'maybe'",
      'set only one of JWT_JWKS_URL, JWT_PUBLIC_KEY, JWT_SECRET (got JWT_JWKS_URL, JWT_PUBLIC_KEY)',
      "JWT_JWKS_URL must be an http(s) URL, got 'ftp://x'",
      "JWT_ALGORITHMS must be a comma-separated list of RS256, ES256, got 'RS256,HS256'",
      'JWT_PUBLIC_KEY must be a PEM public key',
      "JWT_ROLES_CLAIM must be a claim name or a dotted path like realm_access.roles, got 'a..b'",
      "JWT_CLOCK_TOLERANCE_SECONDS must be an integer between 0 and 300, got '-1'",
    ]);
  });

  it('a key of another type, or one JWT_ALGORITHMS does not allow', () => {
    const edPem = ed.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(configProblems({ JWT_PUBLIC_KEY: edPem })).toEqual([
      'JWT_PUBLIC_KEY must be an RSA key (RS256) or an EC P-256 key (ES256)',
    ]);
    expect(configProblems({ JWT_PUBLIC_KEY: rsaPem, JWT_ALGORITHMS: 'ES256' })).toEqual([
      'JWT_PUBLIC_KEY is a RS256 key but JWT_ALGORITHMS allows only ES256',
    ]);
  });
});
