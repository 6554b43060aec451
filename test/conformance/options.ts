/**
 * Turns the unified format's option documents (Common Options, collectionOrDatabaseOptions,
 * sessionOptions, transaction options) into the driver's option objects. Anything the runner does
 * not know is an error, not silently dropped: a dropped option would make a test pass or fail for
 * the wrong reason.
 */
import {
  ReadConcern,
  ReadPreference,
  WriteConcern,
  type ClientSessionOptions,
  type Document,
  type ReadConcernLevel,
  type ReadPreferenceMode,
  type TagSet,
  type TransactionOptions,
  type W,
} from 'mongodb';

import { RunnerError } from './errors.js';
import { isRecord, toNative } from './values.js';

const READ_PREFERENCE_MODES: readonly string[] = [
  'primary',
  'primaryPreferred',
  'secondary',
  'secondaryPreferred',
  'nearest',
];

function isReadPreferenceMode(mode: unknown): mode is ReadPreferenceMode {
  return typeof mode === 'string' && READ_PREFERENCE_MODES.includes(mode);
}

function checkKeys(doc: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(doc)) {
    if (!allowed.includes(key)) throw new RunnerError(`${where}: unsupported option '${key}'`);
  }
}

export function readPreferenceFrom(value: unknown, where = 'readPreference'): ReadPreference {
  const doc = toNative(value);
  if (typeof doc === 'string' && isReadPreferenceMode(doc)) return new ReadPreference(doc);
  if (!isRecord(doc)) throw new RunnerError(`${where} must be a document`);
  checkKeys(doc, ['mode', 'tagSets', 'maxStalenessSeconds', 'hedge'], where);
  const mode = doc['mode'];
  if (!isReadPreferenceMode(mode)) throw new RunnerError(`${where}: unknown mode ${String(mode)}`);
  const tagSets = Array.isArray(doc['tagSets']) ? (doc['tagSets'] as TagSet[]) : undefined;
  const maxStalenessSeconds =
    typeof doc['maxStalenessSeconds'] === 'number' ? doc['maxStalenessSeconds'] : undefined;
  const hedge = isRecord(doc['hedge']) ? (doc['hedge'] as { enabled?: boolean }) : undefined;
  return new ReadPreference(mode, tagSets, { maxStalenessSeconds, hedge });
}

export function writeConcernFrom(value: unknown, where = 'writeConcern'): WriteConcern {
  const doc = toNative(value);
  if (!isRecord(doc)) throw new RunnerError(`${where} must be a document`);
  checkKeys(doc, ['w', 'journal', 'wtimeoutMS'], where);
  const w = doc['w'];
  if (w !== undefined && typeof w !== 'number' && typeof w !== 'string') {
    throw new RunnerError(`${where}.w must be a number or string`);
  }
  const wtimeoutMS = typeof doc['wtimeoutMS'] === 'number' ? doc['wtimeoutMS'] : undefined;
  const journal = typeof doc['journal'] === 'boolean' ? doc['journal'] : undefined;
  return new WriteConcern(w as W | undefined, wtimeoutMS, journal);
}

export function readConcernFrom(value: unknown, where = 'readConcern'): ReadConcern {
  const doc = toNative(value);
  if (!isRecord(doc) || typeof doc['level'] !== 'string')
    throw new RunnerError(`${where} needs a string level`);
  checkKeys(doc, ['level'], where);
  // Any string is passed on: an unknown level is for the server to reject, not the runner.
  return new ReadConcern(doc['level'] as ReadConcernLevel);
}

/** Assignable to both DbOptions and CollectionOptions. */
export interface CollectionOrDatabaseOptions {
  readConcern?: ReadConcern;
  readPreference?: ReadPreference;
  writeConcern?: WriteConcern;
  timeoutMS?: number;
}

/** collectionOrDatabaseOptions -> DbOptions / CollectionOptions. */
export function collectionOptionsFrom(value: unknown, where: string): CollectionOrDatabaseOptions {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new RunnerError(`${where} must be a document`);
  checkKeys(value, ['readConcern', 'readPreference', 'writeConcern', 'timeoutMS'], where);
  const options: CollectionOrDatabaseOptions = {};
  if (value['readConcern'] !== undefined) options.readConcern = readConcernFrom(value['readConcern']);
  if (value['readPreference'] !== undefined)
    options.readPreference = readPreferenceFrom(value['readPreference']);
  if (value['writeConcern'] !== undefined) options.writeConcern = writeConcernFrom(value['writeConcern']);
  if (value['timeoutMS'] !== undefined) options.timeoutMS = Number(toNative(value['timeoutMS']));
  return options;
}

/** Transaction options as used by startTransaction, withTransaction and defaultTransactionOptions. */
export function transactionOptionsFrom(
  value: unknown,
  where: string,
  extraAllowed: readonly string[] = [],
): TransactionOptions {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new RunnerError(`${where} must be a document`);
  checkKeys(
    value,
    ['readConcern', 'writeConcern', 'readPreference', 'maxCommitTimeMS', ...extraAllowed],
    where,
  );
  const options: TransactionOptions = {};
  if (value['readConcern'] !== undefined) options.readConcern = readConcernFrom(value['readConcern']);
  if (value['writeConcern'] !== undefined) options.writeConcern = writeConcernFrom(value['writeConcern']);
  if (value['readPreference'] !== undefined)
    options.readPreference = readPreferenceFrom(value['readPreference']);
  if (value['maxCommitTimeMS'] !== undefined)
    options.maxCommitTimeMS = Number(toNative(value['maxCommitTimeMS']));
  return options;
}

/** sessionOptions; `snapshotTime` is returned apart because the driver has no public option for it. */
export function sessionOptionsFrom(
  value: unknown,
  where: string,
): { options: ClientSessionOptions; snapshotTimeEntity?: string } {
  if (value === undefined) return { options: {} };
  if (!isRecord(value)) throw new RunnerError(`${where} must be a document`);
  checkKeys(
    value,
    ['causalConsistency', 'snapshot', 'defaultTransactionOptions', 'snapshotTime', 'defaultTimeoutMS'],
    where,
  );
  const options: ClientSessionOptions = {};
  if (typeof value['causalConsistency'] === 'boolean') options.causalConsistency = value['causalConsistency'];
  if (typeof value['snapshot'] === 'boolean') options.snapshot = value['snapshot'];
  if (value['defaultTimeoutMS'] !== undefined)
    options.defaultTimeoutMS = Number(toNative(value['defaultTimeoutMS']));
  if (value['defaultTransactionOptions'] !== undefined) {
    options.defaultTransactionOptions = transactionOptionsFrom(
      value['defaultTransactionOptions'],
      `${where}.defaultTransactionOptions`,
    );
  }
  const snapshotTime = value['snapshotTime'];
  return typeof snapshotTime === 'string' ? { options, snapshotTimeEntity: snapshotTime } : { options };
}

/** Client `uriOptions` are passed as MongoClientOptions (same names), numbers made native. */
export function clientOptionsFrom(uriOptions: unknown): Document {
  if (uriOptions === undefined) return {};
  const native = toNative(uriOptions);
  if (!isRecord(native)) throw new RunnerError('uriOptions must be a document');
  for (const [key, value] of Object.entries(native)) {
    if (isRecord(value) && Object.hasOwn(value, '$$placeholder')) {
      throw new RunnerError(
        `uriOptions.${key}: $$placeholder values need credentials this runner does not have`,
      );
    }
  }
  return native;
}
