/**
 * HS256 JSON Web Tokens with node:crypto. Verification is strict: the header must say
 * `alg: "HS256"` (so `none` and algorithm confusion are refused), the signature is compared in
 * constant time, `exp` is required and enforced, and the claims must describe a known role.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Role = 'customer' | 'admin';

export interface Principal {
  /** Subject: the customer id for customers, an operator name for admins. */
  sub: string;
  role: Role;
  /** Present for customers: the customer the token acts for. */
  customerId?: string;
}

export interface TokenClaims extends Principal {
  iat: number;
  exp: number;
}

export class TokenError extends Error {}

const b64url = (buf: Buffer): string => buf.toString('base64url');

function sign(data: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

export function signToken(
  principal: Principal,
  secret: string,
  ttlSeconds: number,
  now = Date.now(),
): string {
  const iat = Math.floor(now / 1000);
  const header = b64url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
  const payload = b64url(Buffer.from(JSON.stringify({ ...principal, iat, exp: iat + ttlSeconds })));
  return `${header}.${payload}.${b64url(sign(`${header}.${payload}`, secret))}`;
}

function parseJson(part: string, what: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error();
    return v as Record<string, unknown>;
  } catch {
    throw new TokenError(`malformed token ${what}`);
  }
}

export function verifyToken(token: string, secret: string, now = Date.now()): TokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)))
    throw new TokenError('malformed token');
  const [h, p, s] = parts;
  const header = parseJson(h, 'header');
  if (header.alg !== 'HS256') throw new TokenError('unsupported token algorithm');
  const expected = sign(`${h}.${p}`, secret);
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new TokenError('invalid token signature');
  const claims = parseJson(p, 'payload');
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp))
    throw new TokenError('token has no expiry');
  if (claims.exp * 1000 <= now) throw new TokenError('token expired');
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) throw new TokenError('token has no subject');
  if (claims.role !== 'customer' && claims.role !== 'admin') throw new TokenError('token has no valid role');
  if (
    claims.role === 'customer' &&
    (typeof claims.customerId !== 'string' || claims.customerId.length === 0)
  ) {
    throw new TokenError('customer token has no customerId');
  }
  return {
    sub: claims.sub,
    role: claims.role,
    ...(typeof claims.customerId === 'string' ? { customerId: claims.customerId } : {}),
    iat: typeof claims.iat === 'number' ? claims.iat : 0,
    exp: claims.exp,
  };
}
