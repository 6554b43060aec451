/**
 * Rebuild and verify: replay the whole event log (`domain_events`, the source of truth) through a
 * projection into other collections.
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
 * against the live ones, ignoring each collection's `verifyIgnore` fields. 0 differences = in sync.
 * Under concurrent writes a difference can be a race (an event applied to one side only); run it
 * again to confirm.
 */
import type { LoggerService } from '@nestjs/common';
import { EJSON } from 'bson';
import type { ChangeStream, Collection, Db, Document } from 'mongodb';
import type { Projection, ProjectionContext, ProjectionMode } from './projection.js';
import { withRetry, errorMessage, type RetryPolicy } from './retry.js';
import { toStoredEvent, type EventLogDoc } from './resync-worker.js';

export const REBUILD_SUFFIX = '__rebuild';
export const VERIFY_SUFFIX = '__verify';

export interface RebuildProgress {
  projection: string;
  phase: 'preparing' | 'replaying' | 'catching-up' | 'swapping' | 'done' | 'failed';
  total: number;
  processed: number;
  startedAt: Date;
  finishedAt?: Date;
  error?: string;
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
  context(
    projection: Projection,
    mode: ProjectionMode,
    suffix: string,
    collect?: (keys: readonly string[]) => void,
  ): ProjectionContext;
  /** Invalidate query-cache keys (after a swap: the keys the replay touched). */
  invalidate(keys: readonly string[]): Promise<void>;
}

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
    try {
      await this.prepare(p, REBUILD_SUFFIX);
      stream = this.d.eventLog.watch<EventLogDoc>(this.pipeline(p), { maxAwaitTimeMS: 200 });
      const pending: EventLogDoc[] = [];
      const first = await stream.tryNext(); // opens the stream before the replay starts
      if (first && first.operationType === 'insert') pending.push(first.fullDocument);
      progress.phase = 'replaying';
      progress.total = await this.d.eventLog.countDocuments({ type: { $in: [...p.handles] } });
      report();
      for await (const doc of this.d.eventLog.find({ type: { $in: [...p.handles] } }).sort(REPLAY_ORDER)) {
        await this.applyOrThrow(p, doc, shadow);
        progress.processed++;
        if (progress.processed % 100 === 0) report();
      }
      progress.phase = 'catching-up';
      report();
      for (const doc of pending) await this.applyOrThrow(p, doc, shadow);
      await this.drain(p, stream, shadow, progress);
      progress.phase = 'swapping';
      report();
      for (const c of p.collections) {
        await this.d.readDb.renameCollection(c.name + REBUILD_SUFFIX, c.name, { dropTarget: true });
      }
      // The cache may hold values computed from the old collections: drop every key the replay touched.
      await this.d.invalidate([...touched]);
      await this.drain(p, stream, live, progress);
      progress.phase = 'done';
      progress.finishedAt = new Date();
      this.d.logger.log(`projection ${p.name}: rebuilt from ${progress.processed} events and swapped in`);
    } catch (e) {
      progress.phase = 'failed';
      progress.error = errorMessage(e);
      progress.finishedAt = new Date();
      this.d.logger.error(`projection ${p.name}: rebuild failed: ${progress.error}`);
      await this.dropAll(p, REBUILD_SUFFIX).catch(() => undefined);
    } finally {
      await stream?.close().catch(() => undefined);
    }
    report();
    return progress;
  }

  async verify(p: Projection): Promise<VerifyReport> {
    const scratch = this.d.context(p, 'verify', VERIFY_SUFFIX);
    await this.prepare(p, VERIFY_SUFFIX);
    let events = 0;
    try {
      for await (const doc of this.d.eventLog.find({ type: { $in: [...p.handles] } }).sort(REPLAY_ORDER)) {
        await this.applyOrThrow(p, doc, scratch);
        events++;
      }
      const samples: Difference[] = [];
      let differences = 0;
      for (const c of p.collections) {
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
      const change = await stream.tryNext();
      if (!change) return;
      if (change.operationType !== 'insert') continue;
      await this.applyOrThrow(p, change.fullDocument, ctx);
      progress.processed++;
      if (change.fullDocument._id.getTimestamp().getTime() >= until) return;
    }
  }

  private async applyOrThrow(p: Projection, doc: EventLogDoc, ctx: ProjectionContext): Promise<void> {
    const event = toStoredEvent(doc);
    const outcome = await withRetry(this.d.policy, () => p.apply(event, ctx));
    if (!outcome.ok) {
      throw new Error(
        `event ${event.type} ${event.eventId} failed ${outcome.attempts} times: ${errorMessage(outcome.error)}`,
      );
    }
  }

  private async prepare(p: Projection, suffix: string): Promise<void> {
    await this.dropAll(p, suffix);
    for (const c of p.collections) {
      const name = c.name + suffix;
      await this.d.readDb.createCollection(name);
      if (c.indexes.length > 0) {
        await this.d.readDb
          .collection(name)
          .createIndexes(c.indexes.map((i) => ({ ...(i.options ?? {}), key: i.key as Document })));
      }
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

/** Document-by-document difference of two collections (by _id), ignoring the given field paths. */
export async function diffCollections(
  live: Collection,
  expected: Collection,
  ignore: readonly string[],
): Promise<Omit<Difference, 'collection'>[]> {
  const a = new Map<string, Document>();
  for await (const d of live.find({})) a.set(idKey(d._id), d);
  const out: Omit<Difference, 'collection'>[] = [];
  const seen = new Set<string>();
  for await (const e of expected.find({})) {
    const id = idKey(e._id);
    seen.add(id);
    const l = a.get(id);
    if (!l) out.push({ id, kind: 'missing-in-live', expected: e });
    else if (canonical(l, ignore) !== canonical(e, ignore))
      out.push({ id, kind: 'different', live: l, expected: e });
  }
  for (const [id, l] of a) if (!seen.has(id)) out.push({ id, kind: 'extra-in-live', live: l });
  return out;
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
