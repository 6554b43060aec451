/**
 * A change stream as the cursor manager's source: a tailable iterator of events (after the user's
 * stages) that reports "nothing more for now" instead of ending, waits for the oplog on awaitData,
 * ends after an invalidate, and decorates every reply with its postBatchResumeToken.
 *
 * postBatchResumeToken: resuming from it yields exactly the events after the batch. While events
 * read from the oplog are still held back (a full batch), that is the token of the batch's last
 * event; otherwise it is the reader's high-water mark, which also covers events the user's
 * $match filtered out.
 */
import type { Document } from '../bson.js';
import { MongoCommandError, ErrorCodes } from '../errors.js';
import type { Oplog } from '../oplog/oplog.js';
import type { ChangeStreamReader } from './change-stream-reader.js';
import { NON_RESUMABLE } from './change-stream-reader.js';
import type { EventTransform } from './event-pipeline.js';
import { comparePositions, encodeToken, isTokenOf, type StreamPosition } from './resume-token.js';

/** Events read from the oplog per refill (whole records: a large transaction may exceed it). */
const READ_CHUNK = 1000;

interface Pending {
  readonly doc: Document;
  readonly position: StreamPosition;
}

function idModified(): MongoCommandError {
  return new MongoCommandError(
    ErrorCodes.ChangeStreamFatalError,
    'Encountered an event whose _id field, which contains the resume token, was modified by the pipeline. Modifying the _id field of an event makes it impossible to resume the stream from that point. Only transformations that retain the unmodified _id field are allowed.',
    {},
    [NON_RESUMABLE],
  );
}

export class ChangeStreamCursor implements AsyncIterableIterator<Document> {
  private buffer: Pending[] = [];
  private readonly handed = new WeakMap<Document, StreamPosition>();
  /** Position of the last event handed to the cursor manager (it may hold one back for the next batch). */
  private lastHanded: StreamPosition | undefined;
  /** Position of the last event put into a reply (or the start). */
  private returned: StreamPosition;
  private closed = false;
  private wakeOnClose: (() => void) | undefined;

  constructor(
    private readonly reader: ChangeStreamReader,
    private readonly oplog: Oplog,
    private readonly transform: EventTransform,
  ) {
    this.returned = reader.position;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Document> {
    return this;
  }

  /** The stream was invalidated and every event up to the invalidate has been handed out. */
  get ended(): boolean {
    return this.closed || (this.reader.invalidated && this.buffer.length === 0);
  }

  next(): Promise<IteratorResult<Document>> {
    if (this.buffer.length === 0 && !this.closed) this.refill();
    const e = this.buffer.shift();
    if (!e) return Promise.resolve({ done: true, value: undefined });
    this.handed.set(e.doc, e.position);
    this.lastHanded = e.position;
    return Promise.resolve({ done: false, value: e.doc });
  }

  return(): Promise<IteratorResult<Document>> {
    this.closed = true;
    this.buffer = [];
    this.wakeOnClose?.();
    return Promise.resolve({ done: true, value: undefined });
  }

  /** awaitData: resolves when the oplog has new visible records, after `ms`, or at close. */
  awaitData(ms: number): Promise<void> {
    if (this.buffer.length > 0 || this.ended || !this.reader.caughtUp) return Promise.resolve();
    const closed = new Promise<void>((resolve) => {
      this.wakeOnClose = resolve;
    });
    return Promise.race([this.oplog.waitForVisible(ms), closed]).finally(() => {
      this.wakeOnClose = undefined;
    });
  }

  /** Adds `postBatchResumeToken` to a cursor reply (`firstBatch` or `nextBatch`). */
  decorate(cursorDoc: Document): void {
    const batch = (cursorDoc.firstBatch ?? cursorDoc.nextBatch) as Document[] | undefined;
    const last = batch && batch.length > 0 ? batch[batch.length - 1] : undefined;
    const lastPosition = last ? this.handed.get(last) : undefined;
    if (lastPosition && comparePositions(lastPosition, this.returned) > 0) this.returned = lastPosition;
    const heldBack =
      this.buffer.length > 0 ||
      (this.lastHanded !== undefined && comparePositions(this.lastHanded, this.returned) > 0);
    let pbrt = this.returned;
    if (!heldBack && comparePositions(this.reader.position, pbrt) > 0) pbrt = this.reader.position;
    cursorDoc.postBatchResumeToken = encodeToken(pbrt);
  }

  /** Reads until some event passes the user's stages, or the reader is at the visible end. */
  private refill(): void {
    while (this.buffer.length === 0) {
      const raw = this.reader.read(READ_CHUNK);
      if (raw.length === 0) return;
      for (const r of raw) {
        const doc = this.transform(r.doc);
        if (doc === undefined) continue;
        if (!isTokenOf(doc._id, r.position)) throw idModified();
        this.buffer.push({ doc, position: r.position });
      }
    }
  }
}
