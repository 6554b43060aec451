/**
 * Write concern of a write command. On this single-node replica set `w: 1` and `w: "majority"`
 * are both satisfied by the local write; durability (fsync of the journal before the reply) is
 * required by `j: true` or `w: "majority"`, and by the default write concern, which is
 * `{w: "majority"}` as on MongoDB 5.0+ replica sets.
 */
import type { Document } from '../bson.js';
import { ErrorCodes, mongoError } from '../errors.js';
import { bsonTypeOf, isPlainObject, numberValueOf } from '../values/types.js';

export interface WriteConcern {
  /** The journal must be on disk before the reply. */
  durable: boolean;
  /** w: 0 — the client waits for nothing (the request also carries moreToCome). */
  unacknowledged: boolean;
  /** A writeConcernError to attach to an otherwise successful reply (e.g. w: 2 on one node). */
  error?: Document;
}

export function parseWriteConcern(body: Document, inTransaction = false): WriteConcern {
  const wc = body.writeConcern;
  if (wc === undefined || wc === null) return { durable: !inTransaction, unacknowledged: false };
  if (!isPlainObject(wc)) {
    throw mongoError(
      'TypeMismatch',
      `BSON field 'writeConcern' is the wrong type '${bsonTypeOf(wc)}', expected type 'object'`,
    );
  }
  if (inTransaction) {
    throw mongoError('InvalidOptions', 'Cannot set write concern after starting a transaction.');
  }
  const { w, j, fsync } = wc;
  let durable = j === true || fsync === true;
  let unacknowledged = false;
  let error: Document | undefined;
  if (j !== undefined && typeof j !== 'boolean' && numberValueOf(j) === undefined) {
    throw mongoError('FailedToParse', `j must be numeric or a boolean value`);
  }
  if (w === 'majority' || w === undefined) {
    durable = durable || j !== false || w === 'majority';
  } else if (typeof w === 'string') {
    error = {
      code: ErrorCodes.UnknownReplWriteConcern,
      codeName: 'UnknownReplWriteConcern',
      errmsg: `No write concern mode named '${w}' found in replica set configuration`,
    };
  } else {
    const n = numberValueOf(w);
    if (n === undefined || !Number.isInteger(n) || n < 0) {
      throw mongoError('FailedToParse', 'w has to be a number or a string');
    }
    if (n === 0) unacknowledged = j !== true;
    if (n > 1) {
      error = {
        code: ErrorCodes.UnsatisfiableWriteConcern,
        codeName: 'UnsatisfiableWriteConcern',
        errmsg: 'Not enough data-bearing nodes',
      };
    }
  }
  return { durable, unacknowledged, error };
}
