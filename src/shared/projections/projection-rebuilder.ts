/**
 * Rebuild and verify: replay the whole event log (`domain_events`, the source of truth) through a
 * projection into other collections.
 *
 * Both replay the log in batches of `replayBatchSize` events (one `applyBatch` each), into
 * collections that have only the indexes the projection's own reads use (`usedByApply`); the
 * others are built once at the end, over the finished collections.
 *
 * Rebuild (no downtime): the live collections keep serving and updating while the projection is
 * replayed into shadow collections (`<name>__rebuild`). A change stream is opened before the
 * replay, so everything committed meanwhile is applied to the shadows afterwards (catch-up); then
 * each shadow replaces its live collection with renameCollection + dropTarget (atomic per
 * collection: a query sees the old or the new collection, never an empty or half-built one), and
 * the stream is drained once more into the new live collections, covering events that the fast
 * path wrote into the old ones during the swap. The cache keys the replay reported through
 * `ctx.invalidate` are invalidated right after the swap.
 *
 * Verify: replay into scratch collections (`<name>__verify`) and diff them document by document
 * against the live ones (both read in `_id` order and merged, so memory stays flat), ignoring each
 * collection's `verifyIgnore` fields. 0 differences = in sync.
 * Under concurrent writes a difference can be a race (an event applied to one side only); run it
 * again to confirm.
 */
import type { LoggerService } from '@nestjs/common';
import { EJSON } from 'bson';
import type { ChangeStream, Collection, Db, Document } from 'mongodb';
import type {
  Projection,
  ProjectionContext,
  ProjectionIndex,
  ProjectionMode,
  StoredEvent,
} from './projection.js';
import { withRetry, errorMessage, type RetryPolicy } from './retry.js';
import { isUnresumable, toStoredEvent, type EventLogDoc } from './resync-worker.js';

export const REBUILD_SUFFIX = '__rebuild';
export const VERIFY_SUFFIX = '__verify';

export interface RebuildProgress {
  projection: string;
  phase: 'preparing' | 'replaying' | 'catching-up' | 'indexing' | 'swapping' | 'done' | 'failed';
  total: number;
  processed: number;
  startedAt: Date;
  finishedAt?: Date;
  error?: string;
  /**
   * Times the rebuild's change stream lost its history (its start fell out of the oplog during a
   * long replay: the replay's own writes go through the oplog too) and domain_events was scanned
   * from the replay's start instead.
   */
  rescans?: number;
}

/**
 * Replay order: commit order as the writers saw it. Not `_id`: ObjectIds written by two processes
 * in the same second sort by their random process part, so with several instances (or a restart)
 * an order's cancellation could replay before its placement and the replay fail. `recordedAt` is
 * set once per transaction before its commit, after the command read what it depends on;
 * `aggregateVersion` orders one aggregate's events written within the same millisecond.
 */
export const REPLAY_ORDER = { recordedAt: 1, aggregateVersion: 1, _id: 1 } as const;

export interface Difference {
  collection: string;
  id: string;
  kind: 'missing-in-live' | 'extra-in-live' | 'different';
  live?: Document;
  expected?: Document;
}

/** How far a verify is (reported while it runs). */
export interface VerifyProgress {
  projection: string;
  phase: 'replaying' | 'comparing';
  total: number;
  processed: number;
}

export interface VerifyReport {
  projection: string;
  differences: number;
  /** The first differences (at most 100). */
  samples: Difference[];
  events: number;
  checkedAt: Date;
}

export interface RebuilderDeps {
  readDb: Db;
  eventLog: Collection<EventLogDoc>;
  logger: LoggerService;
  policy: RetryPolicy;
  /** Events per `applyBatch` call of a replay. */
  replayBatchSize: number;
  /**
   * How far before the replay's start a scan after a lost change-stream history begins (writers'
   * clocks and transactions committing after their `recordedAt`; PROJECTION_SCAN_OVERLAP_MS).
   */
  scanOverlapMs: number;
  context(
    projection: Projection,
    mode: ProjectionMode,
    suffix: string,
    collect?: (keys: readonly string[]) => void,
  ): ProjectionContext;
  /** Invalidate query-cache keys (after a swap: the keys the replay touched). */
  invalidate(keys: readonly string[]): Promise<void>;
  /**
   * Aborted at shutdown: a replay stops before its next batch (a rebuild fails before its swap,
   * leaving the live collections as they were; once swapping, it finishes). Its reason is the error.
   */
  signal?: AbortSignal;
}

/** Scans after a lost change-stream history, per catch-up step, before a rebuild gives up. */
const MAX_RESCANS = 5;

export class ProjectionRebuilder {
  constructor(private readonly d: RebuilderDeps) {}

  async rebuild(
    p: Projection,
    onProgress: (p: RebuildProgress) => void = () => undefined,
  ): Promise<RebuildProgress> {
    const progress: RebuildProgress = {
      projection: p.name,
      phase: 'preparing',
      total: 0,
      processed: 0,
      startedAt: new Date(),
    };
    const report = (): void => onProgress({ ...progress });
    report();
    const touched = new Set<string>();
    const shadow = this.d.context(p, 'rebuild', REBUILD_SUFFIX, (keys) => {
      for (const k of keys) touched.add(k);
    });
    const live = this.d.context(p, 'live', '');
    let stream: ChangeStream<EventLogDoc> | undefined;
    const replayStart = new Date();
    // Apply what the stream holds to `ctx`. If the stream lost its history: open a new one, scan
    // the event log from the old stream's opening (less the overlap), drain the new one; again if
    // that one loses its history during the scan (a few times at most).
    let streamOpenedAt = replayStart;
    const catchUp = async (ctx: ProjectionContext): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.drain(p, stream!, ctx, progress);
          return;
        } catch (e) {
          if (!isUnresumable(e) || attempt > MAX_RESCANS) throw e;
          progress.rescans = (progress.rescans ?? 0) + 1;
          this.d.logger.warn(
            `projection ${p.name}: the rebuild's change stream lost its history (${errorMessage(e)}); ` +
              `scanning domain_events from ${streamOpenedAt.toISOString()} instead`,
          );
          await stream!.close().catch(() => undefined);
          const since = new Date(streamOpenedAt.getTime() - this.d.scanOverlapMs);
          streamOpenedAt = new Date();
          const reopened = await this.openStream(p);
          stream = reopened.stream;
          await this.scanSince(p, ctx, since, progress);
          await this.applyOrThrow(p, reopened.pending.map(toStoredEvent), ctx);
        }
      }
    };
    try {
      await this.prepare(p, REBUILD_SUFFIX);
      const opened = await this.openStream(p); // before the replay starts
      stream = opened.stream;
      progress.phase = 'replaying';
      progress.total = await this.d.eventLog.countDocuments({ type: { $in: [...p.handles] } });
      report();
      await this.replay(p, shadow, (n) => {
        progress.processed += n;
        report();
      });
      this.d.signal?.throwIfAborted();
      progress.phase = 'catching-up';
      report();
      await this.applyOrThrow(p, opened.pending.map(toStoredEvent), shadow);
      await catchUp(shadow);
      this.d.signal?.throwIfAborted();
      progress.phase = 'indexing';
      report();
      await this.createIndexes(p, REBUILD_SUFFIX, (i) => !i.usedByApply);
      await catchUp(shadow);
      this.d.signal?.throwIfAborted(); // the last moment to stop: from here on the swap completes
      progress.phase = 'swapping';
      report();
      for (const c of p.collections) {
        await this.d.readDb.renameCollection(c.name + REBUILD_SUFFIX, c.name, { dropTarget: true });
      }
      // The cache may hold values computed from the old collections: drop every key the replay touched.
      await this.d.invalidate([...touched]);
      await catchUp(live);
      progress.phase = 'done';
      progress.finishedAt = new Date();
      this.d.logger.log(`projection ${p.name}: rebuilt from ${progress.processed} events and swapped in`);
    } catch (e) {
      progress.phase = 'failed';
      progress.error = errorMessage(e);
      progress.finishedAt = new Date();
      if (this.d.signal?.aborted)
        this.d.logger.warn(
          `projection ${p.name}: rebuild stopped (${progress.error}); the live collections are unchanged`,
        );
      else this.d.logger.error(`projection ${p.name}: rebuild failed: ${progress.error}`);
      await this.dropAll(p, REBUILD_SUFFIX).catch(() => undefined);
    } finally {
      await stream?.close().catch(() => undefined);
    }
    report();
    return progress;
  }

  async verify(
    p: Projection,
    onProgress: (p: VerifyProgress) => void = () => undefined,
  ): Promise<VerifyReport> {
    const scratch = this.d.context(p, 'verify', VERIFY_SUFFIX);
    await this.prepare(p, VERIFY_SUFFIX);
    const progress: VerifyProgress = { projection: p.name, phase: 'replaying', total: 0, processed: 0 };
    try {
      progress.total = await this.d.eventLog.countDocuments({ type: { $in: [...p.handles] } });
      onProgress({ ...progress });
      await this.replay(p, scratch, (n) => {
        progress.processed += n;
        onProgress({ ...progress });
      });
      const events = progress.processed;
      progress.phase = 'comparing';
      onProgress({ ...progress });
      const samples: Difference[] = [];
      let differences = 0;
      for (const c of p.collections) {
        this.d.signal?.throwIfAborted();
        const diffs = await diffCollections(
          this.d.readDb.collection(c.name),
          this.d.readDb.collection(c.name + VERIFY_SUFFIX),
          c.verifyIgnore ?? [],
        );
        differences += diffs.length;
        for (const d of diffs) if (samples.length < 100) samples.push({ ...d, collection: c.name });
      }
      return { projection: p.name, differences, samples, events, checkedAt: new Date() };
    } finally {
      await this.dropAll(p, VERIFY_SUFFIX).catch(() => undefined);
    }
  }

  private pipeline(p: Projection): Document[] {
    return [{ $match: { operationType: 'insert', 'fullDocument.type': { $in: [...p.handles] } } }];
  }

  /**
   * Apply what the stream holds up to now: stop at an empty batch or at the first event inserted
   * `slackMs` after the drain started (the stream is in commit order, so everything committed
   * before the drain started has been read by then; writers' clocks are assumed within slackMs).
   * Ends under a continuous write load too.
   */
  private async drain(
    p: Projection,
    stream: ChangeStream<EventLogDoc>,
    ctx: ProjectionContext,
    progress: RebuildProgress,
    slackMs = 2_000,
  ): Promise<void> {
    const until = Date.now() + slackMs;
    for (;;) {
      const first = await stream.tryNext();
      if (!first) return;
      const changes = [first];
      while (changes.length < this.d.replayBatchSize && stream.bufferedCount() > 0) {
        const next = await stream.tryNext();
        if (!next) break;
        changes.push(next);
      }
      const docs = changes.flatMap((c) => (c.operationType === 'insert' ? [c.fullDocument] : []));
      await this.applyOrThrow(p, docs.map(toStoredEvent), ctx);
      progress.processed += docs.length;
      if (docs.some((d) => d._id.getTimestamp().getTime() >= until)) return;
    }
  }

  /** A change stream of `p`'s events, open (its first event, if one came at once, in `pending`). */
  private async openStream(
    p: Projection,
  ): Promise<{ stream: ChangeStream<EventLogDoc>; pending: EventLogDoc[] }> {
    const stream = this.d.eventLog.watch<EventLogDoc>(this.pipeline(p), { maxAwaitTimeMS: 200 });
    const first = await stream.tryNext(); // opens the cursor: from here on, commits are in the stream
    return { stream, pending: first && first.operationType === 'insert' ? [first.fullDocument] : [] };
  }

  /**
   * Applies `p`'s events recorded at or after `since` (every event the service writes has
   * `recordedAt`), in replay order, in batches.
   */
  private scanSince(
    p: Projection,
    ctx: ProjectionContext,
    since: Date,
    progress: RebuildProgress,
  ): Promise<void> {
    return this.replay(p, ctx, (n) => (progress.processed += n), { recordedAt: { $gte: since } });
  }

  /**
   * The log of `p`'s event types (all of it, or what `filter` selects), in commit order, in
   * batches; `onBatch(n)` after each. A stop (shutdown) ends it before its next batch.
   */
  private async replay(
    p: Projection,
    ctx: ProjectionContext,
    onBatch: (n: number) => void,
    filter: Document = {},
  ): Promise<void> {
    const size = this.d.replayBatchSize;
    const cursor = this.d.eventLog
      .find({ ...filter, type: { $in: [...p.handles] } }, { batchSize: size })
      .sort(REPLAY_ORDER);
    let batch: StoredEvent[] = [];
    for await (const doc of cursor) {
      batch.push(toStoredEvent(doc));
      if (batch.length < size) continue;
      this.d.signal?.throwIfAborted();
      await this.applyOrThrow(p, batch, ctx);
      onBatch(batch.length);
      batch = [];
    }
    if (batch.length > 0) {
      await this.applyOrThrow(p, batch, ctx);
      onBatch(batch.length);
    }
  }

  private async applyOrThrow(
    p: Projection,
    events: readonly StoredEvent[],
    ctx: ProjectionContext,
  ): Promise<void> {
    if (events.length === 0) return;
    const outcome = await withRetry(this.d.policy, () => p.applyBatch(events, ctx));
    if (!outcome.ok) {
      throw new Error(
        `a batch of ${events.length} event(s) from ${events[0]!.eventId} failed ${outcome.attempts} times: ` +
          errorMessage(outcome.error),
      );
    }
    const [deferred] = outcome.value.deferred;
    if (deferred) {
      // A replay is in commit order: an aggregate's earlier event is always applied first.
      throw new Error(
        `event ${deferred.type} ${deferred.eventId} could not be applied in log order (an earlier event of ` +
          `${deferred.aggregateId} is missing from the log)`,
      );
    }
  }

  /** Fresh collections for a replay, with only the indexes the projection's own reads use. */
  private async prepare(p: Projection, suffix: string): Promise<void> {
    await this.dropAll(p, suffix);
    for (const c of p.collections) await this.d.readDb.createCollection(c.name + suffix);
    await this.createIndexes(p, suffix, (i) => i.usedByApply === true);
  }

  private async createIndexes(
    p: Projection,
    suffix: string,
    which: (i: ProjectionIndex) => boolean,
  ): Promise<void> {
    for (const c of p.collections) {
      const indexes = c.indexes.filter(which);
      if (indexes.length === 0) continue;
      await this.d.readDb
        .collection(c.name + suffix)
        .createIndexes(indexes.map((i) => ({ ...(i.options ?? {}), key: i.key as Document })));
    }
  }

  private async dropAll(p: Projection, suffix: string): Promise<void> {
    const existing = new Set(
      (await this.d.readDb.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name),
    );
    for (const c of p.collections) {
      if (existing.has(c.name + suffix)) await this.d.readDb.dropCollection(c.name + suffix);
    }
  }
}

/**
 * Document-by-document difference of two collections (by _id), ignoring the given field paths. Both
 * are read in `_id` order and merged, so memory does not grow with the collections.
 */
export async function diffCollections(
  live: Collection,
  expected: Collection,
  ignore: readonly string[],
): Promise<Omit<Difference, 'collection'>[]> {
  const out: Omit<Difference, 'collection'>[] = [];
  const a = live.find({}).sort({ _id: 1 })[Symbol.asyncIterator]();
  const b = expected.find({}).sort({ _id: 1 })[Symbol.asyncIterator]();
  let l = await a.next();
  let e = await b.next();
  while (!l.done || !e.done) {
    const order = l.done ? 1 : e.done ? -1 : compareIds(l.value._id, e.value._id);
    if (order < 0 && !l.done) {
      out.push({ id: idKey(l.value._id), kind: 'extra-in-live', live: l.value });
      l = await a.next();
    } else if (order > 0 && !e.done) {
      out.push({ id: idKey(e.value._id), kind: 'missing-in-live', expected: e.value });
      e = await b.next();
    } else if (!l.done && !e.done) {
      if (canonical(l.value, ignore) !== canonical(e.value, ignore)) {
        out.push({ id: idKey(l.value._id), kind: 'different', live: l.value, expected: e.value });
      }
      l = await a.next();
      e = await b.next();
    }
  }
  return out;
}

/** The server's `_id` order for the id types read models use (strings, numbers, ObjectIds). */
function compareIds(x: unknown, y: unknown): number {
  const rank = (v: unknown): number => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : 2);
  const [rx, ry] = [rank(x), rank(y)];
  if (rx !== ry) return rx - ry;
  const [sx, sy] = rx === 2 ? [idKey(x), idKey(y)] : [x as string | number, y as string | number];
  if (rx === 1) return Buffer.compare(Buffer.from(sx as string), Buffer.from(sy as string));
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

function idKey(id: unknown): string {
  return EJSON.stringify({ id }, { relaxed: false });
}

/** Canonical EJSON with sorted keys and the ignored paths removed. */
export function canonical(doc: Document, ignore: readonly string[]): string {
  const plain = EJSON.serialize(doc, { relaxed: false }) as Document;
  for (const path of ignore) removePath(plain, path.split('.'));
  return JSON.stringify(sortKeys(plain));
}

function removePath(obj: Document, parts: string[]): void {
  const [head, ...rest] = parts;
  if (head === undefined || obj === null || typeof obj !== 'object') return;
  if (rest.length === 0) {
    delete obj[head];
    return;
  }
  const child: unknown = obj[head];
  if (Array.isArray(child)) {
    for (const c of child) if (c && typeof c === 'object') removePath(c as Document, rest);
  } else if (child && typeof child === 'object') removePath(child as Document, rest);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, sortKeys(o[k])]),
    );
  }
  return v;
}
