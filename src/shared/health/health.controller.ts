/**
 * GET /health       readiness (public): writeDb, readDb, redis (only with REDIS_URL), projections
 *                   (every projection running), projectionLag (every lag <= PROJECTION_LAG_THRESHOLD_MS),
 *                   jwks (only with JWT_JWKS_URL; see jwks-health.ts).
 *                   503 with the failing check `down` otherwise.
 * GET /health/live  liveness (public): the process answers and its event loop turns; no db calls.
 */
import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  MongooseHealthIndicator,
} from '@nestjs/terminus';
import type { HealthCheckResult, HealthIndicatorFunction, HealthIndicatorResult } from '@nestjs/terminus';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { AppConfig } from '../../config/env.js';
import { Public } from '../auth/auth.decorators.js';
import { TokenVerifier } from '../auth/token-verifier.js';
import { APP_CONFIG } from '../config.module.js';
import { READ_CONNECTION, WRITE_CONNECTION } from '../persistence/connections.js';
import { ProjectionRuntime } from '../projections/projection-runtime.js';
import { ProjectionsService } from '../projections/projections.service.js';
import { jwksHealth } from './jwks-health.js';
import { currentLagMs, isRunning } from './projection-health.js';
import { redisPing } from './redis-ping.js';

/** Liveness fails when a setImmediate callback waits longer than this (a blocked event loop). */
const EVENT_LOOP_LIMIT_MS = 1000;

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mongo: MongooseHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly projections: ProjectionsService,
    private readonly runtime: ProjectionRuntime,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectConnection(WRITE_CONNECTION) private readonly write: Connection,
    @InjectConnection(READ_CONNECTION) private readonly read: Connection,
    private readonly tokens: TokenVerifier,
  ) {}

  @ApiOperation({
    summary: 'Readiness: databases, Redis (when configured), projections running, projection lag',
  })
  @ApiResponse({ status: 503, description: 'A check is down; it is named under `error`' })
  @Get()
  @HealthCheck()
  async check(@Res() res: Response): Promise<void> {
    await this.respond(res, () => this.readiness());
  }

  @ApiOperation({ summary: 'Liveness: the process answers and its event loop turns (no database calls)' })
  @ApiResponse({ status: 503, description: 'The event loop is blocked' })
  @Get('live')
  @HealthCheck()
  async live(@Res() res: Response): Promise<void> {
    await this.respond(res, () => this.health.check([() => this.eventLoop()]));
  }

  /**
   * Terminus' own body ({status, info, error, details}) with 200 or 503: the application's error
   * filter would turn the 503 into the generic error shape and lose the named checks.
   */
  private async respond(res: Response, run: () => Promise<HealthCheckResult>): Promise<void> {
    try {
      res.status(200).json(await run());
    } catch (e) {
      if (!(e instanceof ServiceUnavailableException)) throw e;
      res.status(503).json(e.getResponse());
    }
  }

  private readiness(): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [
      () => this.mongo.pingCheck('writeDb', { connection: this.write, timeout: 1500 }),
      () => this.mongo.pingCheck('readDb', { connection: this.read, timeout: 1500 }),
    ];
    const redisUrl = this.config.redisUrl;
    if (redisUrl) checks.push(() => this.redis(redisUrl));
    const jwks = this.tokens.jwks;
    if (jwks) checks.push(() => jwksHealth(this.indicators, jwks));
    // One status read for both projection checks.
    const statuses = this.projections.status();
    statuses.catch(() => undefined);
    checks.push(
      () => this.projectionsRunning(statuses),
      () => this.projectionLag(statuses),
    );
    return this.health.check(checks);
  }

  private async redis(url: string): Promise<HealthIndicatorResult> {
    const session = this.indicators.check('redis');
    try {
      await redisPing(url, 1500);
      return session.up();
    } catch (e) {
      return session.down({ message: e instanceof Error ? e.message : String(e) });
    }
  }

  private async projectionsRunning(
    statuses: ReturnType<ProjectionsService['status']>,
  ): Promise<HealthIndicatorResult> {
    const session = this.indicators.check('projections');
    const resync = this.runtime.options.resync;
    const all = await statuses;
    const state = Object.fromEntries(
      all.map((s) => [
        s.name,
        isRunning(s, resync) ? (s.resync.running ? s.resync.state : 'standby') : 'stopped',
      ]),
    );
    const stopped = all.filter((s) => !isRunning(s, resync)).map((s) => s.name);
    return stopped.length === 0
      ? session.up({ projections: state })
      : session.down({ projections: state, stopped });
  }

  private async projectionLag(
    statuses: ReturnType<ProjectionsService['status']>,
  ): Promise<HealthIndicatorResult> {
    const session = this.indicators.check('projectionLag');
    const thresholdMs = this.config.projectionLagThresholdMs;
    const lagMs = Object.fromEntries((await statuses).map((s) => [s.name, currentLagMs(s)]));
    const behind = Object.entries(lagMs)
      .filter(([, ms]) => ms > thresholdMs)
      .map(([name]) => name);
    return behind.length === 0
      ? session.up({ thresholdMs, lagMs })
      : session.down({ thresholdMs, lagMs, behind });
  }

  private async eventLoop(): Promise<HealthIndicatorResult> {
    const session = this.indicators.check('eventLoop');
    const start = performance.now();
    await new Promise<void>((resolve) => setImmediate(resolve));
    const delayMs = Math.round((performance.now() - start) * 100) / 100;
    const uptimeSeconds = Math.round(process.uptime());
    return delayMs <= EVENT_LOOP_LIMIT_MS
      ? session.up({ delayMs, uptimeSeconds })
      : session.down({ delayMs, uptimeSeconds });
  }
}
