/**
 * Pure helpers of the idempotency mechanism: key validation, principal scope, and the request
 * fingerprint that decides "same request" (method + path + body + principal).
 */
import { createHash } from 'node:crypto';
import type { Principal } from '../auth/jwt.js';
import { badRequest } from '../errors/app-error.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** 1-200 printable ASCII characters (space to tilde). */
const KEY_PATTERN = /^[\x20-\x7e]{1,200}$/;

/** The header's key, or undefined when absent; 400 IDEMPOTENCY.INVALID_KEY when malformed. */
export function parseIdempotencyKey(raw: string | string[] | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !KEY_PATTERN.test(raw))
    throw badRequest(
      'IDEMPOTENCY.INVALID_KEY',
      'Idempotency-Key must be 1 to 200 printable ASCII characters, sent once',
    );
  return raw;
}

/** Keys are per caller: the same key from two principals names two different requests. */
export function principalScope(principal: Principal | undefined): string {
  if (!principal) return 'anonymous';
  return principal.role === 'customer'
    ? `customer:${principal.customerId ?? principal.sub}`
    : `admin:${principal.sub}`;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function keyDocumentId(scope: string, key: string): string {
  return sha256(JSON.stringify([scope, key]));
}

/** JSON with object keys sorted at every level: equal JSON values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

export function requestFingerprint(req: {
  method: string;
  path: string;
  body: unknown;
  scope: string;
}): string {
  return sha256(canonicalJson([req.method.toUpperCase(), req.path, req.body ?? null, req.scope]));
}
