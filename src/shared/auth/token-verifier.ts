/**
 * Verifies bearer tokens with `jose` (jwtVerify) under the configured policy: the allowed
 * algorithms only (so `alg: none` and HS256-with-the-public-key confusion fail), the key of the mode
 * (JWKS, PEM public key, or HS256 secret), `iss` and `aud` when configured, `exp` required, `nbf`
 * honoured, both with the clock tolerance. Every refusal is a TokenError with a short reason that
 * never quotes the token; KeysUnavailableError (no JWKS keys at all) passes through as a 503.
 */
import { createPublicKey, createSecretKey } from 'node:crypto';
import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AppConfig } from '../../config/env.js';
import { principalFromClaims, type ClaimNames } from './claims.js';
import { JwksKeyStore } from './jwks-key-store.js';
import { TokenError, type Principal } from './jwt.js';

export interface VerifyPolicy {
  algorithms: string[];
  issuer?: string;
  audience?: string[];
  clockToleranceSeconds: number;
  claims: ClaimNames;
}

/** A short reason for a jose error (claim names come from jose's fixed set, never token text). */
function reason(e: unknown): string | undefined {
  if (e instanceof errors.JWTExpired) return 'token expired';
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'nbf') return 'token not yet valid';
    if (e.claim === 'iss') return 'token issuer not accepted';
    if (e.claim === 'aud') return 'token audience not accepted';
    if (e.claim === 'exp') return 'token has no valid expiry';
    if (e.claim === 'sub') return 'token has no subject';
    return 'token claims invalid';
  }
  if (e instanceof errors.JOSEAlgNotAllowed) return 'token algorithm not allowed';
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'invalid token signature';
  if (e instanceof errors.JWKSNoMatchingKey) return 'token signing key unknown';
  // Several keys of the set fit a token without `kid`: providers always set one, so it is refused.
  if (e instanceof errors.JWKSMultipleMatchingKeys) return 'token has no kid and several keys match';
  if (e instanceof errors.JOSEError) return 'malformed token';
  if (e instanceof TypeError) return 'malformed token'; // e.g. a key of the wrong type for the alg
  return undefined;
}

export class TokenVerifier {
  constructor(
    private readonly getKey: JWTVerifyGetKey,
    private readonly policy: VerifyPolicy,
    /** The JWKS cache in jwks mode (for /health). */
    readonly jwks?: JwksKeyStore,
  ) {}

  async verify(token: string): Promise<Principal> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.getKey, {
        algorithms: this.policy.algorithms,
        issuer: this.policy.issuer,
        audience: this.policy.audience,
        clockTolerance: this.policy.clockToleranceSeconds,
        requiredClaims: ['exp'],
      }));
    } catch (e) {
      const why = reason(e);
      if (why === undefined) throw e;
      throw new TokenError(why);
    }
    return principalFromClaims(payload, this.policy.claims);
  }
}

/** The verifier for a configuration; `hs256Secret` is the resolved secret in hs256 mode. */
export function createTokenVerifier(config: AppConfig, hs256Secret: string | undefined): TokenVerifier {
  const policy: VerifyPolicy = {
    algorithms: config.jwtAlgorithms,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    clockToleranceSeconds: config.jwtClockToleranceSeconds,
    claims: { roles: config.jwtRolesClaim, customerId: config.jwtCustomerIdClaim },
  };
  if (config.jwtMode === 'jwks') {
    const store = new JwksKeyStore({
      url: required(config.jwtJwksUrl, 'JWT_JWKS_URL'),
      cooldownMs: config.jwtJwksCooldownSeconds * 1000,
      maxAgeMs: config.jwtJwksCacheMaxAgeSeconds * 1000,
    });
    return new TokenVerifier(store.getKey, policy, store);
  }
  const key =
    config.jwtMode === 'public-key'
      ? createPublicKey(required(config.jwtPublicKey, 'JWT_PUBLIC_KEY'))
      : createSecretKey(Buffer.from(required(hs256Secret, 'the HS256 secret'), 'utf8'));
  return new TokenVerifier(() => key, policy);
}

/** loadConfig guarantees the setting of the mode; this states it for the compiler. */
function required(value: string | undefined, what: string): string {
  if (!value) throw new Error(`${what} is required in this JWT mode`);
  return value;
}
