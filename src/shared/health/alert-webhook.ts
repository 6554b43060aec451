/**
 * Alerts that reach a person: each alert given to `send` is POSTed as JSON to ALERT_WEBHOOK_URL.
 * The body has `text` (what a Slack incoming webhook shows) beside the alert's fields (`status`
 * firing/resolved, `alert`, `instance`, `at`, ...), so Slack and generic JSON webhooks take it as is.
 *
 * Contract: `send` never throws and never waits for the network; alerts are delivered one at a
 * time in the order sent (a "resolved" never overtakes its "firing"). A try that times out
 * (`timeoutMs`), fails to connect or gets 408, 429 or 5xx is retried after a doubling backoff
 * (Retry-After honoured up to `maxBackoffMs`) until `attempts` tries were made; any other 4xx is
 * final. Every failed try and every alert given up is a structured warning (context AlertWebhook),
 * which names the webhook's host only: the URL's path is its credential. At most `maxQueued`
 * alerts wait (the oldest is dropped, with a warning); shutdown abandons the rest.
 */
import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../../config/env.js';
import { APP_CONFIG } from '../config.module.js';

export interface WebhookAlert {
  /** One line for a person (Slack shows it). */
  text: string;
  status: 'firing' | 'resolved';
  /** Stable alert name, e.g. ProjectionLagHigh. */
  alert: string;
  /** The instance that raised it. */
  instance: string;
  /** When the state changed (ISO-8601). */
  at: string;
  [field: string]: unknown;
}

export interface AlertWebhookOptions {
  /** Tries per alert (the first one included). */
  attempts: number;
  /** Time allowed to one try (connect, answer), ms. */
  timeoutMs: number;
  /** Wait before the first retry, doubled for each next one, ms. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Alerts waiting for delivery at most; beyond it the oldest is dropped. */
  maxQueued: number;
  /** For tests. */
  fetch: typeof fetch;
}

export const ALERT_WEBHOOK_OPTIONS = Symbol('ALERT_WEBHOOK_OPTIONS');

export const DEFAULT_ALERT_WEBHOOK_OPTIONS: AlertWebhookOptions = {
  attempts: 4,
  timeoutMs: 5_000,
  backoffMs: 1_000,
  maxBackoffMs: 15_000,
  maxQueued: 100,
  fetch: (...args) => fetch(...args),
};

type Outcome = { ok: true } | { ok: false; retry: boolean; reason: string; retryAfterMs?: number };

@Injectable()
export class AlertWebhook implements OnApplicationShutdown {
  private readonly logger = new Logger('AlertWebhook');
  private readonly url: URL | undefined;
  private readonly options: AlertWebhookOptions;
  private readonly queue: WebhookAlert[] = [];
  private worker: Promise<void> | undefined;
  private closed = false;
  /** Aborts the try in flight and ends a backoff wait (shutdown). */
  private readonly shutdown = new AbortController();

  constructor(
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'alertWebhookUrl'>,
    @Optional() @Inject(ALERT_WEBHOOK_OPTIONS) options?: Partial<AlertWebhookOptions>,
  ) {
    this.url = config.alertWebhookUrl ? new URL(config.alertWebhookUrl) : undefined;
    this.options = { ...DEFAULT_ALERT_WEBHOOK_OPTIONS, ...options };
  }

  get enabled(): boolean {
    return this.url !== undefined;
  }

  /** Queue `alert` for delivery; false when no webhook is configured (or after shutdown). */
  send(alert: WebhookAlert): boolean {
    if (!this.url || this.closed) return false;
    if (this.queue.length >= this.options.maxQueued) {
      const dropped = this.queue.shift();
      this.warn('alert.webhook.dropped', dropped, {
        reason: 'queue full',
        maxQueued: this.options.maxQueued,
      });
    }
    this.queue.push(alert);
    this.worker ??= this.drain().finally(() => (this.worker = undefined));
    return true;
  }

  /** Resolves once every alert sent so far was delivered or given up (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.worker) await this.worker;
  }

  onApplicationShutdown(): void {
    this.closed = true;
    this.queue.length = 0;
    this.shutdown.abort();
  }

  private async drain(): Promise<void> {
    for (let alert = this.queue.shift(); alert && !this.closed; alert = this.queue.shift()) {
      try {
        await this.deliver(this.url as URL, alert);
      } catch (e) {
        // deliver handles its own failures; this only keeps the worker alive whatever happens.
        this.warn('alert.webhook.failed', alert, { reason: errorText(e) });
      }
    }
  }

  private async deliver(url: URL, alert: WebhookAlert): Promise<void> {
    const { attempts } = this.options;
    const body = JSON.stringify(alert);
    for (let attempt = 1; attempt <= attempts && !this.closed; attempt++) {
      const outcome = await this.post(url, body);
      if (outcome.ok) {
        this.logger.log(JSON.stringify({ event: 'alert.webhook.sent', ...describe(alert), attempt }));
        return;
      }
      if (this.closed) return;
      const last = !outcome.retry || attempt === attempts;
      if (last) {
        this.warn('alert.webhook.failed', alert, { target: url.host, attempt, reason: outcome.reason });
        return;
      }
      const backoff = Math.min(this.options.backoffMs * 2 ** (attempt - 1), this.options.maxBackoffMs);
      const waitMs = Math.min(Math.max(backoff, outcome.retryAfterMs ?? 0), this.options.maxBackoffMs);
      this.warn('alert.webhook.retry', alert, { target: url.host, attempt, reason: outcome.reason, waitMs });
      await this.sleep(waitMs);
    }
  }

  /** One try. */
  private async post(url: URL, body: string): Promise<Outcome> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const res = await this.options.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.any([timeout, this.shutdown.signal]),
        redirect: 'error',
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) return { ok: true };
      const retry = res.status === 408 || res.status === 429 || res.status >= 500;
      const retryAfter = Number(res.headers.get('retry-after'));
      return {
        ok: false,
        retry,
        reason: `HTTP ${res.status}`,
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
      };
    } catch (e) {
      const reason = timeout.aborted ? `no answer within ${this.options.timeoutMs} ms` : errorText(e);
      return { ok: false, retry: true, reason };
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.shutdown.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.shutdown.signal.addEventListener('abort', done);
    });
  }

  private warn(event: string, alert: WebhookAlert | undefined, fields: Record<string, unknown>): void {
    this.logger.warn(JSON.stringify({ event, ...(alert ? describe(alert) : {}), ...fields }));
  }
}

/** What a log line says about an alert (not its text). */
function describe(alert: WebhookAlert): Record<string, unknown> {
  const { text: _text, ...fields } = alert;
  return fields;
}

function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
}
