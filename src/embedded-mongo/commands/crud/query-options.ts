/**
 * The read options shared by find, count, distinct, update, delete and findAndModify: filter,
 * sort, hint, collation and `let` variables, validated once and turned into a planner scan.
 */
import type { Document } from '../../bson.js';
import type { Collection, ReadOptions } from '../../catalog/collection.js';
import type { Scan } from '../../catalog/planner.js';
import { mongoError } from '../../errors.js';
import { evaluateVariables } from '../../aggregation/expressions.js';
import { collatorFor } from '../../query/collation.js';
import { compileFilter, type FilterOptions } from '../../query/matcher.js';
import { compileSort } from '../../query/sort.js';
import { textSearchFor, type TextSearch } from '../../text/index.js';
import { bsonTypeOf, isPlainObject } from '../../values/types.js';

/**
 * A command's collation: validated (locale etc.), undefined for the simple (binary) one. A
 * non-simple collation is applied by the matcher and the sort; index bounds are binary, so a
 * query with one scans the collection unless it names an index with `hint`.
 */
export function readCollation(collation: unknown): Document | undefined {
  if (collation === undefined || collation === null) return undefined;
  if (!isPlainObject(collation)) {
    throw mongoError(
      'TypeMismatch',
      `BSON field 'collation' is the wrong type '${bsonTypeOf(collation)}', expected type 'object'`,
    );
  }
  return collatorFor(collation) ? collation : undefined;
}

export interface QuerySpec {
  filter: Document;
  sort?: Document;
  hint?: string | Document;
  limit?: number;
  variables?: Document;
  collation?: Document;
  /** `$text` support for this filter (from textSearchFor); openScan makes it when absent. */
  text?: TextSearch;
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

/**
 * A command's `let` (or a statement's `c`): each value is an expression, evaluated once here
 * (with $$NOW), so statements see constants.
 */
export function readVariables(value: unknown): Document | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw mongoError(
      'TypeMismatch',
      `BSON field 'let' is the wrong type '${bsonTypeOf(value)}', expected type 'object'`,
    );
  }
  return evaluateVariables(value, { NOW: new Date() });
}

/** The options a query's filter compiles with: `let` variables, collation and `$text`. */
export function filterOptionsOf(spec: QuerySpec, text = spec.text): FilterOptions {
  return { variables: spec.variables, collation: spec.collation, textMatcher: text?.textMatcher };
}

/** Compiles the filter (errors surface here, before anything runs) and plans the scan. */
export function openScan(coll: Collection, spec: QuerySpec, read: ReadOptions = {}): Scan {
  const text = spec.text ?? textSearchFor(coll, spec.filter, coll.ns);
  const matcher = compileFilter(spec.filter, filterOptionsOf(spec, text));
  text?.check(spec);
  const sortComparator = spec.sort
    ? compileSort(spec.sort, { collation: spec.collation, textScore: text?.score })
    : undefined;
  const hint = spec.hint ?? (spec.collation ? { $natural: 1 } : undefined);
  return coll.scan(spec.filter, {
    ...read,
    sort: spec.sort,
    hint,
    limit: spec.limit,
    matcher,
    sortComparator,
    text: text?.plan(),
  });
}

/** Validates a query spec even when the collection does not exist (so bad input still errors). */
export function validateQuery(spec: QuerySpec): void {
  const text = spec.text ?? textSearchFor(undefined, spec.filter);
  compileFilter(spec.filter, filterOptionsOf(spec, text));
  text?.check(spec);
  if (spec.sort) compileSort(spec.sort, { collation: spec.collation, textScore: text?.score });
}
