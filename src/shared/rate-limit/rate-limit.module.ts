/**
 * Command rate limiting (command-rate-limit.guard.ts): RATE_LIMIT_COMMANDS per caller per
 * RATE_LIMIT_WINDOW_MS; RATE_LIMIT_COMMANDS=0 registers nothing. The counters are shared by all
 * instances in Redis when REDIS_URL is set (redis-window.store.ts), else kept in this process
 * (sliding-window.store.ts: with N instances a caller may then send N × the limit).
 *
 * The guard and the store are ours, on @nestjs/throttler's `ThrottlerStorage` contract, rather
 * than @nestjs/throttler's ThrottlerGuard: that package is CommonJS and requires @nestjs/common,
 * which is ESM-only since Nest 12; Node ≥ 20.19 loads it, but jest (our e2e runner) cannot on
 * Node < 24.9, so the guard could not be tested.
 */
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { AppConfig } from '../../config/env.js';
import {
  CommandRateLimitGuard,
  RATE_LIMIT_SETTINGS,
  RATE_LIMIT_STORE,
  type RateLimitSettings,
} from './command-rate-limit.guard.js';
import { RedisWindowStore } from './redis-window.store.js';
import { SlidingWindowStore } from './sliding-window.store.js';

@Module({})
export class RateLimitModule {
  static forRoot(
    config: Pick<AppConfig, 'rateLimitCommands' | 'rateLimitWindowMs' | 'redisUrl' | 'readDbName'>,
  ): DynamicModule {
    if (config.rateLimitCommands === 0) return { module: RateLimitModule };
    const settings: RateLimitSettings = {
      limit: config.rateLimitCommands,
      windowMs: config.rateLimitWindowMs,
    };
    return {
      module: RateLimitModule,
      providers: [
        { provide: RATE_LIMIT_SETTINGS, useValue: settings },
        {
          provide: RATE_LIMIT_STORE,
          useFactory: () =>
            config.redisUrl
              ? new RedisWindowStore({ url: config.redisUrl, prefix: redisPrefix(config) })
              : new SlidingWindowStore(),
        },
        { provide: APP_GUARD, useClass: CommandRateLimitGuard },
      ],
    };
  }
}

/** Instances of one deployment (the same read database name) share their counters. */
function redisPrefix(config: Pick<AppConfig, 'readDbName'>): string {
  return `cqrs:${config.readDbName}:rate:`;
}
