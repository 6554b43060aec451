/**
 * Reads one stream's events out of the oplog, strictly after a start position, in position order,
 * from visible (durable) records only. It remembers how far it has scanned, so that a reply's
 * postBatchResumeToken can say "everything up to here" even when nothing matched.
 *
 * History: a start position whose records were truncated away fails with ChangeStreamHistoryLost
 * (286); so does a reader that falls behind truncation while open. A resume token naming an
 * event this oplog never held fails with ChangeStreamFatalError (280), as mongod's "resume token
 * was not found".
 */
import { compareTimestamps } from '../catalog/clock.js';
import { MongoCommandError, ErrorCodes } from '../errors.js';
import type { Oplog } from '../oplog/oplog.js';
import { eventOf, invalidateEvent, type EventContext, type RawEvent } from './change-events.js';
import { comparePositions, encodeToken, highWaterMark, type StreamPosition } from './resume-token.js';

export const NON_RESUMABLE = 'NonResumableChangeStreamError';

export function historyLost(): MongoCommandError {
  return new MongoCommandError(
    ErrorCodes.ChangeStreamHistoryLost,
    'Resume of change stream was not possible, as the resume point may no longer be in the oplog.',
    {},
    [NON_RESUMABLE],
  );
}

function tokenNotFound(p: StreamPosition): MongoCommandError {
  return new MongoCommandError(
    ErrorCodes.ChangeStreamFatalError,
    `cannot resume stream; the resume token was not found. ${JSON.stringify(encodeToken(p))}`,
    {},
    [NON_RESUMABLE],
  );
}

/** Checks that the oplog still holds everything after `start` (and the event a token names). */
export function checkResumable(oplog: Oplog, start: StreamPosition): void {
  const c = compareTimestamps(start.ts, oplog.truncatedThrough);
  if (start.kind === 'hwm' ? c < 0 : c <= 0) throw historyLost();
  if (start.kind === 'hwm') return;
  const record = oplog.at(oplog.seqAfter(start.ts, true));
  if (!record || compareTimestamps(record._id, start.ts) !== 0 || start.opIndex >= record.ops.length) {
    throw tokenNotFound(start);
  }
}

export class ChangeStreamReader {
  private nextSeq: number;
  private scanned: StreamPosition;
  private done = false;

  constructor(
    private readonly oplog: Oplog,
    private readonly ctx: EventContext,
    private readonly start: StreamPosition,
  ) {
    this.nextSeq = oplog.seqAfter(start.ts, start.kind === 'event');
    this.scanned = start;
  }

  /** True once the stream was invalidated (its invalidate event has been read). */
  get invalidated(): boolean {
    return this.done;
  }

  /** True when every visible record has been read (or the stream was invalidated). */
  get caughtUp(): boolean {
    return this.done || this.nextSeq >= this.oplog.visibleEndSeq;
  }

  /** Everything up to this position has been read (a high-water mark, or the invalidate). */
  get position(): StreamPosition {
    return this.scanned;
  }

  /** Reads whole records until at least `limit` events were produced or the visible end. */
  read(limit: number): RawEvent[] {
    const out: RawEvent[] = [];
    const oplog = this.oplog;
    while (!this.done && out.length < limit) {
      if (this.nextSeq < oplog.startSeq) throw historyLost();
      if (this.nextSeq >= oplog.visibleEndSeq) {
        this.advanceTo(highWaterMark(oplog.durableTs));
        break;
      }
      const record = oplog.at(this.nextSeq);
      if (!record) break;
      for (let i = 0; i < record.ops.length && !this.done; i++) {
        const { event, invalidates } = eventOf(record, i, this.ctx);
        if (event && comparePositions(event.position, this.start) > 0) out.push(event);
        if (!invalidates) continue;
        const inv = invalidateEvent(record, i);
        if (comparePositions(inv.position, this.start) <= 0) continue;
        out.push(inv);
        this.done = true;
        this.scanned = inv.position;
      }
      this.nextSeq++;
      if (!this.done) this.advanceTo(highWaterMark(record._id));
    }
    return out;
  }

  private advanceTo(p: StreamPosition): void {
    if (comparePositions(p, this.scanned) > 0) this.scanned = p;
  }
}
