/**
 * Lag monitor: every LAG_MONITOR_INTERVAL_MS (unref'd timer), per projection, one structured
 * warning when its lag (commit → application, ms) goes above PROJECTION_LAG_THRESHOLD_MS, and one
 * log line when it comes back under. Nothing is logged while the state does not change.
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { AppConfig } from '../../config/env.js';
import { APP_CONFIG } from '../config.module.js';
import { ProjectionsService } from '../projections/projections.service.js';
import { currentLagMs } from './projection-health.js';

export const LAG_MONITOR_INTERVAL_MS = 5000;

export interface LagAlert {
  event: 'projection.lag.high' | 'projection.lag.recovered';
  projection: string;
  lagMs: number;
  thresholdMs: number;
  eventsBehind: number;
}

@Injectable()
export class LagMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LagMonitor');
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  /** Projections currently above the threshold. */
  readonly lagging = new Set<string>();

  constructor(
    private readonly projections: ProjectionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.check(), LAG_MONITOR_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One pass; returns the alerts it logged (also used by tests). */
  async check(): Promise<LagAlert[]> {
    if (this.checking) return [];
    this.checking = true;
    const alerts: LagAlert[] = [];
    try {
      const thresholdMs = this.config.projectionLagThresholdMs;
      for (const s of await this.projections.status()) {
        const lagMs = currentLagMs(s);
        const base = { projection: s.name, lagMs, thresholdMs, eventsBehind: s.eventsBehind };
        if (lagMs > thresholdMs && !this.lagging.has(s.name)) {
          this.lagging.add(s.name);
          const alert: LagAlert = { event: 'projection.lag.high', ...base };
          this.logger.warn(JSON.stringify(alert));
          alerts.push(alert);
        } else if (lagMs <= thresholdMs && this.lagging.has(s.name)) {
          this.lagging.delete(s.name);
          const alert: LagAlert = { event: 'projection.lag.recovered', ...base };
          this.logger.log(JSON.stringify(alert));
          alerts.push(alert);
        }
      }
    } catch (e) {
      this.logger.error(`lag check failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.checking = false;
    }
    return alerts;
  }
}
