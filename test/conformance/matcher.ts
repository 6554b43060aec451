/**
 * The unified format's match rules (unified-test-format.md, "Evaluating Matches"):
 * - a root-level document may have keys the expectation does not mention; nested ones may not;
 * - key order never matters; arrays must have the same length and match element by element;
 * - int, long and double compare by numeric value (Decimal128 only equals Decimal128);
 * - a document whose first and only key starts with `$$` is a special operator.
 *
 * `assertExactDocuments` is the stricter comparison used for `outcome`: no special operators and no
 * extra keys anywhere. Numbers stay flexible there too: JSON cannot tell `1` from `1.0`, so an exact
 * numeric type check would fail against a real mongod as well.
 */
import { EJSON } from 'bson';

import { AssertionFailure, RunnerError } from './errors.js';
import {
  asDocumentView,
  bsonTypeOf,
  compareNumbers,
  describe,
  isDocumentLike,
  numbersEqual,
  numericValue,
  presentKeys,
  readProperty,
} from './values.js';

/** Entity lookups needed by `$$matchesEntity` and `$$sessionLsid`. */
export interface MatchEnvironment {
  entityValue(name: string): unknown;
  sessionLsid(name: string): unknown;
}

export const NO_ENTITIES: MatchEnvironment = {
  entityValue(name) {
    throw new RunnerError(`$$matchesEntity: no entity map here (entity '${name}')`);
  },
  sessionLsid(name) {
    throw new RunnerError(`$$sessionLsid: no entity map here (session '${name}')`);
  },
};

interface Mode {
  readonly env: MatchEnvironment;
  readonly operators: boolean;
}

type Failure = string | undefined;

export function isSpecialOperator(value: unknown): value is Record<string, unknown> {
  if (!isDocumentLike(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0]!.startsWith('$$');
}

function regexParts(value: unknown): { source: string; flags: string } | undefined {
  if (value instanceof RegExp) return { source: value.source, flags: [...value.flags].sort().join('') };
  if (bsonTypeOf(value) === 'BSONRegExp') {
    const pattern = readProperty(value, 'pattern');
    const options = readProperty(value, 'options');
    return { source: String(pattern), flags: [...String(options ?? '')].sort().join('') };
  }
  return undefined;
}

function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (bsonTypeOf(value) === 'Binary') {
    const buffer = readProperty(value, 'buffer');
    const position = readProperty(value, 'position');
    if (buffer instanceof Uint8Array) {
      return typeof position === 'number' ? buffer.subarray(0, position) : buffer;
    }
  }
  return undefined;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Equality of two non-document, non-array values under the flexible-numeric rule. */
export function scalarsEqual(expected: unknown, actual: unknown): boolean {
  const en = numericValue(expected);
  const an = numericValue(actual);
  if (en !== undefined || an !== undefined)
    return en !== undefined && an !== undefined && numbersEqual(en, an);
  if (expected === null || expected === undefined) return actual === expected;
  if (typeof expected !== 'object') return expected === actual;
  if (expected instanceof Date) return actual instanceof Date && actual.getTime() === expected.getTime();
  const eRegex = regexParts(expected);
  if (eRegex !== undefined) {
    const aRegex = regexParts(actual);
    return aRegex !== undefined && aRegex.source === eRegex.source && aRegex.flags === eRegex.flags;
  }
  const tag = bsonTypeOf(expected);
  if (tag === undefined) return false;
  const actualTag = bsonTypeOf(actual);
  switch (tag) {
    case 'Binary': {
      const eb = bytesOf(expected);
      const ab = bytesOf(actual);
      return (
        actualTag === 'Binary' &&
        eb !== undefined &&
        ab !== undefined &&
        readProperty(expected, 'sub_type') === readProperty(actual, 'sub_type') &&
        bytesEqual(eb, ab)
      );
    }
    case 'ObjectId':
    case 'Decimal128':
      return actualTag === tag && String(expected) === String(actual);
    case 'Timestamp':
      return (
        actualTag === tag &&
        readProperty(expected, 't') === readProperty(actual, 't') &&
        readProperty(expected, 'i') === readProperty(actual, 'i')
      );
    case 'MinKey':
    case 'MaxKey':
      return actualTag === tag;
    case 'Code':
      return (
        actualTag === tag &&
        readProperty(expected, 'code') === readProperty(actual, 'code') &&
        exactFailure(readProperty(expected, 'scope') ?? null, readProperty(actual, 'scope') ?? null) ===
          undefined
      );
    case 'DBRef':
      return (
        actualTag === tag &&
        readProperty(expected, 'collection') === readProperty(actual, 'collection') &&
        readProperty(expected, 'db') === readProperty(actual, 'db') &&
        exactFailure(readProperty(expected, 'oid'), readProperty(actual, 'oid')) === undefined &&
        exactFailure(readProperty(expected, 'fields') ?? {}, readProperty(actual, 'fields') ?? {}) ===
          undefined
      );
    default:
      return (
        actualTag === tag &&
        EJSON.stringify({ v: expected }, { relaxed: false }) ===
          EJSON.stringify({ v: actual }, { relaxed: false })
      );
  }
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function isIntegerNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

const TYPE_CHECKS: Readonly<Record<string, (value: unknown) => boolean>> = {
  double: (v) => typeof v === 'number' || bsonTypeOf(v) === 'Double',
  string: (v) => typeof v === 'string',
  object: (v) => isDocumentLike(asDocumentView(v)),
  array: (v) => Array.isArray(v),
  binData: (v) => bsonTypeOf(v) === 'Binary' || v instanceof Uint8Array,
  undefined: (v) => v === undefined,
  objectId: (v) => bsonTypeOf(v) === 'ObjectId',
  bool: (v) => typeof v === 'boolean',
  date: (v) => v instanceof Date,
  null: (v) => v === null,
  regex: (v) => regexParts(v) !== undefined,
  dbPointer: (v) => bsonTypeOf(v) === 'DBPointer',
  javascript: (v) => bsonTypeOf(v) === 'Code' && readProperty(v, 'scope') == null,
  symbol: (v) => bsonTypeOf(v) === 'BSONSymbol' || typeof v === 'symbol',
  javascriptWithScope: (v) => bsonTypeOf(v) === 'Code' && readProperty(v, 'scope') != null,
  int: (v) => bsonTypeOf(v) === 'Int32' || (isIntegerNumber(v) && v >= INT32_MIN && v <= INT32_MAX),
  timestamp: (v) => bsonTypeOf(v) === 'Timestamp',
  long: (v) => bsonTypeOf(v) === 'Long' || typeof v === 'bigint' || isIntegerNumber(v),
  decimal: (v) => bsonTypeOf(v) === 'Decimal128',
  minKey: (v) => bsonTypeOf(v) === 'MinKey',
  maxKey: (v) => bsonTypeOf(v) === 'MaxKey',
  number: (v) => numericValue(v) !== undefined || bsonTypeOf(v) === 'Decimal128',
};

/** Whether `actual` is of the named $type alias (unified format `$$type`). */
export function matchesType(actual: unknown, typeName: string): boolean {
  const check = TYPE_CHECKS[typeName];
  if (check === undefined) throw new RunnerError(`$$type: unknown type name '${typeName}'`);
  return check(actual);
}

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function matchOperator(
  operator: Record<string, unknown>,
  actual: unknown,
  path: string,
  isRoot: boolean,
  mode: Mode,
): Failure {
  const [name] = Object.keys(operator) as [string];
  const arg = operator[name];
  switch (name) {
    case '$$exists': {
      const exists = actual !== undefined;
      if (exists === Boolean(arg)) return undefined;
      return exists
        ? `${path}: expected no value, got ${describe(actual)}`
        : `${path}: expected a value, got none`;
    }
    case '$$type': {
      const names = Array.isArray(arg) ? arg.map(String) : [String(arg)];
      if (actual === undefined) return `${path}: expected a value of type ${names.join('|')}, got none`;
      return names.some((t) => matchesType(actual, t))
        ? undefined
        : `${path}: expected type ${names.join('|')}, got ${describe(actual)}`;
    }
    case '$$unsetOrMatches':
      return actual === undefined ? undefined : match(arg, actual, path, isRoot, mode);
    case '$$matchesEntity':
      return match(mode.env.entityValue(String(arg)), actual, path, isRoot, mode);
    case '$$sessionLsid': {
      const lsid = mode.env.sessionLsid(String(arg));
      const failure = match(lsid, actual, path, false, { ...mode, operators: false });
      return failure === undefined
        ? undefined
        : `${path}: not the lsid of session '${String(arg)}' (${failure})`;
    }
    case '$$lte': {
      const limit = numericValue(arg);
      if (limit === undefined) throw new RunnerError(`${path}: $$lte needs a number, got ${describe(arg)}`);
      const value = numericValue(actual);
      if (value === undefined)
        return `${path}: expected a number <= ${describe(arg)}, got ${describe(actual)}`;
      return compareNumbers(value, limit) <= 0
        ? undefined
        : `${path}: expected <= ${describe(arg)}, got ${describe(actual)}`;
    }
    case '$$matchesHexBytes': {
      if (typeof arg !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(arg)) {
        throw new RunnerError(`${path}: malformed $$matchesHexBytes ${describe(arg)}`);
      }
      const bytes = typeof actual === 'string' ? Buffer.from(actual, 'latin1') : bytesOf(actual);
      if (bytes === undefined) return `${path}: expected bytes, got ${describe(actual)}`;
      return hexOf(bytes) === arg.toLowerCase()
        ? undefined
        : `${path}: expected bytes ${arg}, got ${hexOf(bytes)}`;
    }
    case '$$matchAsDocument': {
      if (typeof actual !== 'string')
        return `${path}: expected an Extended JSON string, got ${describe(actual)}`;
      let parsed: unknown;
      try {
        parsed = EJSON.parse(actual, { relaxed: false });
      } catch {
        return `${path}: not Extended JSON: ${describe(actual)}`;
      }
      return match(arg, parsed, path, false, mode);
    }
    case '$$matchAsRoot':
      return match(arg, actual, path, true, mode);
    default:
      throw new RunnerError(`${path}: unsupported special operator ${name}`);
  }
}

function match(expected: unknown, actual: unknown, path: string, isRoot: boolean, mode: Mode): Failure {
  if (mode.operators && isSpecialOperator(expected))
    return matchOperator(expected, actual, path, isRoot, mode);
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${describe(actual)}`;
    if (actual.length !== expected.length) {
      return `${path}: expected ${expected.length} elements, got ${actual.length}: ${describe(actual)}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const failure = match(expected[i], actual[i], `${path}[${i}]`, false, mode);
      if (failure !== undefined) return failure;
    }
    return undefined;
  }
  if (isDocumentLike(expected)) {
    const view = asDocumentView(actual);
    if (!isDocumentLike(view)) return `${path}: expected a document, got ${describe(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const child = view[key];
      const childPath = `${path}.${key}`;
      if (child === undefined && !(mode.operators && isSpecialOperator(value))) {
        return `${childPath}: missing (expected ${describe(value)})`;
      }
      const failure = match(value, child, childPath, false, mode);
      if (failure !== undefined) return failure;
    }
    if (!isRoot) {
      const extra = presentKeys(view).filter((key) => !Object.hasOwn(expected, key));
      if (extra.length > 0) {
        return `${path}: unexpected key(s) ${extra.join(', ')} in ${describe(actual)}`;
      }
    }
    return undefined;
  }
  if (actual === undefined && expected !== undefined)
    return `${path}: missing (expected ${describe(expected)})`;
  return scalarsEqual(expected, actual)
    ? undefined
    : `${path}: expected ${describe(expected)}, got ${describe(actual)}`;
}

function exactFailure(expected: unknown, actual: unknown, path = '$'): Failure {
  return match(expected, actual, path, false, { env: NO_ENTITIES, operators: false });
}

export interface MatchOptions {
  /** Whether the top-level expected document is a root document (extra keys allowed). Default true. */
  root?: boolean;
  /** Name of the value in failure messages. */
  path?: string;
}

/** Throws AssertionFailure unless `actual` matches `expected` under the unified-format rules. */
export function assertMatches(
  expected: unknown,
  actual: unknown,
  env: MatchEnvironment = NO_ENTITIES,
  options: MatchOptions = {},
): void {
  const failure = match(expected, actual, options.path ?? '$', options.root ?? true, {
    env,
    operators: true,
  });
  if (failure !== undefined) throw new AssertionFailure(failure);
}

/** For iterable results (find, aggregate, listIndexes, ...): each element is a root-level document. */
export function assertMatchesRootDocuments(
  expected: unknown,
  actual: unknown,
  env: MatchEnvironment = NO_ENTITIES,
  path = '$',
): void {
  if (!Array.isArray(expected)) {
    assertMatches(expected, actual, env, { path });
    return;
  }
  if (!Array.isArray(actual))
    throw new AssertionFailure(`${path}: expected an array, got ${describe(actual)}`);
  if (actual.length !== expected.length) {
    throw new AssertionFailure(
      `${path}: expected ${expected.length} documents, got ${actual.length}: ${describe(actual, 1000)}`,
    );
  }
  expected.forEach((doc, i) => assertMatches(doc, actual[i], env, { path: `${path}[${i}]`, root: true }));
}

/** Whether `actual` matches (boolean form, for filtering events). */
export function matches(expected: unknown, actual: unknown, env: MatchEnvironment = NO_ENTITIES): boolean {
  return match(expected, actual, '$', true, { env, operators: true }) === undefined;
}

/** `outcome` comparison: same documents in the same order, no extra keys, no special operators. */
export function assertExactDocuments(
  expected: readonly unknown[],
  actual: readonly unknown[],
  path = '$',
): void {
  const failure = exactFailure(expected, actual, path);
  if (failure !== undefined) throw new AssertionFailure(`${failure}\n  actual: ${describe(actual, 2000)}`);
}

/** Flexible-numeric deep equality without special operators (e.g. serverParameters checks). */
export function deepEqualsLoosely(expected: unknown, actual: unknown): boolean {
  return exactFailure(expected, actual) === undefined;
}
