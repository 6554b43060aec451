/**
 * In-process rate-limit counters: a sliding window log per key (the expiry time of every counted
 * hit), so at most `limit` hits fall in any `ttl` ms and a slot frees exactly when its hit is
 * `ttl` old. Implements @nestjs/throttler's `ThrottlerStorage` contract (seconds in the record),
 * so a shared store (e.g. Redis) can replace it without touching the guard. A rejected hit is not
 * counted; `blockDuration` is not used (no penalty beyond the window).
 *
 * Per process: with N instances a caller gets N × the limit. Idle keys are swept every minute.
 */
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const SWEEP_EVERY_MS = 60_000;

@Injectable()
export class SlidingWindowStore implements ThrottlerStorage, OnApplicationShutdown {
  /** key -> expiry times (ms) of the counted hits, oldest first. */
  private readonly hits = new Map<string, number[]>();
  private sweeper?: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {}

  increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const now = this.now();
    this.ensureSweeper();
    const live = (this.hits.get(key) ?? []).filter((expiresAt) => expiresAt > now);
    const isBlocked = live.length >= limit;
    if (!isBlocked) live.push(now + ttl);
    this.hits.set(key, live);
    const secondsUntil = (t: number): number => Math.max(1, Math.ceil((t - now) / 1000));
    return Promise.resolve({
      totalHits: live.length + (isBlocked ? 1 : 0),
      // When the oldest counted hit leaves the window (a slot frees).
      timeToExpire: secondsUntil(live[0]),
      isBlocked,
      timeToBlockExpire: isBlocked ? secondsUntil(live[0]) : 0,
    });
  }

  /** Keys currently tracked (for tests and diagnostics). */
  get size(): number {
    return this.hits.size;
  }

  /** Drops keys whose hits have all expired. */
  sweep(): void {
    const now = this.now();
    for (const [key, hits] of this.hits) if (hits[hits.length - 1] <= now) this.hits.delete(key);
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.hits.clear();
  }

  private ensureSweeper(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }
}
