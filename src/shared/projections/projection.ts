/**
 * The projection contract: what a read model gives the projection runtime, and what the runtime
 * gives it back. Read-model modules implement `Projection` and register it with
 * `ProjectionRegistry.register(projection)` (e.g. in their `onModuleInit`); the runtime then feeds
 * it every event of the types it `handles`, from three sources:
 *
 * - the fast path (events published on the EventBus after commit),
 * - the resync path (a change stream on `domain_events`, or a scan of it after history loss),
 * - rebuild / verify (a replay of the whole `domain_events` log into shadow or scratch collections).
 *
 * Events arrive in batches (`applyBatch`): the fast path hands over everything published since the
 * previous batch finished, the resync path one change-stream batch, rebuild/verify thousands of
 * log entries at a time. A batch is applied with one read per collection of the documents it
 * involves, an in-memory evolve, and one bulk write per collection (see batch-save.ts).
 *
 * So the same event may arrive twice, late, or interleaved with events of other aggregates (in one
 * batch or across batches, processes and instances), and `applyBatch` must be idempotent and
 * order-safe across aggregates (per-document version guards, exact bookkeeping instead of blind
 * `$inc`). The invariant the runtime checks with `verify`: the live collections equal what a replay
 * of the log produces.
 *
 * A projection only touches collections it declares in `collections`, and only through
 * `ctx.collection(name)` (never a hard-coded name): during a rebuild the same logical name maps to
 * a shadow collection, which is later swapped in with renameCollection.
 */
import type { LoggerService } from '@nestjs/common';
import type {
  ClientSession,
  Collection,
  CreateIndexesOptions,
  Db,
  Document,
  IndexSpecification,
} from 'mongodb';
import type { StoredEvent } from '../events/event-registry.js';

export type { StoredEvent } from '../events/event-registry.js';

/** One index of a read-model collection, created on the live, shadow and scratch collections. */
export interface ProjectionIndex {
  readonly key: IndexSpecification;
  readonly options?: CreateIndexesOptions;
  /**
   * The projection's own reads need it (fan-out lookups, top-N queries). A rebuild creates these on
   * its shadow collections before the replay and every other index after it (building an index
   * once over the finished collection is cheaper than maintaining it on every write).
   */
  readonly usedByApply?: boolean;
}

/** A collection owned by a projection (a read model or a helper collection that keeps it exact). */
export interface ProjectionCollection {
  /** The live (logical) name in the read db, e.g. 'orders_read'. */
  readonly name: string;
  readonly indexes: readonly ProjectionIndex[];
  /**
   * Top-level or dotted field paths that legitimately differ between a live document and a
   * replayed one (e.g. 'lastSyncedFrom.syncedAt', a wall-clock time of application). `verify`
   * ignores them; everything else must be equal.
   */
  readonly verifyIgnore?: readonly string[];
}

/** Where an `apply` call comes from. */
export type ProjectionMode = 'live' | 'rebuild' | 'verify';

/** What the runtime hands to `apply`. */
export interface ProjectionContext {
  /** The read database (READ_CONNECTION, db app_read). Prefer `collection()` for owned data. */
  readonly db: Db;
  /** 'live' for the fast and resync paths; 'rebuild'/'verify' when replaying into other collections. */
  readonly mode: ProjectionMode;
  /** The physical collection for a logical name this projection owns (live, shadow or scratch). */
  collection<T extends Document = Document>(name: string): Collection<T>;
  /** The physical name for a logical name (same mapping as `collection`). */
  collectionName(name: string): string;
  /** Optional session, when the runtime applies inside a read-db transaction. Pass it on if set. */
  readonly session?: ClientSession;
  readonly logger: LoggerService;
  /**
   * Tell the query-side cache which keys this change affects (single items and lists). A no-op
   * until the cache is plugged in (`ProjectionRegistry.setInvalidator`). During a rebuild the keys
   * are collected and invalidated once the rebuilt collections are swapped in; verify replays
   * ignore them (the live collections do not change).
   */
  invalidate(keys: readonly string[]): Promise<void>;
}

export interface Projection {
  /** Stable name, e.g. 'orders_read'; key of checkpoints, leases and dead letters. */
  readonly name: string;
  /** Event type names it consumes ('orders.order-placed', ...); other events are never passed. */
  readonly handles: readonly string[];
  /** Collections it owns, with their indexes (created by the runtime at start and for rebuilds). */
  readonly collections: readonly ProjectionCollection[];
  /**
   * Apply a batch of events (in log order as far as the source knows it; duplicates possible) to
   * the read db, idempotently. Events that cannot be applied before another one that is not there
   * yet (a status change whose placement is not projected) come back in `deferred`; everything
   * else is applied when the promise resolves. A thrown error means nothing can be assumed about
   * the batch: the runtime retries it, then applies its events one by one to dead-letter the one
   * that fails.
   */
  applyBatch(events: readonly StoredEvent[], ctx: ProjectionContext): Promise<BatchOutcome>;
}

export interface BatchOutcome {
  /** Events left unapplied because an earlier event of their aggregate is missing. */
  readonly deferred: readonly StoredEvent[];
}

export const APPLIED_ALL: BatchOutcome = Object.freeze({ deferred: [] });

/** Apply one event (dead-letter retries, tests): a deferred event is an EventOutOfOrderError. */
export async function applyOne(p: Projection, event: StoredEvent, ctx: ProjectionContext): Promise<void> {
  const { deferred } = await p.applyBatch([event], ctx);
  if (deferred.length > 0) {
    throw new EventOutOfOrderError(
      `${event.type} v${event.aggregateVersion} of ${event.aggregateId} cannot be applied before an earlier event of its aggregate`,
    );
  }
}

/** Called with the keys a projection invalidated (the cache engineer plugs the cache in here). */
export type CacheInvalidator = (keys: readonly string[]) => Promise<void>;

/**
 * Thrown by `applyOne` for an event that cannot be applied before an earlier one of its aggregate
 * (e.g. a cancellation whose placement is not projected yet). The runtime retries it; on the fast
 * path, if it still cannot be applied, it is left to the resync path (which delivers the
 * aggregate's events in log order) instead of becoming a dead letter.
 */
export class EventOutOfOrderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventOutOfOrderError';
  }
}

/**
 * `applyBatch` for a projection that applies one event at a time (test doubles, tiny read models):
 * each event in turn; an EventOutOfOrderError defers that event, any other error fails the batch.
 */
export async function applyEach(
  events: readonly StoredEvent[],
  ctx: ProjectionContext,
  apply: (event: StoredEvent, ctx: ProjectionContext) => Promise<void>,
): Promise<BatchOutcome> {
  const deferred: StoredEvent[] = [];
  for (const e of events) {
    try {
      await apply(e, ctx);
    } catch (err) {
      if (!(err instanceof EventOutOfOrderError)) throw err;
      deferred.push(e);
    }
  }
  return { deferred };
}
