/**
 * The read options shared by find, count, distinct, update, delete and findAndModify: filter,
 * sort, hint, collation and `let` variables, validated once and turned into a planner scan.
 */
import type { Document } from '../../bson.js';
import type { Collection, ReadOptions } from '../../catalog/collection.js';
import type { Scan } from '../../catalog/planner.js';
import { mongoError } from '../../errors.js';
import { evaluateVariables } from '../../aggregation/expressions.js';
import { compileFilter } from '../../query/matcher.js';
import { compileSort } from '../../query/sort.js';
import { bsonTypeOf, isPlainObject } from '../../values/types.js';

/** Only the simple (binary) collation is implemented; anything else is refused, never ignored. */
export function checkCollation(collation: unknown): void {
  if (collation === undefined || collation === null) return;
  if (!isPlainObject(collation)) {
    throw mongoError(
      'TypeMismatch',
      `BSON field 'collation' is the wrong type '${bsonTypeOf(collation)}', expected type 'object'`,
    );
  }
  if (collation.locale !== 'simple') {
    throw mongoError(
      'BadValue',
      `collation ${JSON.stringify(collation.locale ?? null)} is not supported by the embedded server: only {locale: 'simple'} (binary comparison) is implemented`,
    );
  }
}

export interface QuerySpec {
  filter: Document;
  sort?: Document;
  hint?: string | Document;
  limit?: number;
  variables?: Document;
}

export function readFilter(value: unknown, field: string): Document {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) {
    throw mongoError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${bsonTypeOf(value)}', expected type 'object'`,
    );
  }
  return value;
}

export function readHint(value: unknown): string | Document | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (isPlainObject(value)) return Object.keys(value).length > 0 ? value : undefined;
  throw mongoError('FailedToParse', 'hint must be a string or an object');
}

export function readSort(value: unknown): Document | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw mongoError(
      'TypeMismatch',
      `BSON field 'sort' is the wrong type '${bsonTypeOf(value)}', expected type 'object'`,
    );
  }
  return Object.keys(value).length > 0 ? value : undefined;
}

export function readVariables(value: unknown): Document | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw mongoError(
      'TypeMismatch',
      `BSON field 'let' is the wrong type '${bsonTypeOf(value)}', expected type 'object'`,
    );
  }
  return value;
}

/** Compiles the filter (errors surface here, before anything runs) and plans the scan. */
export function openScan(coll: Collection, spec: QuerySpec, read: ReadOptions = {}): Scan {
  const matcher = compileFilter(spec.filter, spec.variables ? { variables: spec.variables } : {});
  const sortComparator = spec.sort ? compileSort(spec.sort) : undefined;
  return coll.scan(spec.filter, {
    ...read,
    sort: spec.sort,
    hint: spec.hint,
    limit: spec.limit,
    matcher,
    sortComparator,
  });
}

/** Validates a query spec even when the collection does not exist (so bad input still errors). */
export function validateQuery(spec: QuerySpec): void {
  compileFilter(spec.filter, spec.variables ? { variables: spec.variables } : {});
  if (spec.sort) compileSort(spec.sort);
}
