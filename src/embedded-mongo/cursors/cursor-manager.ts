/**
 * Server-side cursors: registered by find/aggregate/listCollections/listIndexes, advanced by
 * getMore, closed by killCursors, exhaustion, session end, or the idle timeout (10 minutes by
 * default, like mongod's cursorTimeoutMillis). A cursor pulls from its source lazily, one batch
 * at a time, so a large result never sits whole in memory.
 */
import { Long } from 'bson';
import type { Document } from '../bson.js';
import { bsonSize } from '../bson.js';
import { mongoError } from '../errors.js';

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
}

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

  constructor(private readonly idleTimeoutMs = 10 * 60 * 1000) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, Math.max(1000, idleTimeoutMs / 4)));
    this.sweeper.unref();
  }

  get openCount(): number {
    return this.cursors.size;
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
    const batch = await this.fill(cursor, batchSize ?? 101);
    const keepOpen = !singleBatch && (options.tailable ? !this.ended(cursor) : !cursor.exhausted);
    if (keepOpen) this.cursors.set(cursor.id.toString(), cursor);
    else await this.close(cursor);
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
      const size = bsonSize(doc);
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

  private sweep(): void {
    const now = Date.now();
    for (const [key, c] of this.cursors) {
      if (!c.busy && now - c.lastUsed > this.idleTimeoutMs) {
        this.cursors.delete(key);
        void this.close(c);
      }
    }
  }
}
