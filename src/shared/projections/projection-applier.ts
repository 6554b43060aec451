/**
 * Applies events to projections for the fast path, the resync path and dead-letter retries: one
 * batch at a time per projection in this process (a serial queue, so a projection never races
 * itself here; across instances `applyBatch` must still be idempotent), bounded retries with
 * backoff; a batch that keeps failing is applied event by event so that only the event that fails
 * becomes a dead letter; and the numbers `status` reports (events/s, last lag).
 */
import type { LoggerService } from '@nestjs/common';
import type { StoredEvent } from '../events/event-registry.js';
import type { FailureStore } from './projection-failures.js';
import { EventOutOfOrderError, applyOne, type Projection, type ProjectionContext } from './projection.js';
import { errorMessage, sleep, withRetry, type RetryPolicy } from './retry.js';

export type DeliverySource = 'fast' | 'resync' | 'retry';

/** Told about every applied event with its commit-to-application lag (the metrics histogram). */
export type AppliedListener = (projection: string, lagMs: number) => void;

export interface ProjectionStats {
  applied: number;
  deadLettered: number;
  lastAppliedAt: Date | null;
  /** ms between the last applied event's occurredAt and its application. */
  lastLagMs: number | null;
  lastEventId: string | null;
  /** Events applied in the last 60 s, per second. */
  eventsPerSecond: number;
}

const RATE_WINDOW_MS = 60_000;
class StatsRecorder {
  applied = 0;
  deadLettered = 0;
  lastAppliedAt: Date | null = null;
  lastLagMs: number | null = null;
  lastEventId: string | null = null;
  private readonly times: number[] = [];

  record(event: StoredEvent, now: number): void {
    this.applied++;
    this.lastAppliedAt = new Date(now);
    // Commit-to-application time: recordedAt (log append), not the business time occurredAt.
    this.lastLagMs = Math.max(0, now - new Date(event.recordedAt ?? event.occurredAt).getTime());
    this.lastEventId = event.eventId;
    this.times.push(now);
    this.trim(now);
  }

  private trim(now: number): void {
    while (this.times.length > 0 && this.times[0]! < now - RATE_WINDOW_MS) this.times.shift();
  }

  snapshot(now: number): ProjectionStats {
    this.trim(now);
    return {
      applied: this.applied,
      deadLettered: this.deadLettered,
      lastAppliedAt: this.lastAppliedAt,
      lastLagMs: this.lastLagMs,
      lastEventId: this.lastEventId,
      eventsPerSecond: Math.round((this.times.length / (RATE_WINDOW_MS / 1000)) * 100) / 100,
    };
  }
}

export interface ApplierDeps {
  failures: FailureStore;
  policy: RetryPolicy;
  logger: LoggerService;
  wait?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class ProjectionApplier {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly stats = new Map<string, StatsRecorder>();
  private readonly appliedListeners: AppliedListener[] = [];
  private readonly wait: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly deps: ApplierDeps) {
    this.wait = deps.wait ?? sleep;
    this.now = deps.now ?? Date.now;
  }

  /**
   * Apply `event` alone (see deliverBatch). Resolves true when applied, false when dead-lettered or
   * (on the fast path) left to the resync path.
   */
  async deliver(
    projection: Projection,
    event: StoredEvent,
    ctx: ProjectionContext,
    source: DeliverySource,
  ): Promise<boolean> {
    const r = await this.deliverBatch(projection, [event], ctx, source);
    return r.deferred.length === 0 && r.deadLettered === 0;
  }

  /**
   * Apply `events` to `projection` as one batch (queued behind its other work in this process).
   * Resolves with
   * the events left unapplied because an earlier event of their aggregate is missing (`deferred`:
   * fast path only; the caller may offer them again later, the resync path delivers them in log
   * order) and the number dead-lettered. Rejects only when a dead letter itself cannot be written
   * (the caller must then not advance its checkpoint).
   */
  deliverBatch(
    projection: Projection,
    events: readonly StoredEvent[],
    ctx: ProjectionContext,
    source: DeliverySource,
  ): Promise<{ deferred: StoredEvent[]; deadLettered: number }> {
    return this.serial(projection.name, async () => {
      // Every event is applied, also one this process applied on its fast path: apply is
      // idempotent, and a fast-path write acknowledged just before a read-database crash may be
      // lost (a skip list of "already applied" events let such a write go missing for good).
      const todo = [...events];
      if (todo.length === 0) return { deferred: [], deadLettered: 0 };
      const outcome = await withRetry(this.deps.policy, () => projection.applyBatch(todo, ctx), this.wait);
      if (outcome.ok) {
        const deferredIds = new Set(outcome.value.deferred.map((e) => e.eventId));
        this.recordAll(
          projection.name,
          todo.filter((e) => !deferredIds.has(e.eventId)),
        );
        if (deferredIds.size === 0) return { deferred: [], deadLettered: 0 };
        if (source === 'fast') return { deferred: [...outcome.value.deferred], deadLettered: 0 };
        // Resync / retry: log order is all there is; the deferred events get their own tries.
        return this.oneByOne(projection, [...outcome.value.deferred], ctx, source);
      }
      this.deps.logger.warn(
        `projection ${projection.name}: a batch of ${todo.length} event(s) failed ${outcome.attempts} times ` +
          `(${source}): ${errorMessage(outcome.error)}; applying its events one by one`,
      );
      return this.oneByOne(projection, todo, ctx, source);
    });
  }

  /** Each event alone with its own retries: the ones that still fail become dead letters. */
  private async oneByOne(
    projection: Projection,
    events: readonly StoredEvent[],
    ctx: ProjectionContext,
    source: DeliverySource,
  ): Promise<{ deferred: StoredEvent[]; deadLettered: number }> {
    const deferred: StoredEvent[] = [];
    let deadLettered = 0;
    for (const event of events) {
      const outcome = await withRetry(this.deps.policy, () => applyOne(projection, event, ctx), this.wait);
      if (outcome.ok) {
        this.recordAll(projection.name, [event]);
        continue;
      }
      const message = errorMessage(outcome.error);
      if (source === 'fast' && outcome.error instanceof EventOutOfOrderError) {
        // Its predecessor is not applied yet: the resync path delivers the aggregate's events in
        // log order and will apply both, so this is no dead letter.
        this.deps.logger.warn(
          `projection ${projection.name}: event ${event.type} ${event.eventId} left to the resync path: ${message}`,
        );
        deferred.push(event);
        continue;
      }
      // Structured, with the event's request id: the batch that carried it served many requests.
      this.deps.logger.error({
        msg:
          `projection ${projection.name}: event ${event.type} ${event.eventId} failed ${outcome.attempts} times ` +
          `(${source}): ${message}; dead-lettered, moving on`,
        reqId: event.correlationId,
      });
      if (source !== 'retry')
        await this.deps.failures.record(projection.name, event, message, outcome.attempts);
      this.statsOf(projection.name).deadLettered++;
      deadLettered++;
    }
    return { deferred, deadLettered };
  }

  private recordAll(name: string, events: readonly StoredEvent[]): void {
    const stats = this.statsOf(name);
    for (const e of events) this.recordApplied(name, stats, e);
  }

  /** Re-apply a dead letter's event once more (with the same retries); the result says if it took. */
  async retryOnce(
    projection: Projection,
    event: StoredEvent,
    ctx: ProjectionContext,
  ): Promise<{ ok: boolean; attempts: number; error?: string }> {
    return this.serial(projection.name, async () => {
      const outcome = await withRetry(this.deps.policy, () => applyOne(projection, event, ctx), this.wait);
      if (outcome.ok) {
        this.recordApplied(projection.name, this.statsOf(projection.name), event);
        return { ok: true, attempts: outcome.attempts };
      }
      return { ok: false, attempts: outcome.attempts, error: errorMessage(outcome.error) };
    });
  }

  /** Calls `listener` after every event this applier applies (live or retried). */
  onApplied(listener: AppliedListener): void {
    this.appliedListeners.push(listener);
  }

  statsFor(name: string): ProjectionStats {
    return this.statsOf(name).snapshot(this.now());
  }

  /** Resolves when everything queued so far for `name` has run. */
  async idle(name: string): Promise<void> {
    await this.queues.get(name)?.catch(() => undefined);
  }

  private recordApplied(name: string, stats: StatsRecorder, event: StoredEvent): void {
    stats.record(event, this.now());
    const lagMs = stats.lastLagMs ?? 0;
    for (const listener of this.appliedListeners) listener(name, lagMs);
  }

  private statsOf(name: string): StatsRecorder {
    let s = this.stats.get(name);
    if (!s) this.stats.set(name, (s = new StatsRecorder()));
    return s;
  }

  private serial<T>(name: string, work: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(name) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(work);
    this.queues.set(name, next);
    return next;
  }
}
