/**
 * Development tokens signed through `jose` for `npm run token`: with JWT_PRIVATE_KEY (RS256 or
 * ES256, for a service set up with the matching JWT_PUBLIC_KEY) or else the HS256 secret. The
 * claims follow the configuration, so the service accepts the token: roles and customer id under
 * JWT_ROLES_CLAIM / JWT_CUSTOMER_ID_CLAIM (dotted paths become nested objects), `iss` and `aud`
 * from JWT_ISSUER / JWT_AUDIENCE when set.
 */
import { createPrivateKey, createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { algorithmOfKey, type AppConfig } from '../../config/env.js';
import type { Principal } from './jwt.js';

/** Sets `value` at a dotted `path` of `claims`, creating the objects on the way. */
export function setClaim(claims: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = claims;
  for (const key of keys.slice(0, -1)) {
    const next = Object.hasOwn(at, key) ? at[key] : undefined;
    const obj = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : {};
    Object.defineProperty(at, key, { value: obj, enumerable: true, writable: true, configurable: true });
    at = obj;
  }
  Object.defineProperty(at, keys[keys.length - 1], {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export interface SigningKey {
  key: KeyObject;
  alg: 'RS256' | 'ES256' | 'HS256';
}

/** JWT_PRIVATE_KEY when set, else the HS256 secret (hs256 mode); undefined when neither applies. */
export function signingKey(config: AppConfig, hs256Secret: string | undefined): SigningKey | undefined {
  if (config.jwtPrivateKey) {
    const key = createPrivateKey(config.jwtPrivateKey);
    const alg = algorithmOfKey(key);
    return alg === 'RS256' || alg === 'ES256' ? { key, alg } : undefined;
  }
  if (config.jwtMode === 'hs256' && hs256Secret)
    return { key: createSecretKey(Buffer.from(hs256Secret, 'utf8')), alg: 'HS256' };
  return undefined;
}

export async function signLocalToken(
  principal: Principal,
  config: AppConfig,
  signing: SigningKey,
  ttlSeconds: number,
): Promise<string> {
  const claims: Record<string, unknown> = {};
  setClaim(claims, config.jwtRolesClaim, [principal.role]);
  if (principal.customerId) setClaim(claims, config.jwtCustomerIdClaim, principal.customerId);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: signing.alg, typ: 'JWT' })
    .setSubject(principal.sub)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`);
  if (config.jwtIssuer) jwt.setIssuer(config.jwtIssuer);
  if (config.jwtAudience) jwt.setAudience(config.jwtAudience);
  return jwt.sign(signing.key);
}
