/**
 * Rate limit on commands (global guard, registered after the auth guard so the principal is known,
 * and — being a guard — running before every interceptor, the Idempotency-Key one included): a
 * rejected command never executes and never claims its idempotency key.
 *
 * - Only POST/PUT/PATCH/DELETE count; queries (GET/HEAD) and OPTIONS pass untouched.
 * - One budget per caller across all command routes: the token's `sub` when authenticated, the
 *   client IP on public routes (requests without a valid token never get here: the auth guard
 *   answers 401 first, without touching the database).
 * - At most RATE_LIMIT_COMMANDS commands in any RATE_LIMIT_WINDOW_MS (sliding window).
 * - Over the limit: 429 `{ statusCode, code: 'RATE_LIMITED', message }` with `Retry-After`
 *   (seconds until a slot frees). Counted commands answer `X-RateLimit-Limit`,
 *   `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds).
 */
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../auth/auth.decorators.js';
import { AppError } from '../errors/app-error.js';

export const RATE_LIMITED = 'RATE_LIMITED';
export const COMMAND_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const RATE_LIMIT_STORE = Symbol('RATE_LIMIT_STORE');
export const RATE_LIMIT_SETTINGS = Symbol('RATE_LIMIT_SETTINGS');

export interface RateLimitSettings {
  /** Commands per window per caller (> 0). */
  limit: number;
  windowMs: number;
}

const THROTTLER_NAME = 'commands';

/** The caller a command is counted for. */
export function trackerOf(req: Pick<AuthenticatedRequest, 'principal' | 'ip'>): string {
  if (req.principal) return `principal:${req.principal.sub}`;
  return `ip:${req.ip ?? 'unknown'}`;
}

@Injectable()
export class CommandRateLimitGuard implements CanActivate {
  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: ThrottlerStorage,
    @Inject(RATE_LIMIT_SETTINGS) private readonly settings: RateLimitSettings,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!COMMAND_METHODS.has(req.method)) return true;
    const res = ctx.switchToHttp().getResponse<Response>();
    const { limit, windowMs } = this.settings;
    const key = `${THROTTLER_NAME}:${trackerOf(req)}`;
    const record = await this.store.increment(key, windowMs, limit, 0, THROTTLER_NAME);
    if (record.isBlocked) {
      res.setHeader('Retry-After', String(record.timeToBlockExpire));
      throw new AppError(
        RATE_LIMITED,
        429,
        `Too many commands: at most ${limit} per ${windowMs / 1000} s; retry after ${record.timeToBlockExpire} s`,
      );
    }
    res.setHeader('X-RateLimit-Limit', String(limit));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - record.totalHits)));
    res.setHeader('X-RateLimit-Reset', String(record.timeToExpire));
    return true;
  }
}
