/**
 * The `$changeStream` stage specification and the stream's scope (one collection, one database, or
 * the whole deployment), validated with mongod's codes and messages.
 */
import type { Document, Timestamp } from '../bson.js';
import { MongoCommandError, ErrorCodes, mongoError } from '../errors.js';
import { bsonTag, bsonTypeOf, isPlainObject } from '../values/types.js';
import { decodeToken, type StreamPosition } from './resume-token.js';

export type FullDocumentMode = 'default' | 'updateLookup' | 'whenAvailable' | 'required';
export type FullDocumentBeforeChangeMode = 'off' | 'whenAvailable' | 'required';

export interface ChangeStreamOptions {
  readonly fullDocument: FullDocumentMode;
  readonly fullDocumentBeforeChange: FullDocumentBeforeChangeMode;
  readonly resumeAfter?: StreamPosition;
  readonly startAfter?: StreamPosition;
  readonly startAtOperationTime?: Timestamp;
  readonly allChangesForCluster: boolean;
  readonly showExpandedEvents: boolean;
  readonly showSystemEvents: boolean;
}

export type StreamScope =
  | { readonly kind: 'collection'; readonly db: string; readonly coll: string }
  | { readonly kind: 'database'; readonly db: string }
  | { readonly kind: 'cluster' };

const FULL_DOCUMENT: readonly FullDocumentMode[] = ['default', 'updateLookup', 'whenAvailable', 'required'];
const BEFORE_CHANGE: readonly FullDocumentBeforeChangeMode[] = ['off', 'whenAvailable', 'required'];
/** Fields mongod's $changeStream spec accepts (internal ones are accepted and ignored). */
const KNOWN = new Set([
  'resumeAfter',
  'startAfter',
  'startAtOperationTime',
  'fullDocument',
  'fullDocumentBeforeChange',
  'allChangesForCluster',
  'showMigrationEvents',
  'showSystemEvents',
  'allowToRunOnConfigDB',
  'allowToRunOnSystemNS',
  'showExpandedEvents',
  'showRawUpdateDescription',
  'matchCollectionUUIDForUpdateLookup',
  'version',
]);

function bool(spec: Document, field: string): boolean {
  const v = spec[field];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') {
    throw mongoError(
      'TypeMismatch',
      `BSON field '$changeStream.${field}' is the wrong type '${bsonTypeOf(v)}', expected type 'bool'`,
    );
  }
  return v;
}

function enumValue<T extends string>(spec: Document, field: string, allowed: readonly T[], dflt: T): T {
  const v = spec[field];
  if (v === undefined) return dflt;
  if (typeof v !== 'string') {
    throw mongoError(
      'TypeMismatch',
      `BSON field '$changeStream.${field}' is the wrong type '${bsonTypeOf(v)}', expected type 'string'`,
    );
  }
  if (!(allowed as readonly string[]).includes(v)) {
    throw mongoError(
      'BadValue',
      `Enumeration value '${v}' for field '$changeStream.${field}' is not a valid value.`,
    );
  }
  return v as T;
}

function token(spec: Document, field: string): StreamPosition | undefined {
  const v = spec[field];
  if (v === undefined) return undefined;
  if (!isPlainObject(v)) {
    throw mongoError(
      'TypeMismatch',
      `BSON field '$changeStream.${field}' is the wrong type '${bsonTypeOf(v)}', expected type 'object'`,
    );
  }
  return decodeToken(v);
}

export function parseChangeStreamSpec(spec: unknown): ChangeStreamOptions {
  if (!isPlainObject(spec)) {
    throw new MongoCommandError(50808, '$changeStream stage expects a document as argument');
  }
  for (const k of Object.keys(spec)) {
    if (!KNOWN.has(k))
      throw new MongoCommandError(40415, `BSON field '$changeStream.${k}' is an unknown field.`);
  }
  const start = spec.startAtOperationTime;
  if (start !== undefined && bsonTag(start) !== 'Timestamp') {
    throw mongoError(
      'TypeMismatch',
      `BSON field '$changeStream.startAtOperationTime' is the wrong type '${bsonTypeOf(start)}', expected type 'timestamp'`,
    );
  }
  const resumeAfter = token(spec, 'resumeAfter');
  const startAfter = token(spec, 'startAfter');
  if (resumeAfter && startAfter) {
    throw new MongoCommandError(
      50865,
      "Do not specify both 'resumeAfter' and 'startAfter' in a $changeStream stage",
    );
  }
  if (start !== undefined && (resumeAfter || startAfter)) {
    throw new MongoCommandError(40674, 'Only one type of resume option is allowed, but multiple were found');
  }
  if (resumeAfter?.fromInvalidate) {
    throw new MongoCommandError(
      ErrorCodes.InvalidResumeToken,
      "Attempting to resume a change stream using 'resumeAfter' is not allowed from an invalidate notification",
    );
  }
  return {
    fullDocument: enumValue(spec, 'fullDocument', FULL_DOCUMENT, 'default'),
    fullDocumentBeforeChange: enumValue(spec, 'fullDocumentBeforeChange', BEFORE_CHANGE, 'off'),
    resumeAfter,
    startAfter,
    startAtOperationTime: start as Timestamp | undefined,
    allChangesForCluster: bool(spec, 'allChangesForCluster'),
    showExpandedEvents: bool(spec, 'showExpandedEvents'),
    showSystemEvents: bool(spec, 'showSystemEvents'),
  };
}

const INTERNAL_DBS = new Set(['admin', 'config', 'local']);

export function isInternalDb(db: string): boolean {
  return INTERNAL_DBS.has(db);
}

/** The scope of `aggregate: <coll>` / `aggregate: 1` on `db` (mongod's legality checks). */
export function scopeOf(db: string, coll: string | undefined, opts: ChangeStreamOptions): StreamScope {
  const ns = coll === undefined ? `${db}.$cmd.aggregate` : `${db}.${coll}`;
  if (opts.allChangesForCluster && (db !== 'admin' || coll !== undefined)) {
    throw mongoError(
      'InvalidOptions',
      `A $changeStream with 'allChangesForCluster:true' may only be opened on the 'admin' database, and with no collection name; found ${ns}`,
    );
  }
  if (db === 'admin') {
    if (!opts.allChangesForCluster) {
      throw mongoError('InvalidNamespace', `$changeStream may not be opened on the internal admin database`);
    }
    return { kind: 'cluster' };
  }
  if (db === 'local' || db === 'config') {
    throw mongoError('InvalidNamespace', `$changeStream may not be opened on the internal ${db} database`);
  }
  if (coll === undefined) return { kind: 'database', db };
  if (coll.startsWith('system.')) {
    throw mongoError('InvalidNamespace', `$changeStream may not be opened on the internal ${ns} collection`);
  }
  return { kind: 'collection', db, coll };
}
