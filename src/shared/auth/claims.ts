/**
 * The principal named by a verified token's claims. Where the roles and the customer id are is
 * configurable (JWT_ROLES_CLAIM, JWT_CUSTOMER_ID_CLAIM): a claim name, or a dotted path into nested
 * claims such as Keycloak's `realm_access.roles`. A claim whose full name contains dots (Auth0's
 * `https://example.com/roles`) is found under that name first.
 */
import { TokenError, type Principal, type Role } from './jwt.js';

export interface ClaimNames {
  roles: string;
  customerId: string;
}

const own = (o: unknown, key: string): unknown =>
  typeof o === 'object' && o !== null && !Array.isArray(o) && Object.hasOwn(o, key)
    ? (o as Record<string, unknown>)[key]
    : undefined;

/** The value at `path` in `claims` (own properties only: `constructor` finds nothing). */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  const whole = own(claims, path);
  if (whole !== undefined || !path.includes('.')) return whole;
  return path.split('.').reduce<unknown>((o, key) => own(o, key), claims);
}

/** `admin` wins over `customer`; any other role names (offline_access, ...) are ignored. */
function roleOf(value: unknown): Role | undefined {
  const names = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  if (names.includes('admin')) return 'admin';
  if (names.includes('customer')) return 'customer';
  return undefined;
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Throws TokenError when the claims name no subject, no known role, or a customer without its id. */
export function principalFromClaims(claims: Record<string, unknown>, names: ClaimNames): Principal {
  if (!nonEmpty(claims.sub)) throw new TokenError('token has no subject');
  const role = roleOf(claimAt(claims, names.roles));
  if (!role) throw new TokenError('token has no valid role');
  const customerId = claimAt(claims, names.customerId);
  if (role === 'customer' && !nonEmpty(customerId)) throw new TokenError('customer token has no customerId');
  return { sub: claims.sub, role, ...(nonEmpty(customerId) ? { customerId } : {}) };
}
