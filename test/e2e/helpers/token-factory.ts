/**
 * How the e2e tests mint tokens, per verification mode, so a suite can run in both
 * (`describe.each(TOKEN_MODES)`): HS256 with the test secret, or JWKS with a local identity
 * provider (helpers/jwks-server.ts). `env` configures the service for the mode; `sign` makes a
 * token the service's key material vouches for, over any claims (to test the claim checks);
 * `principal` makes a valid token for a principal.
 */
import { createHmac } from 'node:crypto';
import type { Principal } from '../../../src/shared/auth/jwt.js';
import { signToken } from '../../../src/shared/auth/jwt.js';
import { JwksServer, signWith } from './jwks-server.js';

export const TEST_JWT_SECRET = 'e2e-test-secret-e2e-test-secret-0123456789';
export const TEST_ISSUER = 'https://idp.test/realms/shop';
export const TEST_AUDIENCE = 'orders-api';

export type TokenMode = 'HS256' | 'JWKS';
export const TOKEN_MODES: TokenMode[] = ['HS256', 'JWKS'];

export interface TokenFactory {
  mode: TokenMode;
  /** Settings for startTestApp (they override its JWT_SECRET default). */
  env: Record<string, string>;
  /** Claims every valid token of the mode carries besides the principal (iss, aud). */
  baseClaims: Record<string, unknown>;
  /** A token signed with a key the service trusts, over exactly these claims (header merged in). */
  sign(claims: object, header?: object): string;
  principal(p: Principal, ttlSeconds?: number, now?: number): string;
  /** The local identity provider (JWKS mode). */
  jwks?: JwksServer;
  close(): Promise<void>;
}

const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

/** An HS256 token over arbitrary header and claims. */
export function hmacToken(
  header: object,
  claims: object,
  secret: string,
  alg: 'sha256' | 'sha512' = 'sha256',
): string {
  const data = `${part({ alg: 'HS256', typ: 'JWT', ...header })}.${part(claims)}`;
  return `${data}.${createHmac(alg, secret).update(data).digest('base64url')}`;
}

function principalClaims(p: Principal, ttlSeconds: number, now: number): Record<string, unknown> {
  const iat = Math.floor(now / 1000);
  return {
    sub: p.sub,
    roles: [p.role],
    ...(p.customerId ? { customerId: p.customerId } : {}),
    iat,
    exp: iat + ttlSeconds,
  };
}

export function hs256Factory(secret = TEST_JWT_SECRET): TokenFactory {
  return {
    mode: 'HS256',
    env: { JWT_SECRET: secret },
    baseClaims: {},
    sign: (claims, header = {}) => hmacToken(header, claims, secret),
    principal: (p, ttl = 3600, now = Date.now()) => signToken(p, secret, ttl, now),
    close: async () => undefined,
  };
}

/** Starts a local JWKS server; the service verifies RS256 (kid rsa-1) and ES256 (kid ec-1) tokens. */
export async function jwksFactory(extraEnv: Record<string, string> = {}): Promise<TokenFactory> {
  const jwks = await new JwksServer().start();
  const baseClaims = { iss: TEST_ISSUER, aud: TEST_AUDIENCE };
  return {
    mode: 'JWKS',
    env: {
      JWT_SECRET: '',
      JWT_JWKS_URL: jwks.url,
      JWT_ISSUER: TEST_ISSUER,
      JWT_AUDIENCE: TEST_AUDIENCE,
      ...extraEnv,
    },
    baseClaims,
    sign: (claims, header = {}) => signWith(jwks.key('rsa-1'), claims, header),
    principal: (p, ttl = 3600, now = Date.now()) =>
      signWith(jwks.key('rsa-1'), { ...baseClaims, ...principalClaims(p, ttl, now) }),
    jwks,
    close: () => jwks.close(),
  };
}

export async function tokenFactory(mode: TokenMode): Promise<TokenFactory> {
  return mode === 'HS256' ? hs256Factory() : jwksFactory();
}
