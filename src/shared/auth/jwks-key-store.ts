/**
 * The identity provider's signing keys (JWT_JWKS_URL), fetched and kept in memory. Key selection
 * (`kid`, `alg`, `kty`) is jose's createLocalJWKSet; this class decides when to fetch:
 *
 * - the first token fetches the set (and /health does, see `probe`);
 * - a token whose `kid` is not in the set refetches it (a key rotated in at the provider), but at
 *   most once per cooldown, counted from the last *attempt*: a flood of made-up `kid`s, or a
 *   provider that is down, costs the provider one request per cooldown;
 * - a set older than maxAge is refetched in the background while the old keys keep verifying;
 * - a failed fetch never drops the keys already held: a provider outage does not stop the service
 *   from verifying tokens signed with known keys. Only with no keys at all are tokens refused
 *   (503 AUTH.KEYS_UNAVAILABLE, see KeysUnavailableError).
 *
 * (jose's createRemoteJWKSet is not used because a failed refetch of a stale set fails every
 * verification, and its cooldown counts from the last successful fetch only.)
 */
import { Logger } from '@nestjs/common';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { AppError } from '../errors/app-error.js';

/** No signing keys could be fetched yet: tokens cannot be checked (not the caller's fault). */
export class KeysUnavailableError extends AppError {
  constructor() {
    super('AUTH.KEYS_UNAVAILABLE', 503, "The identity provider's signing keys are unavailable; retry later");
  }
}

export interface JwksKeyStoreOptions {
  url: string;
  cooldownMs: number;
  maxAgeMs: number;
  /** A fetch that takes longer fails (default 5 s). */
  timeoutMs?: number;
  /** Injected by unit tests; global fetch otherwise. */
  fetch?: typeof fetch;
  /** Injected by unit tests; Date.now otherwise. */
  now?: () => number;
}

export interface JwksStatus {
  /** The last fetch succeeded. */
  providerUp: boolean;
  /** Keys held (possibly from an earlier fetch). */
  keys: number;
  lastFetchedAt?: string;
  lastError?: string;
}

type LocalSet = ReturnType<typeof createLocalJWKSet>;

export class JwksKeyStore {
  private local?: LocalSet;
  private keyCount = 0;
  private fetchedAt?: number;
  private attemptedAt?: number;
  private lastError?: string;
  private pending?: Promise<void>;
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;
  /** How many fetches were started (tests, logs). */
  fetches = 0;
  private readonly logger = new Logger('JwksKeyStore');

  constructor(private readonly options: JwksKeyStoreOptions) {
    this.now = options.now ?? Date.now;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** jose's key lookup for jwtVerify, with the fetching rules above. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (!this.local) {
      if (this.mayFetch()) await this.refresh();
      if (!this.local) throw new KeysUnavailableError();
    } else if (this.stale() && this.mayFetch()) {
      void this.refresh(); // background; the current keys answer this token
    }
    try {
      return await this.local(header, token);
    } catch (e) {
      if (!(e instanceof errors.JWKSNoMatchingKey) || !this.mayFetch()) throw e;
      await this.refresh();
      return this.local(header, token);
    }
  };

  status(): JwksStatus {
    return {
      providerUp: this.fetchedAt !== undefined && this.lastError === undefined,
      keys: this.keyCount,
      ...(this.fetchedAt !== undefined ? { lastFetchedAt: new Date(this.fetchedAt).toISOString() } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  /** For /health: refetch when the cooldown allows (so an outage shows), then the status. */
  async probe(): Promise<JwksStatus> {
    if (this.mayFetch()) await this.refresh();
    else await this.pending;
    return this.status();
  }

  /** Resolves when no fetch is running (tests). */
  async idle(): Promise<void> {
    await this.pending;
  }

  private stale(): boolean {
    return this.fetchedAt === undefined || this.now() - this.fetchedAt >= this.options.maxAgeMs;
  }

  private mayFetch(): boolean {
    if (this.pending) return true; // joining a running fetch costs the provider nothing
    return this.attemptedAt === undefined || this.now() - this.attemptedAt >= this.options.cooldownMs;
  }

  /** One fetch at a time; never throws (a failure is kept in lastError, the old keys stay). */
  private refresh(): Promise<void> {
    this.pending ??= this.fetchSet()
      .then(
        (jwks) => {
          this.local = createLocalJWKSet(jwks);
          this.keyCount = jwks.keys.length;
          this.fetchedAt = this.now();
          this.lastError = undefined;
        },
        (e: unknown) => {
          this.lastError = e instanceof Error ? e.message : String(e);
          // At most one line per cooldown (fetches are); the URL without its query string.
          const where = new URL(this.options.url);
          this.logger.warn(
            `JWKS fetch from ${where.origin}${where.pathname} failed (${this.lastError}); ` +
              `${this.keyCount} cached key(s) keep verifying`,
          );
        },
      )
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  private async fetchSet(): Promise<JSONWebKeySet> {
    this.attemptedAt = this.now();
    this.fetches++;
    const res = await this.fetchImpl(this.options.url, {
      headers: { accept: 'application/json, application/jwk-set+json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`JWKS answered HTTP ${res.status}`);
    }
    const body: unknown = await res.json().catch(() => undefined);
    const keys = (body as { keys?: unknown } | undefined)?.keys;
    if (!Array.isArray(keys)) throw new Error('JWKS answer is not a JSON Web Key Set');
    createLocalJWKSet(body as JSONWebKeySet); // throws JWKSInvalid for a malformed set
    return body as JSONWebKeySet;
  }
}
