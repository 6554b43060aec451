/**
 * Resume tokens: `{_data: '<hex>'}` like mongod's, opaque to clients but decodable and ordered
 * here. A token names a POSITION in the stream of events:
 *
 *   event position (ts, opIndex, fromInvalidate)  the event of operation `opIndex` of the oplog
 *                                                 record committed at `ts` (its invalidate, when
 *                                                 fromInvalidate)
 *   high-water mark (ts)                          after every event committed at or before `ts`
 *
 * Layout (16 bytes, upper-case hex so that string order is position order):
 *   0x82 | ts.t u32 | ts.i u32 | 0x01 (format) | type (0x01 event, 0x7f high-water mark)
 *        | opIndex u32 | fromInvalidate u8
 * The leading 0x82 + Timestamp matches mongod's tokens, so tools that read the clusterTime out of
 * a token keep working.
 */
import { Timestamp, type Document } from '../bson.js';
import { compareTimestamps } from '../catalog/clock.js';
import { MongoCommandError, ErrorCodes } from '../errors.js';

export interface StreamPosition {
  readonly ts: Timestamp;
  readonly kind: 'event' | 'hwm';
  readonly opIndex: number;
  readonly fromInvalidate: boolean;
}

const MARKER = 0x82;
const FORMAT = 0x01;
const EVENT = 0x01;
const HWM = 0x7f;
const BYTES = 16;

export function eventPosition(ts: Timestamp, opIndex: number, fromInvalidate = false): StreamPosition {
  return { ts, kind: 'event', opIndex, fromInvalidate };
}

export function highWaterMark(ts: Timestamp): StreamPosition {
  return { ts, kind: 'hwm', opIndex: 0, fromInvalidate: false };
}

/** The position just before the first event at `ts` (startAtOperationTime). */
export function beforeTimestamp(ts: Timestamp): StreamPosition {
  if (ts.i > 0) return highWaterMark(new Timestamp({ t: ts.t, i: ts.i - 1 }));
  if (ts.t > 0) return highWaterMark(new Timestamp({ t: ts.t - 1, i: 0xffffffff }));
  return highWaterMark(ts);
}

export function comparePositions(a: StreamPosition, b: StreamPosition): number {
  const c = compareTimestamps(a.ts, b.ts);
  if (c !== 0) return c;
  if (a.kind !== b.kind) return a.kind === 'event' ? -1 : 1;
  if (a.opIndex !== b.opIndex) return a.opIndex < b.opIndex ? -1 : 1;
  if (a.fromInvalidate !== b.fromInvalidate) return a.fromInvalidate ? 1 : -1;
  return 0;
}

export function encodeToken(p: StreamPosition): { _data: string } {
  const b = Buffer.alloc(BYTES);
  b[0] = MARKER;
  b.writeUInt32BE(p.ts.t >>> 0, 1);
  b.writeUInt32BE(p.ts.i >>> 0, 5);
  b[9] = FORMAT;
  b[10] = p.kind === 'event' ? EVENT : HWM;
  b.writeUInt32BE(p.opIndex >>> 0, 11);
  b[15] = p.fromInvalidate ? 1 : 0;
  return { _data: b.toString('hex').toUpperCase() };
}

function invalid(message: string): MongoCommandError {
  return new MongoCommandError(ErrorCodes.InvalidResumeToken, message);
}

/**
 * Decodes a client's token. mongod's codes where it has specific ones (40647: `_data` missing or
 * not a string; FailedToParse: not hex); anything else that is not a token of ours is
 * InvalidResumeToken (260).
 */
export function decodeToken(token: unknown): StreamPosition {
  const doc = token !== null && typeof token === 'object' ? (token as Document) : undefined;
  const data = doc?._data;
  if (typeof data !== 'string') {
    throw new MongoCommandError(
      40647,
      `Bad resume token: _data of missing or of wrong type. Expected string, got ${JSON.stringify(token)}`,
    );
  }
  if (data.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(data)) {
    throw new MongoCommandError(ErrorCodes.FailedToParse, 'resume token string was not a valid hex string');
  }
  const b = Buffer.from(data, 'hex');
  if (b.length !== BYTES || b[0] !== MARKER || b[9] !== FORMAT) {
    throw invalid(`resume token was not issued by this server: ${data}`);
  }
  const type = b[10];
  const fromInvalidate = b[15];
  if ((type !== EVENT && type !== HWM) || fromInvalidate > 1)
    throw invalid(`malformed resume token: ${data}`);
  const opIndex = b.readUInt32BE(11);
  if (type === HWM && (opIndex !== 0 || fromInvalidate !== 0)) {
    throw invalid('Invalid high water mark token');
  }
  const ts = new Timestamp({ t: b.readUInt32BE(1), i: b.readUInt32BE(5) });
  return type === EVENT ? eventPosition(ts, opIndex, fromInvalidate === 1) : highWaterMark(ts);
}

/** Whether `v` is exactly the token document of `p` (an event's `_id` left untouched). */
export function isTokenOf(v: unknown, p: StreamPosition): boolean {
  if (v === null || typeof v !== 'object') return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (v as Document)._data === encodeToken(p)._data;
}
