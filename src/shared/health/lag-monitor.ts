/**
 * Lag monitor: every LAG_MONITOR_INTERVAL_MS (unref'd timer), per projection, one structured
 * warning when its lag (commit → application, ms) goes above PROJECTION_LAG_THRESHOLD_MS, and one
 * log line when it comes back under. Nothing is logged while the state does not change. With
 * ALERT_WEBHOOK_URL, each of those state changes is also one webhook alert (ProjectionLagHigh,
 * firing / resolved; AlertWebhook delivers it in the background: a check never waits for it).
 * Each instance judges and alerts on its own (the alert names the instance).
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
import { ProjectionRuntime } from '../projections/projection-runtime.js';
import { ProjectionsService } from '../projections/projections.service.js';
import { AlertWebhook, type WebhookAlert } from './alert-webhook.js';
import { currentLagMs } from './projection-health.js';

export const LAG_MONITOR_INTERVAL_MS = 5000;

export interface LagAlert {
  event: 'projection.lag.high' | 'projection.lag.recovered';
  projection: string;
  lagMs: number;
  thresholdMs: number;
  eventsBehind: number;
}

/** The webhook alert name (as the Prometheus rule in ops/prometheus/alerts.yml). */
export const LAG_ALERT_NAME = 'ProjectionLagHigh';

const duration = (ms: number): string =>
  ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/** The webhook body of a lag state change seen by `instance` at `at`. */
export function lagWebhookAlert(alert: LagAlert, instance: string, at: Date): WebhookAlert {
  const firing = alert.event === 'projection.lag.high';
  const { projection, lagMs, thresholdMs, eventsBehind } = alert;
  const text = firing
    ? `[FIRING] ${LAG_ALERT_NAME}: projection ${projection} is ${duration(lagMs)} behind (threshold ${duration(thresholdMs)}, ${eventsBehind} events waiting) on ${instance}`
    : `[RESOLVED] ${LAG_ALERT_NAME}: projection ${projection} is back under the threshold (lag ${duration(lagMs)}, threshold ${duration(thresholdMs)}) on ${instance}`;
  return {
    text,
    status: firing ? 'firing' : 'resolved',
    alert: LAG_ALERT_NAME,
    projection,
    lagMs,
    thresholdMs,
    eventsBehind,
    instance,
    at: at.toISOString(),
  };
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
    private readonly runtime: ProjectionRuntime,
    private readonly webhook: AlertWebhook,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.check(), LAG_MONITOR_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One pass; returns the alerts it logged and handed to the webhook (also used by tests). */
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
          this.notify(alert);
          alerts.push(alert);
        } else if (lagMs <= thresholdMs && this.lagging.has(s.name)) {
          this.lagging.delete(s.name);
          const alert: LagAlert = { event: 'projection.lag.recovered', ...base };
          this.logger.log(JSON.stringify(alert));
          this.notify(alert);
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

  private notify(alert: LagAlert): void {
    this.webhook.send(lagWebhookAlert(alert, this.runtime.options.instanceId, new Date()));
  }
}
