/**
 * Small helpers for looking at BSON values as the driver hands them to us (numbers promoted to JS
 * numbers, BSON wrappers such as ObjectId/Long/Int32 recognised by their `_bsontype` tag) and as
 * EJSON.parse({ relaxed: false }) produces them from the spec files (Int32/Double/Long wrappers).
 *
 * BSON values are recognised by `_bsontype` rather than `instanceof` so that a second copy of the
 * `bson` package can never make two equal values look different.
 */
import { EJSON } from 'bson';
import type { Document } from 'mongodb';
import { inspect } from 'node:util';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function bsonTypeOf(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const tag = value['_bsontype'];
  return typeof tag === 'string' ? tag : undefined;
}

/**
 * A "document" in the unified-format sense: any object that is not an array, not a BSON scalar
 * wrapper, not a Date/RegExp/byte buffer. Class instances (e.g. a driver WriteConcern inside a
 * command) count as documents: BSON serialises them by their own enumerable keys, and so do we.
 */
export function isDocumentLike(value: unknown): value is Record<string, unknown> {
  return (
    isRecord(value) &&
    bsonTypeOf(value) === undefined &&
    !(value instanceof Date) &&
    !(value instanceof RegExp) &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof ArrayBuffer)
  );
}

/** Maps (the driver uses them for `sort`, index keys, client bulk-write results) become documents. */
export function asDocumentView(value: unknown): unknown {
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = v;
    return out;
  }
  return value;
}

/** Own enumerable keys whose value is not `undefined` (BSON drops those when ignoreUndefined). */
export function presentKeys(doc: Record<string, unknown>): string[] {
  return Object.keys(doc).filter((k) => doc[k] !== undefined);
}

/**
 * Numeric view of int/long/double values in any of their JS forms. Decimal128 is deliberately not
 * numeric here: the unified format compares it exactly, never loosely.
 */
export function numericValue(value: unknown): number | bigint | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return value;
  const tag = bsonTypeOf(value);
  if (tag === 'Int32' || tag === 'Double') {
    const v = (value as { value?: unknown }).value;
    return typeof v === 'number' ? v : undefined;
  }
  if (tag === 'Long') return BigInt(String(value));
  return undefined;
}

/** Numeric equality across int/long/double, exact for big integers, NaN equal to NaN. */
export function numbersEqual(a: number | bigint, b: number | bigint): boolean {
  if (typeof a === 'number' && Number.isNaN(a)) return typeof b === 'number' && Number.isNaN(b);
  if (typeof b === 'number' && Number.isNaN(b)) return false;
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const ai = typeof a === 'bigint' ? a : Number.isInteger(a) ? BigInt(a) : undefined;
    const bi = typeof b === 'bigint' ? b : Number.isInteger(b) ? BigInt(b) : undefined;
    if (ai !== undefined && bi !== undefined) return ai === bi;
    return Number(a) === Number(b);
  }
  return a === b;
}

export function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Deep copy with Int32/Double/Long wrappers turned into JS numbers. Used for driver *options*
 * (write concern `w: 0`, `batchSize`, `maxTimeMS`, ...), which the driver inspects with
 * `typeof x === 'number'`. Never used for documents that go to the server as data: there the BSON
 * type the test asks for must survive.
 */
export function toNative(value: unknown): unknown {
  const n = numericValue(value);
  if (n !== undefined) {
    if (typeof n === 'bigint') {
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    return n;
  }
  if (Array.isArray(value)) return value.map(toNative);
  if (isDocumentLike(value) && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Document = {};
    for (const [k, v] of Object.entries(value)) out[k] = toNative(v);
    return out;
  }
  return value;
}

/** A one-line, length-limited description of any value for failure messages. */
export function describe(value: unknown, max = 400): string {
  let text: string;
  if (value === undefined) text = '<absent>';
  else {
    try {
      text = EJSON.stringify(asDocumentView(value), { relaxed: true });
      if (text === undefined) text = inspect(value, { depth: 4, breakLength: Infinity });
    } catch {
      text = inspect(value, { depth: 4, breakLength: Infinity });
    }
  }
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** Reads a property of an object the driver does not type publicly (internal state). */
export function readProperty(target: unknown, key: string): unknown {
  if (typeof target !== 'object' || target === null) return undefined;
  return (target as Record<string, unknown>)[key];
}
