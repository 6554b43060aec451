/**
 * Rate-limit counters shared by every instance, in Redis (used when REDIS_URL is set): the same
 * sliding window log as sliding-window.store.ts, one sorted set per key (a member per counted hit,
 * scored by its time), updated by one Lua script so that check-and-count is atomic across
 * instances, on Redis's clock (no skew between instances). Keys expire with their window.
 *
 * Fails open: when Redis cannot answer within `timeoutMs` (down, unreachable, slow) the command is
 * let through and a warning is logged (at most once per 30 s): the rate limit protects the
 * service, it must not take commands down with Redis. Commands are not queued while disconnected.
 */
import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createClient, type RedisClientType } from '@keyv/redis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { randomBytes } from 'node:crypto';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** KEYS[1] key; ARGV window ms, limit, member. Returns { hits, blocked (0|1), ms until a slot frees }. */
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local hits = redis.call('ZCARD', KEYS[1])
local blocked = 0
if hits >= tonumber(ARGV[2]) then
  blocked = 1
else
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  hits = hits + 1
  redis.call('PEXPIRE', KEYS[1], window)
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = window
if oldest[2] then wait = tonumber(oldest[2]) + window - now end
return { hits, blocked, wait }
`;

const WARN_EVERY_MS = 30_000;

export interface RedisWindowStoreOptions {
  url: string;
  /** Prefix of every key (separates applications or test runs sharing one Redis). */
  prefix: string;
  /** Longest wait for Redis per command before failing open. */
  timeoutMs?: number;
}

export class RedisWindowStore implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly client: RedisClientType;
  private readonly timeoutMs: number;
  private lastWarnAt = 0;
  /** Commands let through because Redis did not answer (fail open), since start. */
  failedOpen = 0;

  constructor(private readonly options: RedisWindowStoreOptions) {
    this.timeoutMs = options.timeoutMs ?? 250;
    this.client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 2000,
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5000),
      },
    }) as RedisClientType;
    this.client.on('error', (e: unknown) =>
      this.warn(`redis: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  onModuleInit(): void {
    // Not awaited: the service starts (failing open) while Redis is unreachable.
    this.client.connect().catch((e: unknown) => this.warn(`redis connect: ${String(e)}`));
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const member = `${Date.now()}-${randomBytes(6).toString('hex')}`;
    let timer: NodeJS.Timeout | undefined;
    try {
      const reply = await Promise.race([
        this.client.eval(SLIDING_WINDOW, {
          keys: [`${this.options.prefix}${key}`],
          arguments: [String(ttl), String(limit), member],
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${this.timeoutMs} ms`)),
            this.timeoutMs,
          );
        }),
      ]);
      const [hits, blocked, waitMs] = (reply as unknown[]).map(Number);
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      return {
        totalHits: hits + blocked,
        timeToExpire: seconds,
        isBlocked: blocked === 1,
        timeToBlockExpire: blocked === 1 ? seconds : 0,
      };
    } catch (e) {
      this.failedOpen++;
      this.warn(
        `rate limit not checked (command let through): ${e instanceof Error ? e.message : String(e)}`,
      );
      return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // A client still (re)connecting would wait for Redis to close gracefully: just drop it.
    if (this.client.isReady) await this.client.close().catch(() => undefined);
    else if (this.client.isOpen) this.client.destroy();
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.logger.warn(message);
  }
}
