/**
 * Read concern: parsing and the rules mongod applies before a command runs.
 *
 * On one node every level reads the latest committed state (local = majority = linearizable =
 * available), and `afterClusterTime` is satisfied as soon as the clock has reached it. Only
 * `snapshot` changes what is read: a point in time (chosen by the server, or `atClusterTime`),
 * for find/aggregate/distinct outside transactions, or the transaction's snapshot inside one.
 */
import { Timestamp, type Document } from '../bson.js';
import { compareTimestamps } from '../catalog/clock.js';
import { mongoError } from '../errors.js';
import { bsonTypeOf, isPlainObject } from '../values/types.js';

export type ReadConcernLevel = 'local' | 'majority' | 'linearizable' | 'available' | 'snapshot';

const LEVELS: readonly ReadConcernLevel[] = ['local', 'majority', 'linearizable', 'available', 'snapshot'];
const KNOWN_FIELDS = new Set(['level', 'afterClusterTime', 'atClusterTime', 'afterOpTime', 'provenance']);

/** Commands that may read at a snapshot outside a transaction (mongod 5.0+). */
const SNAPSHOT_READ_COMMANDS = new Set(['find', 'aggregate', 'distinct']);
/** Writes take no read concern but the default outside a transaction. */
const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify', 'bulkWrite']);

export interface ReadConcern {
  readonly level?: ReadConcernLevel;
  readonly afterClusterTime?: Timestamp;
  readonly atClusterTime?: Timestamp;
}

function timestampField(rc: Document, field: string): Timestamp | undefined {
  const v = rc[field];
  if (v === undefined) return undefined;
  if (!(v instanceof Timestamp)) {
    throw mongoError(
      'TypeMismatch',
      `BSON field 'readConcern.${field}' is the wrong type '${bsonTypeOf(v)}', expected type 'timestamp'`,
    );
  }
  if (v.isZero()) throw mongoError('InvalidOptions', `readConcern.${field} cannot be a null timestamp`);
  return v;
}

/** The command's readConcern (undefined when absent or empty), validated in itself. */
export function parseReadConcern(value: unknown): ReadConcern | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw mongoError(
      'TypeMismatch',
      `BSON field 'readConcern' is the wrong type '${bsonTypeOf(value)}', expected type 'object'`,
    );
  }
  for (const k of Object.keys(value)) {
    if (!KNOWN_FIELDS.has(k))
      throw mongoError('Location40415', `BSON field 'readConcern.${k}' is an unknown field.`);
  }
  const rawLevel = value.level;
  if (rawLevel !== undefined && typeof rawLevel !== 'string') {
    throw mongoError(
      'TypeMismatch',
      `BSON field 'readConcern.level' is the wrong type '${bsonTypeOf(rawLevel)}', expected type 'string'`,
    );
  }
  if (rawLevel !== undefined && !LEVELS.includes(rawLevel as ReadConcernLevel)) {
    throw mongoError(
      'FailedToParse',
      `readConcern.level must be either 'local', 'majority', 'linearizable', 'available', or 'snapshot'`,
    );
  }
  const level = rawLevel as ReadConcernLevel | undefined;
  const afterClusterTime = timestampField(value, 'afterClusterTime');
  const atClusterTime = timestampField(value, 'atClusterTime');
  if (afterClusterTime && atClusterTime)
    throw mongoError('InvalidOptions', 'Can not specify both afterClusterTime and atClusterTime');
  if (atClusterTime && level !== 'snapshot') {
    throw mongoError('InvalidOptions', "readConcern.atClusterTime requires readConcern.level 'snapshot'");
  }
  if (afterClusterTime && (level === 'available' || level === 'linearizable')) {
    throw mongoError(
      'InvalidOptions',
      `readConcern.afterClusterTime is not supported with readConcern level '${level}'`,
    );
  }
  if (level === undefined && !afterClusterTime) return undefined;
  return { level, afterClusterTime, atClusterTime };
}

/** The rules for the first command of a transaction. */
export function checkTransactionReadConcern(rc: ReadConcern | undefined): void {
  const level = rc?.level;
  if (level !== undefined && level !== 'local' && level !== 'majority' && level !== 'snapshot') {
    throw mongoError(
      'InvalidOptions',
      "The readConcern level must be either 'local' (default), 'majority' or 'snapshot' in order to run in a transaction",
    );
  }
}

/** The rules for a command outside a transaction. */
export function checkCommandReadConcern(command: string, rc: ReadConcern | undefined): void {
  const level = rc?.level;
  if (level === undefined || level === 'local') return;
  if (level === 'snapshot' && !SNAPSHOT_READ_COMMANDS.has(command)) {
    throw mongoError(
      'InvalidOptions',
      `Command ${command} does not support { readConcern: { level: "snapshot" } }`,
    );
  }
  if (WRITE_COMMANDS.has(command)) {
    throw mongoError(
      'InvalidOptions',
      `Command ${command} does not support { readConcern: { level: "${level}" } }`,
    );
  }
}

/** A snapshot read cannot ask for a point the server has not reached. */
export function checkAtClusterTime(atClusterTime: Timestamp, current: Timestamp): void {
  if (compareTimestamps(atClusterTime, current) > 0) {
    throw mongoError(
      'InvalidOptions',
      `readConcern atClusterTime value must not be greater than the current clusterTime. Requested clusterTime: ${atClusterTime.toString()}; current clusterTime: ${current.toString()}`,
    );
  }
}
