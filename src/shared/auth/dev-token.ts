/**
 * Synchronous HS256 tokens for development and tests (the e2e helpers, the chaos load generator,
 * the service benchmark), which need a token in a synchronous expression. Signing only: nothing in
 * the service verifies with this file (token-verifier.ts does, through `jose`), and a unit test
 * checks that `jose` accepts what it produces. `npm run token` signs through `jose` (local-signer.ts).
 *
 * The claims follow the defaults of JWT_ROLES_CLAIM and JWT_CUSTOMER_ID_CLAIM:
 * `{ sub, roles: [role], customerId?, iat, exp }`.
 */
import { createHmac } from 'node:crypto';
import type { Principal } from './jwt.js';

const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

export function signToken(
  principal: Principal,
  secret: string,
  ttlSeconds: number,
  now = Date.now(),
): string {
  const iat = Math.floor(now / 1000);
  const { sub, role, customerId } = principal;
  const claims = { sub, roles: [role], ...(customerId ? { customerId } : {}), iat, exp: iat + ttlSeconds };
  const data = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${data}.${createHmac('sha256', secret).update(data).digest('base64url')}`;
}
