/**
 * Tokens an attacker could send, each with the reason it must be refused, for the service's
 * verification mode (helpers/token-factory.ts). The common ones: malformed, expired, tampered,
 * `alg: none`, missing or wrong claims, signed by a key the service does not trust. Per mode:
 * HS256 adds other HMAC algorithms and secrets; JWKS adds the key-confusion attack (HS256 keyed
 * with the public key), unknown `kid`, wrong `iss` / `aud`, `nbf` in the future, and an ES256
 * header over an RSA signature.
 */
import { hmacToken, TEST_AUDIENCE, TEST_JWT_SECRET, type TokenFactory } from '../helpers/token-factory.js';
import { newKey, signWith } from '../helpers/jwks-server.js';

export interface ForgedToken {
  name: string;
  /** The whole Authorization header value; undefined = no header at all. */
  authorization: string | undefined;
}

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const bearer = (t: string): string => `Bearer ${t}`;

/** Flips one character in the middle of a base64url segment (keeps it valid base64url). */
function flip(segment: string): string {
  const i = Math.floor(segment.length / 2);
  const c = segment[i] === 'A' ? 'B' : 'A';
  return segment.slice(0, i) + c + segment.slice(i + 1);
}

const OTHER_SECRET = 'another-secret-another-secret-0123456789';

/**
 * Every way a request can fail authentication. `valid` is a genuine admin token (the forgeries
 * start from the most powerful credential).
 */
export function forgedTokens(valid: string, tokens: TokenFactory): ForgedToken[] {
  const [h, p, s] = valid.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  const live = { ...tokens.baseClaims, iat: now, exp: now + 600 };
  const signed = (c: object): string => bearer(tokens.sign(c));
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
      name: 'header not JSON',
      authorization: bearer(`${Buffer.from('nope').toString('base64url')}.${p}.${s}`),
    },
    {
      name: 'expired (beyond the clock tolerance)',
      authorization: bearer(
        tokens.principal({ sub: 'e2e-admin', role: 'admin' }, 60, Date.now() - 3_600_000),
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
    { name: 'header without alg', authorization: bearer(`${b64({ typ: 'JWT' })}.${p}.${s}`) },
    { name: 'no sub', authorization: signed({ roles: ['admin'], ...live }) },
    { name: 'empty sub', authorization: signed({ sub: '', roles: ['admin'], ...live }) },
    { name: 'no roles', authorization: signed({ sub: 'x', ...live }) },
    { name: 'unknown role', authorization: signed({ sub: 'x', roles: ['root'], ...live }) },
    {
      name: 'singular role claim (not the configured one)',
      authorization: signed({ sub: 'x', role: 'admin', ...live }),
    },
    {
      name: 'customer without customerId',
      authorization: signed({ sub: 'x', roles: ['customer'], ...live }),
    },
    { name: 'no exp', authorization: signed({ sub: 'x', roles: ['admin'], ...tokens.baseClaims, iat: now }) },
    {
      name: 'exp not a number',
      authorization: signed({
        sub: 'x',
        roles: ['admin'],
        ...tokens.baseClaims,
        iat: now,
        exp: String(now + 600),
      }),
    },
    {
      name: 'nbf in the future',
      authorization: signed({ sub: 'x', roles: ['admin'], ...live, nbf: now + 600 }),
    },
    ...(tokens.mode === 'HS256' ? hs256Forgeries(claims) : jwksForgeries(claims, tokens)),
  ];
}

function hs256Forgeries(claims: Record<string, unknown>): ForgedToken[] {
  return [
    {
      name: 'HS512 signed with the secret',
      authorization: bearer(hmacToken({ alg: 'HS512' }, claims, TEST_JWT_SECRET, 'sha512')),
    },
    {
      name: 'RS256 header, HMAC signature',
      authorization: bearer(hmacToken({ alg: 'RS256' }, claims, OTHER_SECRET)),
    },
    { name: 'signed with another secret', authorization: bearer(hmacToken({}, claims, OTHER_SECRET)) },
  ];
}

function jwksForgeries(claims: Record<string, unknown>, tokens: TokenFactory): ForgedToken[] {
  const jwks = tokens.jwks!;
  const rsa = jwks.key('rsa-1');
  const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const publicJwk = JSON.stringify(rsa.publicKey.export({ format: 'jwk' }));
  const rogue = newKey('rogue-1', 'RS256');
  const impostor = newKey('rsa-1', 'RS256'); // a published kid, but not the published key
  return [
    {
      name: 'key confusion: HS256 keyed with the RSA public key (PEM)',
      authorization: bearer(hmacToken({ kid: 'rsa-1' }, claims, publicPem)),
    },
    {
      name: 'key confusion: HS256 keyed with the public JWK',
      authorization: bearer(hmacToken({ kid: 'rsa-1' }, claims, publicJwk)),
    },
    {
      name: 'unknown kid (a key the provider never published)',
      authorization: bearer(signWith(rogue, claims)),
    },
    { name: 'published kid, another private key', authorization: bearer(signWith(impostor, claims)) },
    {
      name: 'no kid, signed by an unpublished key',
      authorization: bearer(signWith(rogue, claims, { kid: undefined })),
    },
    {
      name: 'ES256 header over an RSA signature',
      authorization: bearer(tokens.sign(claims, { alg: 'ES256', kid: 'ec-1' })),
    },
    { name: 'wrong issuer', authorization: bearer(tokens.sign({ ...claims, iss: 'https://evil.test/' })) },
    { name: 'no issuer', authorization: bearer(tokens.sign({ ...claims, iss: undefined })) },
    { name: 'wrong audience', authorization: bearer(tokens.sign({ ...claims, aud: 'another-api' })) },
    { name: 'no audience', authorization: bearer(tokens.sign({ ...claims, aud: undefined })) },
    {
      name: 'audience list without ours',
      authorization: bearer(tokens.sign({ ...claims, aud: ['another-api', `${TEST_AUDIENCE}-2`] })),
    },
  ];
}
