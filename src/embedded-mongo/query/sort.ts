/**
 * Sort specifications (`{a: 1, 'b.c': -1, score: {$meta: 'textScore'}}`), validated once
 * (src/mongo/db/query/sort_pattern.cpp codes) and turned into sort keys and comparators.
 *
 * Contract: a document's key for a path is what an index on that path would hold for it, reduced
 * to one value: the smallest (ascending) or largest (descending) of the values the path reaches.
 * Arrays met on the way fan out over their elements (a numeric component indexes the array);
 * elements and fields that do not have the path count as null; an empty array at the end of the
 * path sorts below null. Values compare in MongoDB's order across types (values/compare.ts).
 * Two keys that traverse different arrays of the same document are an error ("parallel
 * arrays", BadValue), as in MongoDB. `$meta: 'textScore'` sorts by score, highest first.
 * Equal keys keep the input order in `sortDocuments` (MongoDB promises no order; this is
 * deterministic). `{$natural: ±1}` is accepted and reported, not compared: it is a scan order.
 */
import type { Document } from '../bson.js';
import { MongoCommandError, mongoError } from '../errors.js';
import {
  bsonTypeOf,
  compareStrings,
  compareValues,
  isNumericType,
  isPlainObject,
  toDec,
} from '../values/index.js';
import { collatorFor } from './collation.js';
import { exactNumber } from './predicates.js';
import { compilePath, docOf, ownField, type CompiledPath } from './paths.js';

export interface SortOptions {
  /** The text score of a document (when the query has `$text`). */
  textScore?: (doc: Document) => number | undefined;
  /** The operation's collation; string keys compare binary without one. */
  collation?: Document;
}

export type Comparator = (a: Document, b: Document) => number;
export type SortKey = readonly unknown[];

export interface CompiledSort {
  /** Number of sort components; 0 means "no sort" (every document compares equal). */
  readonly length: number;
  /** `{$natural: ±1}`: scan order (the planner's business), not a key; undefined when absent. */
  readonly natural: 1 | -1 | undefined;
  keyOf(doc: Document): SortKey;
  compareKeys(a: SortKey, b: SortKey): number;
  /** Compares two documents (keys are cached per document object). */
  compare: Comparator;
}

/** The key of an empty array at the end of a sort path: below null, above MinKey. */
const EMPTY_ARRAY = Symbol('empty array');

interface PathComponent {
  readonly kind: 'path';
  readonly path: CompiledPath;
  readonly ascending: boolean;
}
interface MetaComponent {
  readonly kind: 'meta';
  readonly value: (doc: Document) => unknown;
}
type Component = PathComponent | MetaComponent;

const VALID_META_SORTS = new Set([
  'textScore',
  'randVal',
  'geoNearDistance',
  'searchScore',
  'vectorSearchScore',
  'score',
]);

function fail(code: number, msg: string): MongoCommandError {
  return new MongoCommandError(code, msg);
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function validateFieldPath(path: string): void {
  if (path === '') throw fail(40352, 'FieldPath cannot be constructed with empty string');
  for (const p of path.split('.')) {
    if (p === '') throw fail(15998, 'FieldPath field names may not be empty strings.');
    if (p.startsWith('$')) {
      throw fail(
        16410,
        "FieldPath field names may not start with '$'. Consider using $getField or $setField.",
      );
    }
  }
}

function metaComponent(name: string, spec: Record<string, unknown>, options: SortOptions): MetaComponent {
  const keys = Object.keys(spec);
  if (keys[0] !== '$meta') throw fail(17312, '$meta is the only expression supported by $sort right now');
  if (keys.length !== 1)
    throw mongoError('FailedToParse', 'Cannot have additional keys in a $meta sort specification');
  const meta = spec.$meta;
  if (typeof meta !== 'string' || !VALID_META_SORTS.has(meta)) {
    throw fail(31138, `Illegal $meta sort: $meta: ${describe(meta)}`);
  }
  if (meta === 'randVal') return { kind: 'meta', value: () => Math.random() };
  if (meta !== 'textScore')
    throw mongoError('BadValue', `$meta sort '${meta}' is not supported by the embedded server (${name})`);
  const score = options.textScore;
  if (!score) throw fail(40218, 'query requires text score metadata, but it is not available');
  return { kind: 'meta', value: (doc) => score(doc) ?? 0 };
}

/** MongoDB's safeNumberLong for a sort direction: truncated toward zero, NaN as 0. */
function direction(v: unknown): number {
  const d = toDec(v);
  if (d.isNaN()) return 0;
  if (!d.isFinite()) return d.isNeg() ? -2 : 2;
  return d.trunc().toNumber();
}

function parseComponents(
  sort: Document,
  options: SortOptions,
): { components: Component[]; natural?: 1 | -1 } {
  if (!isPlainObject(sort)) throw mongoError('TypeMismatch', 'sort must be an object');
  const out: Component[] = [];
  let natural: 1 | -1 | undefined;
  for (const [name, value] of Object.entries(sort)) {
    if (value === undefined) continue;
    if (name === '$natural') {
      const dir = isNumericType(bsonTypeOf(value)) ? direction(value) : 0;
      if (dir !== 1 && dir !== -1)
        throw mongoError('BadValue', '$natural sort cannot be set to a value other than -1 or 1');
      natural = dir;
      continue;
    }
    if (isPlainObject(value)) {
      out.push(metaComponent(name, value, options));
      continue;
    }
    if (!isNumericType(bsonTypeOf(value))) {
      throw fail(15974, `Illegal key in $sort specification: ${name}: ${describe(value)}`);
    }
    const dir = direction(value);
    if (dir !== 1 && dir !== -1)
      throw fail(15975, '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
    validateFieldPath(name);
    out.push({ kind: 'path', path: compilePath(name), ascending: dir === 1 });
  }
  return { components: out, natural };
}

/** Compares two sort-key values (MongoDB's order, with the empty-array key below null). */
export function compareSortValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    // NaN sorts below every other number and equals NaN.
    return a !== a ? (b !== b ? 0 : -1) : 1;
  }
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (a === EMPTY_ARRAY || b === EMPTY_ARRAY) {
    if (a === b) return 0;
    const other = a === EMPTY_ARRAY ? b : a;
    const otherAbove = bsonTypeOf(other) !== 'minKey';
    return (a === EMPTY_ARRAY) === otherAbove ? -1 : 1;
  }
  return compareValues(a, b);
}

/** Array paths a key traverses (for the parallel-arrays check), collected only when needed. */
type ArrayPaths = string[] | undefined;

function pushLeaf(v: unknown, out: unknown[], arrays: ArrayPaths, path: CompiledPath, depth: number): void {
  if (Array.isArray(v)) {
    if (arrays) arrays.push(path.parts.slice(0, depth).join('.'));
    if (v.length === 0) out.push(EMPTY_ARRAY);
    else for (const el of v) out.push(el === undefined ? null : el);
    return;
  }
  out.push(v === undefined ? null : v);
}

/** The values an index on `path` would hold for `container`, from component `i` on. */
function collect(
  container: unknown,
  path: CompiledPath,
  i: number,
  out: unknown[],
  arrays: ArrayPaths,
): void {
  const d = docOf(container);
  if (d === undefined) {
    out.push(null);
    return;
  }
  const parts = path.parts;
  const v = path.safe[i] ? d[parts[i]] : ownField(d, parts[i]);
  if (i === parts.length - 1) {
    pushLeaf(v, out, arrays, path, i + 1);
    return;
  }
  if (!Array.isArray(v)) {
    collect(v, path, i + 1, out, arrays);
    return;
  }
  if (arrays) arrays.push(parts.slice(0, i + 1).join('.'));
  const pos = path.index[i + 1];
  if (pos >= 0 && pos < v.length) {
    if (i + 2 === parts.length) pushLeaf(v[pos], out, arrays, path, i + 2);
    else collect(v[pos], path, i + 2, out, arrays);
    return;
  }
  if (v.length === 0) {
    out.push(null);
    return;
  }
  for (const el of v) collect(el, path, i + 1, out, arrays);
}

/**
 * A key value in the form that compares fastest: numbers with an exact double become JS numbers
 * (their order is the same), missing becomes null. Keys are opaque: compare them with compareKeys.
 */
function normalize(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v !== 'object' || v === null) return v;
  const n = exactNumber(v);
  return n === undefined ? v : n;
}

type ValueComparator = (a: unknown, b: unknown) => number;

function reduceKey(values: unknown[], ascending: boolean, cmp: ValueComparator): unknown {
  let best = values[0];
  for (let k = 1; k < values.length; k++) {
    const c = cmp(values[k], best);
    if (ascending ? c < 0 : c > 0) best = values[k];
  }
  return best;
}

function isPrefixPath(a: string, b: string): boolean {
  return a === b || b.startsWith(a + '.') || a.startsWith(b + '.');
}

function checkParallel(all: string[][]): void {
  for (let x = 0; x < all.length; x++) {
    for (let y = x + 1; y < all.length; y++) {
      for (const p of all[x]) {
        for (const q of all[y]) {
          if (!isPrefixPath(p, q))
            throw mongoError('BadValue', 'cannot sort with keys that are parallel arrays');
        }
      }
    }
  }
}

/** Validates a sort specification and compiles it. Throws MongoDB's errors (15974, 15975, 17312, ...). */
export function parseSort(sort: Document, options: SortOptions = {}): CompiledSort {
  const { components, natural } = parseComponents(sort, options);
  const collator = collatorFor(options.collation);
  const cmpValue: ValueComparator = collator
    ? (a, b) => (typeof a === 'string' && typeof b === 'string' ? collator(a, b) : compareSortValues(a, b))
    : compareSortValues;
  const n = components.length;
  const directions = components.map((c) => (c.kind === 'meta' ? -1 : c.ascending ? 1 : -1));
  const pathCount = components.filter((c) => c.kind === 'path').length;

  const keyOf = (doc: Document): SortKey => {
    const key: unknown[] = new Array<unknown>(n);
    const arrays: string[][] | undefined = pathCount > 1 ? [] : undefined;
    for (let k = 0; k < n; k++) {
      const c = components[k];
      if (c.kind === 'meta') {
        key[k] = c.value(doc);
        continue;
      }
      const parts = c.path.parts;
      if (parts.length === 1) {
        const v = c.path.safe[0] ? doc[parts[0]] : ownField(doc, parts[0]);
        if (!Array.isArray(v)) {
          key[k] = normalize(v);
          continue;
        }
      }
      const values: unknown[] = [];
      const seen: ArrayPaths = arrays ? [] : undefined;
      collect(doc, c.path, 0, values, seen);
      if (arrays && seen && seen.length > 0) arrays.push([...new Set(seen)]);
      key[k] = normalize(reduceKey(values, c.ascending, cmpValue));
    }
    if (arrays && arrays.length > 1) checkParallel(arrays);
    return key;
  };

  const compareKeys = (a: SortKey, b: SortKey): number => {
    for (let k = 0; k < n; k++) {
      const c = cmpValue(a[k], b[k]);
      if (c !== 0) return c * directions[k];
    }
    return 0;
  };

  const cache = new WeakMap<Document, SortKey>();
  const cachedKey = (doc: Document): SortKey => {
    let key = cache.get(doc);
    if (!key) {
      key = keyOf(doc);
      cache.set(doc, key);
    }
    return key;
  };
  const compare: Comparator = n === 0 ? () => 0 : (a, b) => compareKeys(cachedKey(a), cachedKey(b));
  return { length: n, natural, keyOf, compareKeys, compare };
}

/** A comparator for a sort specification. */
export function compileSort(sort: Document, options: SortOptions = {}): Comparator {
  return parseSort(sort, options).compare;
}

/**
 * Sorts documents (into a new array) by a specification or a comparator; equal documents keep
 * their input order.
 */
export function sortDocuments<T extends Document>(
  docs: readonly T[],
  sort: Document | Comparator,
  options: SortOptions = {},
): T[] {
  const order = docs.map((_, i) => i);
  if (typeof sort === 'function') {
    order.sort((i, j) => sort(docs[i], docs[j]) || i - j);
  } else {
    const compiled = parseSort(sort, options);
    if (compiled.length === 0) return compiled.natural === -1 ? docs.slice().reverse() : docs.slice();
    const keys = docs.map((d) => compiled.keyOf(d));
    order.sort((i, j) => compiled.compareKeys(keys[i], keys[j]) || i - j);
  }
  return order.map((i) => docs[i]);
}
