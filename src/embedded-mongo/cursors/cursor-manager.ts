/**
 * Server-side cursors: registered by find/aggregate/listCollections/listIndexes, advanced by
 * getMore, closed by killCursors, exhaustion, session end, or the idle timeout (10 minutes by
 * default, like mongod's cursorTimeoutMillis; a periodic reaper closes cursors idle for longer,
 * except those opened with noCursorTimeout, and counts them in metrics.cursor.timedOut). A cursor
 * pulls from its source lazily, one batch at a time, so a large result never sits whole in memory
 * (a find sorted in memory holds references to its matches, not copies).
 *
 * At most `maxOpenCursors` stay open: registering one more closes the least recently used cursors
 * that are not in use (noCursorTimeout ones included), counted as timed out, so a client opening
 * cursors faster than the timeout reaps them cannot grow memory without bound. The registry is
 * kept in least-recently-used order (a getMore moves its cursor to the end).
 */
import { Long } from 'bson';
import type { Document } from '../bson.js';
import { bsonSize } from '../bson.js';
import { mongoError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Batches stop growing past this many bytes (mongod: 16 MiB per reply). */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 16 * 1024;

export interface CursorOptions {
  ns: string;
  /** Stringified lsid of the owning session, when the command ran in one. */
  sessionKey?: string;
  /** Cursor is removed only by killCursors/timeout, never by exhaustion (tailable change streams). */
  tailable?: boolean;
  /** For cursors that need to decorate each reply (change streams' postBatchResumeToken). */
  decorateReply?: (cursorDoc: Document) => void;
  /** Called when the cursor is closed for any reason. */
  onClose?: () => void;
  /**
   * getMore on tailable awaitData cursors: resolves when new data may be there, or after at most
   * the given milliseconds. getMore keeps waiting (until its maxTimeMS) while the source still
   * yields nothing, so the source may resolve early (e.g. on any commit).
   */
  awaitData?: (maxTimeMS: number) => Promise<void>;
  /** Tailable cursors: true once the source will never yield again (a change stream after invalidate). */
  ended?: () => boolean;
  /** May add error labels to an error raised while getMore runs (change streams' resumability). */
  decorateError?: (error: unknown) => void;
  /** The limit of a find: the cursor closes once this many documents were returned. */
  limit?: number;
  /** find's noCursorTimeout: the idle reaper leaves this cursor alone (session end still closes it). */
  noTimeout?: boolean;
}

/** serverStatus metrics.cursor, as mongod reports it. */
export interface CursorMetrics {
  /** Cursors closed by the idle reaper since startup. */
  readonly timedOut: number;
  /** Cursors registered (left open after their first batch) since startup. */
  readonly totalOpened: number;
  readonly open: { readonly total: number; readonly noTimeout: number; readonly pinned: number };
}

export interface CursorManagerOptions {
  /** Idle cursors are closed after this long (mongod's cursorTimeoutMillis); default 10 minutes. */
  readonly idleTimeoutMs?: number;
  /** Reaper period; default idleTimeoutMs / 4 clamped to [250 ms, 4 s] (mongod: clientCursorMonitorFrequencySecs 4). */
  readonly reapIntervalMs?: number;
  /** Open cursors at most; default DEFAULT_MAX_OPEN_CURSORS. */
  readonly maxOpenCursors?: number;
  /** Receives one line per reaper pass that closed cursors, and one per eviction burst. */
  readonly logger?: Logger;
}

/**
 * Default cap on open cursors. A plain find cursor costs a few KiB, so 100,000 of them stay within
 * a few hundred MB; no legitimate client of this service holds more than a handful.
 */
export const DEFAULT_MAX_OPEN_CURSORS = 100_000;

/** Evictions are logged at most this often. */
const EVICTION_LOG_INTERVAL_MS = 10_000;

export interface ServerCursor {
  readonly id: Long;
  readonly options: CursorOptions;
  lastUsed: number;
  returned: number;
  exhausted: boolean;
  pending: Document | undefined;
  readonly source: AsyncIterator<Document>;
  /** True while a getMore runs: a second concurrent getMore gets CursorInUse-like errors. */
  busy: boolean;
}

function toAsyncIterator(src: AsyncIterable<Document> | Iterable<Document>): AsyncIterator<Document> {
  if (Symbol.asyncIterator in src) return (src as AsyncIterable<Document>)[Symbol.asyncIterator]();
  const it = (src as Iterable<Document>)[Symbol.iterator]();
  return {
    next: () => Promise.resolve(it.next()),
    return: (v?: unknown) =>
      Promise.resolve(it.return ? it.return(v) : { done: true as const, value: undefined }),
  };
}

export class CursorManager {
  private readonly cursors = new Map<string, ServerCursor>();
  private nextId = BigInt(Math.floor(Math.random() * 2 ** 40)) + 1n;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly idleTimeoutMs: number;
  private readonly logger: Logger | undefined;
  private readonly maxOpenCursors: number;
  private timedOut = 0;
  private totalOpened = 0;
  private evictedSinceLog = 0;
  private lastEvictionLog = 0;

  constructor(options: CursorManagerOptions = {}) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 10 * 60 * 1000;
    this.logger = options.logger;
    this.maxOpenCursors = options.maxOpenCursors ?? DEFAULT_MAX_OPEN_CURSORS;
    const period = options.reapIntervalMs ?? Math.min(4000, Math.max(250, this.idleTimeoutMs / 4));
    this.sweeper = setInterval(() => this.sweep(), period);
    this.sweeper.unref();
  }

  get openCount(): number {
    return this.cursors.size;
  }

  metrics(): CursorMetrics {
    let noTimeout = 0;
    let pinned = 0;
    for (const c of this.cursors.values()) {
      if (c.options.noTimeout) noTimeout++;
      if (c.busy) pinned++;
    }
    return {
      timedOut: this.timedOut,
      totalOpened: this.totalOpened,
      open: { total: this.cursors.size, noTimeout, pinned },
    };
  }

  /**
   * Takes the first batch from `source`; registers a cursor only if more may follow.
   * Returns the MongoDB cursor reply document `{id, ns, firstBatch}`.
   */
  async open(
    source: AsyncIterable<Document> | Iterable<Document>,
    options: CursorOptions,
    batchSize: number | undefined,
    singleBatch = false,
  ): Promise<Document> {
    const cursor: ServerCursor = {
      id: Long.fromBigInt(this.nextId++),
      options,
      lastUsed: Date.now(),
      returned: 0,
      exhausted: false,
      pending: undefined,
      source: toAsyncIterator(source),
      busy: false,
    };
    // batchSize 0 (find, aggregate): an empty first batch and an open cursor, as mongod.
    const batch = batchSize === 0 ? [] : await this.fill(cursor, batchSize ?? 101);
    const keepOpen = !singleBatch && (options.tailable ? !this.ended(cursor) : !cursor.exhausted);
    if (keepOpen) {
      await this.evictOverCap();
      this.cursors.set(cursor.id.toString(), cursor);
      this.totalOpened++;
    } else await this.close(cursor);
    const reply: Document = { id: keepOpen ? cursor.id : Long.ZERO, ns: options.ns, firstBatch: batch };
    options.decorateReply?.(reply);
    return reply;
  }

  async getMore(
    id: Long,
    ns: string,
    batchSize: number | undefined,
    maxTimeMS: number | undefined,
  ): Promise<Document> {
    const cursor = this.cursors.get(id.toString());
    if (!cursor) throw mongoError('CursorNotFound', `cursor id ${id.toString()} not found`);
    if (cursor.options.ns !== ns) {
      throw mongoError(
        'Unauthorized',
        `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.options.ns}`,
      );
    }
    if (cursor.busy) throw mongoError('OperationFailed', `cursor id ${id.toString()} is already in use`);
    cursor.busy = true;
    // Most recently used last: eviction over the cap takes cursors from the front.
    this.cursors.delete(id.toString());
    this.cursors.set(id.toString(), cursor);
    try {
      cursor.lastUsed = Date.now();
      let batch = await this.fill(cursor, batchSize ?? 0);
      const awaitData = cursor.options.tailable ? cursor.options.awaitData : undefined;
      if (awaitData) {
        const deadline = Date.now() + (maxTimeMS ?? 1000);
        while (batch.length === 0 && !cursor.exhausted && !this.ended(cursor)) {
          const remaining = deadline - Date.now();
          if (remaining <= 0) break;
          await awaitData(remaining);
          batch = await this.fill(cursor, batchSize ?? 0);
        }
      }
      const done = cursor.options.tailable ? this.ended(cursor) : cursor.exhausted;
      if (done) {
        this.cursors.delete(id.toString());
        await this.close(cursor);
      }
      cursor.lastUsed = Date.now();
      const reply: Document = { id: done ? Long.ZERO : cursor.id, ns, nextBatch: batch };
      cursor.options.decorateReply?.(reply);
      return reply;
    } catch (e) {
      cursor.options.decorateError?.(e);
      throw e;
    } finally {
      cursor.busy = false;
    }
  }

  /** killCursors: returns which ids were killed and which were not found. */
  async kill(ids: Long[]): Promise<{ killed: Long[]; notFound: Long[] }> {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) {
      const c = this.cursors.get(id.toString());
      if (!c) {
        notFound.push(id);
        continue;
      }
      this.cursors.delete(id.toString());
      await this.close(c);
      killed.push(id);
    }
    return { killed, notFound };
  }

  async killSession(sessionKey: string): Promise<void> {
    for (const [key, c] of this.cursors) {
      if (c.options.sessionKey === sessionKey) {
        this.cursors.delete(key);
        await this.close(c);
      }
    }
  }

  async killAll(): Promise<void> {
    const all = [...this.cursors.values()];
    this.cursors.clear();
    await Promise.all(all.map((c) => this.close(c)));
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** A tailable cursor is over once its source says so and nothing is held back. */
  private ended(cursor: ServerCursor): boolean {
    return cursor.pending === undefined && (cursor.options.ended?.() ?? false);
  }

  private async fill(cursor: ServerCursor, batchSize: number): Promise<Document[]> {
    const out: Document[] = [];
    let bytes = 0;
    const limit = cursor.options.limit;
    while (!cursor.exhausted) {
      if (batchSize > 0 && out.length >= batchSize) break;
      if (limit !== undefined && limit > 0 && cursor.returned >= limit) {
        cursor.exhausted = true;
        break;
      }
      let doc = cursor.pending;
      cursor.pending = undefined;
      if (!doc) {
        const r = await cursor.source.next();
        if (r.done) {
          if (!cursor.options.tailable) cursor.exhausted = true;
          break;
        }
        doc = r.value;
      }
      // The document as an element of the reply's batch array: type byte + its index as the
      // element name (decimal digits) + NUL. With many small documents this overhead is far
      // above the 16 KiB slack, and the reply would exceed the 16 MiB + 16 KiB wire limit.
      const size = bsonSize(doc) + 2 + String(out.length).length;
      if (out.length > 0 && bytes + size > MAX_BATCH_BYTES) {
        cursor.pending = doc;
        break;
      }
      bytes += size;
      out.push(doc);
      cursor.returned++;
    }
    if (!cursor.exhausted && limit !== undefined && limit > 0 && cursor.returned >= limit)
      cursor.exhausted = true;
    return out;
  }

  private async close(c: ServerCursor): Promise<void> {
    try {
      await c.source.return?.();
    } catch {
      // A source failing to close must not break killCursors.
    }
    c.options.onClose?.();
  }

  /** Makes room for one more cursor under the cap by closing the least recently used idle ones. */
  private async evictOverCap(): Promise<void> {
    if (this.cursors.size < this.maxOpenCursors) return;
    const victims: ServerCursor[] = [];
    for (const [key, c] of this.cursors) {
      if (this.cursors.size < this.maxOpenCursors) break;
      if (c.busy) continue;
      this.cursors.delete(key);
      victims.push(c);
    }
    if (victims.length === 0) return;
    this.timedOut += victims.length;
    this.evictedSinceLog += victims.length;
    const now = Date.now();
    if (now - this.lastEvictionLog >= EVICTION_LOG_INTERVAL_MS) {
      this.logger?.warn('too many open cursors: closed the least recently used', {
        closed: this.evictedSinceLog,
        maxOpenCursors: this.maxOpenCursors,
      });
      this.lastEvictionLog = now;
      this.evictedSinceLog = 0;
    }
    await Promise.all(victims.map((c) => this.close(c)));
  }

  /** The idle reaper: closes every cursor unused for longer than the timeout (not while in use). */
  sweep(now = Date.now()): number {
    let reaped = 0;
    for (const [key, c] of this.cursors) {
      if (!c.busy && !c.options.noTimeout && now - c.lastUsed > this.idleTimeoutMs) {
        this.cursors.delete(key);
        void this.close(c);
        reaped++;
      }
    }
    if (reaped > 0) {
      this.timedOut += reaped;
      this.logger?.info('idle cursors timed out', {
        count: reaped,
        cursorTimeoutMillis: this.idleTimeoutMs,
        open: this.cursors.size,
      });
    }
    return reaped;
  }
}
