/**
 * The resync path of one projection: a change stream on `domain_events` (write db) resumed from the
 * projection's checkpoint, applying the events of the types it handles in batches (what the stream
 * has buffered, up to the batch size; the fast path may already have applied them: `applyBatch` is
 * idempotent) and checkpointing once after each batch. When there is no token
 * (first start, or a catch-up was interrupted) or the stream cannot resume (ChangeStreamHistoryLost
 * and friends, or an invalidate), it opens a new stream first, then scans `domain_events` from the
 * last applied position (see scanStartFilter), then consumes the stream: no gap, since every event
 * committed after the stream opened is in the stream and every earlier one is in the scan.
 *
 * Runs only while this instance holds the projection's lease; `stop()` ends it.
 *
 * Read-model writes are w:1, not journaled: a crash of the read database can lose the last ones it
 * acknowledged (and, journal order being the write order, every checkpoint written after them). The
 * driver resumes a change stream by itself after a network error, from its in-memory token, which
 * may be past those lost writes. So when the read database's server becomes unreachable the runtime
 * calls `restartFromCheckpoint()`: the worker stops applying and saving, and starts again from the
 * checkpoint the database still has (replaying is harmless: `apply` is idempotent).
 */
import type { LoggerService } from '@nestjs/common';
import type { ChangeStream, ChangeStreamDocument, Collection, Document, ObjectId } from 'mongodb';
import type { StoredEvent } from '../events/event-registry.js';
import type { ProjectionApplier } from './projection-applier.js';
import { scanStartFilter, type Checkpoint, type CheckpointStore } from './projection-checkpoints.js';
import type { Projection, ProjectionContext } from './projection.js';
import { backoffDelay, errorMessage } from './retry.js';

/** Server errors after which a resume token is useless and only a scan can close the gap. */
export const UNRESUMABLE_CODES: ReadonlySet<number> = new Set([
  136, // CappedPositionLost
  260, // InvalidResumeToken
  280, // ChangeStreamFatalError
  286, // ChangeStreamHistoryLost
]);

export function isUnresumable(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'number' && UNRESUMABLE_CODES.has(code);
}

export interface EventLogDoc extends StoredEvent {
  _id: ObjectId;
}

export interface ResyncDeps {
  projection: Projection;
  applier: ProjectionApplier;
  checkpoints: CheckpointStore;
  eventLog: Collection<EventLogDoc>;
  ctx: ProjectionContext;
  logger: LoggerService;
  scanOverlapMs: number;
  maxAwaitTimeMs: number;
  /** How often a quiet stream saves its post-batch resume token (keeps the token inside the oplog window). */
  idleCheckpointMs: number;
  /** Most events applied in one batch. */
  batchSize: number;
}

export function toStoredEvent(d: EventLogDoc): StoredEvent {
  return {
    eventId: d.eventId,
    type: d.type,
    aggregateType: d.aggregateType,
    aggregateId: d.aggregateId,
    aggregateVersion: d.aggregateVersion,
    occurredAt: d.occurredAt,
    ...(d.recordedAt ? { recordedAt: d.recordedAt } : {}),
    correlationId: d.correlationId,
    payload: d.payload,
  };
}

export class ResyncWorker {
  private stopped = false;
  /** Set when the read database was unreachable: nothing after it is applied or saved. */
  private restarting = false;
  /** Restarts from the durable checkpoint (counted for status and tests). */
  restarts = 0;
  private stream: ChangeStream<EventLogDoc> | undefined;
  private runPromise: Promise<void> | undefined;
  /** Ends the backoff pause after a failure early (stop). */
  private wake: (() => void) | undefined;
  /** Catch-up scans done (history loss, first start); for status and tests. */
  scans = 0;
  state: 'starting' | 'scanning' | 'streaming' | 'stopped' | 'error' = 'starting';

  constructor(private readonly d: ResyncDeps) {}

  start(): void {
    this.runPromise ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.stream?.close().catch(() => undefined);
    await this.runPromise;
    this.state = 'stopped';
  }

  /** The read database was unreachable: drop the in-memory position, restart from the checkpoint. */
  restartFromCheckpoint(): void {
    if (this.stopped || this.restarting) return;
    this.restarting = true;
    this.restarts++;
    this.d.logger.warn(
      `projection ${this.name}: read database was unreachable; resuming from the durable checkpoint`,
    );
    void this.stream?.close().catch(() => undefined);
  }

  /** Stop consuming: stopped, or a restart from the checkpoint was requested. */
  private get interrupted(): boolean {
    return this.stopped || this.restarting;
  }

  private get name(): string {
    return this.d.projection.name;
  }

  private pipeline(): Document[] {
    return [
      {
        $match: {
          $or: [
            { operationType: 'insert', 'fullDocument.type': { $in: [...this.d.projection.handles] } },
            { operationType: 'invalidate' },
          ],
        },
      },
    ];
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let cp: Checkpoint | null = null;
      this.restarting = false;
      try {
        cp = await this.d.checkpoints.get(this.name);
        if (cp?.resumeToken) {
          const stream = this.d.eventLog.watch<EventLogDoc>(this.pipeline(), {
            startAfter: cp.resumeToken,
            maxAwaitTimeMS: this.d.maxAwaitTimeMs,
          });
          this.stream = stream;
          this.state = 'streaming';
          await this.consume(stream, cp, null);
        } else {
          await this.catchUpThenStream(cp);
        }
        failures = 0;
      } catch (e) {
        if (this.stopped) break;
        if (this.restarting) continue;
        if (isUnresumable(e)) {
          this.d.logger.warn(
            `projection ${this.name}: change stream cannot resume (${errorMessage(e)}); ` +
              `catching up by scanning domain_events from the last applied event, then streaming again`,
          );
          if (cp) await this.d.checkpoints.save({ ...cp, resumeToken: null, updatedAt: new Date() });
          continue;
        }
        failures++;
        this.state = 'error';
        const delay = backoffDelay(
          { attempts: 0, baseDelayMs: 200, factor: 2, maxDelayMs: 10_000 },
          failures,
        );
        this.d.logger.error(
          `projection ${this.name}: resync stream failed: ${errorMessage(e)}; retrying in ${delay} ms`,
        );
        await this.pause(delay);
      } finally {
        await this.stream?.close().catch(() => undefined);
        this.stream = undefined;
      }
    }
    this.state = 'stopped';
  }

  /** Waits `ms`, or less when the worker is stopped meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** Open the stream first, scan what came before it, then consume it. */
  private async catchUpThenStream(cp: Checkpoint | null): Promise<void> {
    const stream = this.d.eventLog.watch<EventLogDoc>(this.pipeline(), {
      maxAwaitTimeMS: this.d.maxAwaitTimeMs,
    });
    this.stream = stream;
    const first = await stream.tryNext(); // opens the cursor: from here on, commits are in the stream
    this.state = 'scanning';
    this.scans++;
    const from = scanStartFilter(cp, this.d.scanOverlapMs);
    this.d.logger.log(
      `projection ${this.name}: catch-up scan of domain_events ${cp?.lastObjectId ? `from ${cp.lastObjectId.toHexString()}` : 'from the beginning'}`,
    );
    let last: Checkpoint = cp ?? emptyCheckpoint(this.name);
    let count = 0;
    const cursor = this.d.eventLog
      .find({ ...from, type: { $in: [...this.d.projection.handles] } }, { batchSize: this.d.batchSize })
      .sort({ _id: 1 });
    let batch: EventLogDoc[] = [];
    const flush = async (): Promise<boolean> => {
      if (batch.length === 0) return true;
      await this.d.applier.deliverBatch(this.d.projection, batch.map(toStoredEvent), this.d.ctx, 'resync');
      // The read server was lost: the apply may have been lost too, so no checkpoint past it. A
      // stop (shutdown) comes after a complete apply: its checkpoint is saved.
      if (this.restarting) return false;
      count += batch.length;
      for (const doc of batch) last = positionAfter(last, doc, null);
      batch = [];
      await this.d.checkpoints.save(last);
      return true;
    };
    for await (const doc of cursor) {
      if (this.interrupted) return;
      batch.push(doc);
      if (batch.length >= this.d.batchSize && !(await flush())) return;
    }
    if (this.interrupted || !(await flush())) return;
    // The scan is complete: from now on the stream's token is a safe place to resume.
    const token = first ? null : (stream.resumeToken ?? null);
    last = { ...last, resumeToken: token as Document | null, updatedAt: new Date() };
    await this.d.checkpoints.save(last);
    this.d.logger.log(`projection ${this.name}: catch-up scan applied ${count} events; streaming`);
    this.state = 'streaming';
    await this.consume(stream, last, first);
  }

  /** The next changes: waits for one (up to maxAwaitTimeMS), then takes what is already buffered. */
  private async nextBatch(
    stream: ChangeStream<EventLogDoc>,
    pending: ChangeStreamDocument<EventLogDoc> | null,
  ): Promise<ChangeStreamDocument<EventLogDoc>[]> {
    const first = pending ?? (await stream.tryNext());
    if (!first) return [];
    const out = [first];
    while (out.length < this.d.batchSize && stream.bufferedCount() > 0 && !this.interrupted) {
      const next = await stream.tryNext();
      if (!next) break;
      out.push(next);
    }
    return out;
  }

  private async consume(
    stream: ChangeStream<EventLogDoc>,
    start: Checkpoint,
    pending: ChangeStreamDocument<EventLogDoc> | null,
  ): Promise<void> {
    let last = start;
    let lastSave = Date.now();
    let next = pending;
    while (!this.interrupted) {
      const changes = await this.nextBatch(stream, next);
      next = null;
      if (this.interrupted) return;
      if (changes.length === 0) {
        const token = stream.resumeToken as Document | null;
        if (token && !this.interrupted && Date.now() - lastSave >= this.d.idleCheckpointMs) {
          last = { ...last, resumeToken: token, updatedAt: new Date() };
          await this.d.checkpoints.save(last);
          lastSave = Date.now();
        }
        if (stream.closed) return;
        continue;
      }
      // Everything before an invalidate is applied and checkpointed; the invalidate ends the stream.
      const cut = changes.findIndex((c) => c.operationType === 'invalidate');
      const usable = cut < 0 ? changes : changes.slice(0, cut);
      const inserts = usable.flatMap((c) => (c.operationType === 'insert' ? [c] : []));
      const events = inserts
        .map((c) => c.fullDocument)
        .filter((doc) => this.d.projection.handles.includes(doc.type))
        .map(toStoredEvent);
      if (events.length > 0)
        await this.d.applier.deliverBatch(this.d.projection, events, this.d.ctx, 'resync');
      if (this.restarting) return; // the apply may have been lost: do not checkpoint past it (a stop may)
      const lastChange = usable[usable.length - 1];
      if (lastChange) {
        for (const c of inserts) last = positionAfter(last, c.fullDocument, null);
        last = { ...last, resumeToken: lastChange._id as Document, updatedAt: new Date() };
        await this.d.checkpoints.save(last);
        lastSave = Date.now();
      }
      if (cut >= 0) {
        this.d.logger.warn(`projection ${this.name}: change stream invalidated; catching up by scanning`);
        await this.d.checkpoints.save({ ...last, resumeToken: null, updatedAt: new Date() });
        return;
      }
    }
  }
}

function emptyCheckpoint(projection: string): Checkpoint {
  return {
    projection,
    resumeToken: null,
    lastObjectId: null,
    lastEventId: null,
    lastOccurredAt: null,
    updatedAt: new Date(),
  };
}

/** The checkpoint after applying `doc` (the scan position never moves backwards). */
export function positionAfter(prev: Checkpoint, doc: EventLogDoc, token: Document | null): Checkpoint {
  const forward = !prev.lastObjectId || doc._id.toHexString() > prev.lastObjectId.toHexString();
  return {
    projection: prev.projection,
    resumeToken: token,
    lastObjectId: forward ? doc._id : prev.lastObjectId,
    lastEventId: doc.eventId,
    lastOccurredAt: doc.occurredAt,
    updatedAt: new Date(),
  };
}
