/**
 * The query-side cache (ARCHITECTURE.md): cache-manager 7 over Keyv, Redis (@keyv/redis) when
 * REDIS_URL is set, an in-process Keyv Map otherwise. Only query handlers read it; projections
 * invalidate what they change through `invalidate(keys)` (plugged into the projection runtime's
 * `ctx.invalidate` hook by QueryCacheModule).
 *
 * Contract:
 * - `getOrLoad(key, ttl, loader)` returns the cached value of `key` or runs `loader` and caches its
 *   result for `ttl` seconds. A cache failure (Redis down) never fails a query: the loader's value
 *   is returned and the error is counted.
 * - `invalidate(keys)` makes every value cached under those keys unreachable, for all instances
 *   sharing the store, before it resolves.
 * - A value loaded before an invalidation is never served after it, even if the load finishes
 *   after the invalidation (the usual "stale set after delete" race).
 *
 * How: each logical key `k` has a generation token stored under `gen:<k>`; its value lives under
 * `v:<k>` together with the token it was loaded under. One read (MGET: one Redis round trip)
 * fetches both, and the value is served only if its token is the current one. `invalidate` writes
 * a fresh token, so every value loaded before is refused from then on (and overwritten by the next
 * load); `getOrLoad` reads the token before running the loader and stores the result with the
 * token it read, so a load that raced an invalidation is stored with a refused token. The same
 * mechanism serves lists: a list family (e.g. `products:search`) is one logical key, and each
 * distinct query of it is `getOrLoad(family, ttl, loader, variant)`, stored under
 * `vv:<family>#<variant>` with the family's token; invalidating the family refuses all its
 * variants at once.
 * Tokens live longer than any value (GENERATION_TTL_SECONDS > MAX_TTL_SECONDS), so an expired
 * token can never resurrect a value cached under an earlier one.
 *
 * The memory store keeps values as they are (no JSON round trip per read) and its operations are
 * not raced against a timer (they cannot hang): a cached value is shared by every reader, so
 * callers treat what they get as read-only (query answers are never changed after they are built).
 */
import { randomBytes } from 'node:crypto';
import KeyvRedis from '@keyv/redis';
import { createCache, type Cache } from 'cache-manager';
import { Keyv } from 'keyv';

export const MAX_TTL_SECONDS = 3600;
export const GENERATION_TTL_SECONDS = 24 * 3600;

export interface QueryCacheStats {
  hits: number;
  misses: number;
  invalidations: number;
  errors: number;
  store: 'redis' | 'memory';
}

export interface QueryCacheOptions {
  /** redis:// or rediss:// URL; undefined = in-process memory. */
  redisUrl?: string;
  /** Prefix of every physical key (separates apps or test runs sharing one Redis). */
  namespace?: string;
  /** Called with cache errors (the cache itself never throws to callers). */
  onError?: (error: unknown) => void;
  /** A store operation slower than this counts as failed (an unreachable Redis must not hang queries). */
  operationTimeoutMs?: number;
  /** Entries kept by the memory store (default 50,000). */
  memoryMaxEntries?: number;
}

/**
 * The in-process store: a Map capped at `max` entries, evicting the least recently written one.
 * Needed because entries nobody reads again (refused generations, list variants no longer asked
 * for) stay, and a Keyv Map only drops expired entries when they are read.
 */
export class BoundedMap extends Map<string, unknown> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: string, value: unknown): this {
    super.delete(key);
    super.set(key, value);
    while (this.size > this.max) {
      const oldest = this.keys().next();
      if (oldest.done) break;
      super.delete(oldest.value);
    }
    return this;
  }
}

function freshToken(): string {
  return `${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

/** A cached value and the generation token it was loaded under. */
interface Stored<T> {
  g: string;
  v: T;
}

type Lookup<T> = { hit: true; value: T } | { hit: false; token: string | undefined };

export class QueryCache {
  private readonly cache: Cache;
  private readonly prefix: string;
  private readonly onError: (error: unknown) => void;
  private readonly timeoutMs: number;
  private readonly counters = { hits: 0, misses: 0, invalidations: 0, errors: 0 };
  readonly store: 'redis' | 'memory';

  constructor(options: QueryCacheOptions = {}) {
    this.prefix = options.namespace ? `${options.namespace}:` : '';
    this.onError = options.onError ?? (() => undefined);
    this.timeoutMs = options.operationTimeoutMs ?? 1000;
    if (options.redisUrl) {
      const redis = new KeyvRedis(options.redisUrl, { throwOnConnectError: false, throwOnErrors: true });
      const keyv = new Keyv({ store: redis, useKeyPrefix: false, throwOnErrors: true });
      // Connection errors are reported as events (and would crash the process unheard); the
      // operations that fail because of them are counted where they fail.
      redis.on('error', (e: unknown) => this.onError(e));
      keyv.on('error', (e: unknown) => this.onError(e));
      this.cache = createCache({ stores: [keyv] });
      this.store = 'redis';
    } else {
      const map = new BoundedMap(options.memoryMaxEntries ?? 50_000);
      // No serializer: values stay objects (see the module comment).
      const keyv = new Keyv({ store: map, serialize: undefined, deserialize: undefined });
      this.cache = createCache({ stores: [keyv] });
      this.store = 'memory';
    }
    // cache-manager turns a failing `get` into a miss and only reports it as an event: count it, so
    // that a read whose generation lookup failed is neither served from nor written to the cache.
    this.cache.on('get', ({ error }) => {
      if (error !== undefined) this.fail(error);
    });
    this.cache.on('mget', ({ error }) => {
      if (error !== undefined) this.fail(error);
    });
  }

  /**
   * The cached value of `key` (+ `variant` for one member of a list family), or the loader's
   * result, cached for `ttlSeconds` (capped at MAX_TTL_SECONDS; a function: chosen by the loaded
   * value). `undefined` from the loader is returned but not cached.
   */
  async getOrLoad<T>(
    key: string,
    ttlSeconds: number | ((value: T) => number),
    loader: () => Promise<T>,
    variant?: string,
  ): Promise<T> {
    const found = await this.lookup<T>(key, variant);
    if (found.hit) {
      this.counters.hits++;
      return found.value;
    }
    this.counters.misses++;
    const value = await loader();
    if (found.token !== undefined && value !== undefined) {
      const seconds = typeof ttlSeconds === 'function' ? ttlSeconds(value) : ttlSeconds;
      const ttl = Math.min(Math.max(1, Math.floor(seconds)), MAX_TTL_SECONDS) * 1000;
      try {
        const stored: Stored<T> = { g: found.token, v: value };
        await this.timed(this.cache.set(this.valueKey(key, variant), stored, ttl));
      } catch (e) {
        this.fail(e);
      }
    }
    return value;
  }

  /**
   * The cached value of `key` (+ `variant`) if there is one, counted as a hit; otherwise
   * `undefined`, counting nothing and loading nothing (the caller then takes the path that calls
   * `getOrLoad`, which counts the miss). A cache failure is an `undefined` too.
   */
  async peek<T>(key: string, variant?: string): Promise<T | undefined> {
    const found = await this.lookup<T>(key, variant);
    if (!found.hit) return undefined;
    this.counters.hits++;
    return found.value;
  }

  /** Makes everything cached under these logical keys (items or list families) unreachable. */
  async invalidate(keys: readonly string[]): Promise<void> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return;
    this.counters.invalidations += unique.length;
    try {
      await this.timed(
        this.cache.mset(
          unique.map((k) => ({
            key: this.genKey(k),
            value: freshToken(),
            ttl: GENERATION_TTL_SECONDS * 1000,
          })),
        ),
      );
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }

  stats(): QueryCacheStats {
    return { ...this.counters, store: this.store };
  }

  async close(): Promise<void> {
    try {
      await this.timed(this.cache.disconnect());
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * One read of `key`'s current token and its value (+ `variant`): a hit when the value was loaded
   * under the current token. `token` is undefined when the cache failed (do not store then).
   */
  private async lookup<T>(key: string, variant: string | undefined): Promise<Lookup<T>> {
    const errorsBefore = this.counters.errors;
    try {
      const [gen, stored] = await this.timed(
        this.cache.mget<unknown>([this.genKey(key), this.valueKey(key, variant)]),
      );
      if (this.counters.errors !== errorsBefore) throw new Error('cache lookup failed');
      const token = typeof gen === 'string' ? gen : '0';
      const s = stored as Stored<T> | null | undefined;
      if (s !== undefined && s !== null && s.g === token) return { hit: true, value: s.v };
      return { hit: false, token };
    } catch (e) {
      if (this.counters.errors === errorsBefore) this.fail(e);
      return { hit: false, token: undefined };
    }
  }

  /** Where a value lives (variants apart from plain keys; a logical key never contains '#'). */
  private valueKey(key: string, variant: string | undefined): string {
    return variant === undefined ? `${this.prefix}v:${key}` : `${this.prefix}vv:${key}#${variant}`;
  }

  private timed<T>(op: Promise<T>): Promise<T> {
    if (this.store === 'memory') return op;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`cache operation timed out after ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    return Promise.race([op, timeout]).finally(() => clearTimeout(timer));
  }

  private genKey(key: string): string {
    return `${this.prefix}gen:${key}`;
  }

  private fail(e: unknown): void {
    this.counters.errors++;
    this.onError(e);
  }
}
