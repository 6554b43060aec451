/**
 * Tokens an attacker could send, built by hand (base64url JSON, HMAC over `header.payload`), each
 * with the reason it must be refused. The server accepts only HS256 tokens signed with its
 * secret, unexpired, naming a subject and a known role (and a customerId for customers).
 */
import { createHmac } from 'node:crypto';
import { signToken } from '../../../src/shared/auth/jwt.js';

export interface ForgedToken {
  name: string;
  /** The whole Authorization header value; undefined = no header at all. */
  authorization: string | undefined;
}

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

function hmac(alg: 'sha256' | 'sha512', data: string, secret: string): string {
  return createHmac(alg, secret).update(data).digest('base64url');
}

/** An HS256 token over arbitrary header and claims (for claims signToken cannot express). */
export function rawToken(
  header: object,
  claims: object,
  secret: string,
  alg: 'sha256' | 'sha512' = 'sha256',
): string {
  const data = `${b64(header)}.${b64(claims)}`;
  return `${data}.${hmac(alg, data, secret)}`;
}

/** Flips one character in the middle of a base64url segment (keeps it valid base64url). */
function flip(segment: string): string {
  const i = Math.floor(segment.length / 2);
  const c = segment[i] === 'A' ? 'B' : 'A';
  return segment.slice(0, i) + c + segment.slice(i + 1);
}

/**
 * Every way a request can fail authentication. `valid` is a genuine admin token (the forgeries
 * start from the most powerful credential); `secret` is the server's secret.
 */
export function forgedTokens(valid: string, secret: string): ForgedToken[] {
  const [h, p, s] = valid.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  const live = { iat: now, exp: now + 600 };
  const bearer = (t: string): string => `Bearer ${t}`;
  return [
    { name: 'no Authorization header', authorization: undefined },
    { name: 'empty bearer', authorization: 'Bearer ' },
    { name: 'Basic scheme', authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
    { name: 'token without scheme', authorization: valid },
    { name: 'bearer garbage', authorization: bearer('garbage') },
    { name: 'bearer two segments', authorization: bearer(`${h}.${p}`) },
    { name: 'bearer four segments', authorization: bearer(`${valid}.${s}`) },
    { name: 'non-base64url characters', authorization: bearer(`${h}.${p}.${s}*`) },
    {
      name: 'payload not JSON',
      authorization: bearer(rawTokenFromParts(h, Buffer.from('not json').toString('base64url'), secret)),
    },
    {
      name: 'expired',
      authorization: bearer(
        signToken({ sub: 'e2e-admin', role: 'admin' }, secret, 60, Date.now() - 3_600_000),
      ),
    },
    {
      name: 'tampered payload, signature kept',
      authorization: bearer(`${h}.${b64({ ...claims, sub: 'mallory' })}.${s}`),
    },
    {
      name: 'tampered expiry, signature kept',
      authorization: bearer(`${h}.${b64({ ...claims, exp: now + 86_400 * 365 })}.${s}`),
    },
    { name: 'tampered signature', authorization: bearer(`${h}.${p}.${flip(s)}`) },
    { name: 'signature stripped', authorization: bearer(`${h}.${p}.`) },
    { name: 'alg none, no signature', authorization: bearer(`${b64({ alg: 'none', typ: 'JWT' })}.${p}.`) },
    {
      name: 'alg none, signature kept',
      authorization: bearer(`${b64({ alg: 'none', typ: 'JWT' })}.${p}.${s}`),
    },
    { name: 'alg NONE', authorization: bearer(`${b64({ alg: 'NONE', typ: 'JWT' })}.${p}.`) },
    {
      name: 'HS512 signed with the secret',
      authorization: bearer(rawToken({ alg: 'HS512', typ: 'JWT' }, claims, secret, 'sha512')),
    },
    {
      name: 'RS256 header, HMAC signature',
      authorization: bearer(rawToken({ alg: 'RS256', typ: 'JWT' }, claims, secret)),
    },
    { name: 'header without alg', authorization: bearer(rawToken({ typ: 'JWT' }, claims, secret)) },
    {
      name: 'signed with another secret',
      authorization: bearer(
        signToken({ sub: 'e2e-admin', role: 'admin' }, 'another-secret-another-secret-0123456789', 600),
      ),
    },
    {
      name: 'no sub',
      authorization: bearer(rawToken({ alg: 'HS256', typ: 'JWT' }, { role: 'admin', ...live }, secret)),
    },
    {
      name: 'empty sub',
      authorization: bearer(
        rawToken({ alg: 'HS256', typ: 'JWT' }, { sub: '', role: 'admin', ...live }, secret),
      ),
    },
    {
      name: 'no role',
      authorization: bearer(rawToken({ alg: 'HS256', typ: 'JWT' }, { sub: 'x', ...live }, secret)),
    },
    {
      name: 'unknown role',
      authorization: bearer(
        rawToken({ alg: 'HS256', typ: 'JWT' }, { sub: 'x', role: 'root', ...live }, secret),
      ),
    },
    {
      name: 'customer without customerId',
      authorization: bearer(
        rawToken({ alg: 'HS256', typ: 'JWT' }, { sub: 'x', role: 'customer', ...live }, secret),
      ),
    },
    {
      name: 'no exp',
      authorization: bearer(
        rawToken({ alg: 'HS256', typ: 'JWT' }, { sub: 'x', role: 'admin', iat: now }, secret),
      ),
    },
    {
      name: 'exp not a number',
      authorization: bearer(
        rawToken(
          { alg: 'HS256', typ: 'JWT' },
          { sub: 'x', role: 'admin', iat: now, exp: String(now + 600) },
          secret,
        ),
      ),
    },
  ];
}

function rawTokenFromParts(h: string, p: string, secret: string): string {
  return `${h}.${p}.${hmac('sha256', `${h}.${p}`, secret)}`;
}
