/**
 * The fast path of one projection in this process: events published on the EventBus after their
 * commit are queued here and applied in batches. While one batch is being applied, new events
 * wait; the next batch takes all of them (up to `maxBatch`). So the batch size follows the load by
 * itself: one event when traffic is light (no timer adds latency), hundreds under a burst (the
 * per-batch cost is paid once for all of them).
 *
 * An event the projection defers (its aggregate's earlier event is not applied yet, e.g. a status
 * change published by another instance before this one's placement) is offered again after a
 * short delay, a few times; then it is left to the resync path, which delivers each aggregate's
 * events in log order. Nothing here is durable: a crash loses the queue, and the resync path
 * (checkpointed) applies what it held.
 */
import type { LoggerService } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { StoredEvent } from '../events/event-registry.js';
import type { ProjectionApplier } from './projection-applier.js';
import type { Projection, ProjectionContext } from './projection.js';
import { errorMessage } from './retry.js';

export interface FastPathOptions {
  /** Most events in one batch. */
  readonly maxBatch: number;
  /** How often a deferred event is offered again before it is left to the resync path. */
  readonly deferRetries: number;
  /** Delay before the n-th new offer of a deferred event: n x this. */
  readonly deferDelayMs: number;
}

/**
 * Runs a function outside any request's async context (captured at load, when none is active): the
 * drain loop serves every request's events, so it must not log under the first one's request id.
 */
const outsideRequests = AsyncLocalStorage.snapshot();

interface Item {
  readonly event: StoredEvent;
  readonly attempts: number;
}

export class FastPathQueue {
  private queue: Item[] = [];
  /** Deferred events waiting for their next offer. */
  private readonly waiting = new Set<Item>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private draining: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly projection: Projection,
    private readonly applier: ProjectionApplier,
    private readonly ctx: ProjectionContext,
    private readonly options: FastPathOptions,
    private readonly logger: LoggerService,
  ) {}

  push(event: StoredEvent): void {
    if (this.closed) return;
    this.enqueue({ event, attempts: 0 });
  }

  /** Events queued or waiting here (not applied yet). */
  get pending(): number {
    return this.queue.length + this.waiting.size;
  }

  /** Commit time of the oldest event queued or waiting here, or null when there is none. */
  oldestPending(): Date | null {
    let oldest: number | null = null;
    for (const item of [...this.queue, ...this.waiting]) {
      const t = commitTime(item.event);
      if (oldest === null || t < oldest) oldest = t;
    }
    return oldest === null ? null : new Date(oldest);
  }

  /** Resolves when nothing is queued or being applied (deferred events may still wait). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Stop taking events and drop the deferred ones (the resync path has them). */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.waiting.clear();
    await this.idle();
  }

  private enqueue(item: Item): void {
    this.queue.push(item);
    this.kick();
  }

  /**
   * Starts a drain unless one runs. A drain that ends re-checks the queue: an event pushed after its
   * last look but before it settled would otherwise wait for the next push.
   */
  private kick(): void {
    if (this.draining || this.queue.length === 0) return;
    this.draining = outsideRequests(() => this.drain()).finally(() => {
      this.draining = undefined;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    // Let the publisher finish its synchronous burst (one command's events) before the first batch.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      try {
        const { deferred } = await this.applier.deliverBatch(
          this.projection,
          batch.map((i) => i.event),
          this.ctx,
          'fast',
        );
        const ids = new Set(deferred.map((e) => e.eventId));
        for (const item of batch) if (ids.has(item.event.eventId)) this.offerAgain(item);
      } catch (e) {
        this.logger.error(
          `projection ${this.projection.name}: fast path could not apply or dead-letter ${batch.length} event(s): ` +
            `${errorMessage(e)}; left to the resync path`,
        );
      }
    }
  }

  private offerAgain(item: Item): void {
    if (this.closed) return;
    const attempts = item.attempts + 1;
    if (attempts > this.options.deferRetries) {
      this.logger.warn(
        `projection ${this.projection.name}: event ${item.event.type} ${item.event.eventId} left to the resync path ` +
          `(an earlier event of ${item.event.aggregateId} is not applied yet)`,
      );
      return;
    }
    const next: Item = { event: item.event, attempts };
    this.waiting.add(next);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.waiting.delete(next);
      if (!this.closed) this.enqueue(next);
    }, attempts * this.options.deferDelayMs);
    timer.unref();
    this.timers.add(timer);
  }
}

/** When the event was committed (its log append), falling back to its business time. */
export function commitTime(event: StoredEvent): number {
  return new Date(event.recordedAt ?? event.occurredAt).getTime();
}
