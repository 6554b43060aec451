/**
 * Renders values the way mongod's error messages print BSON elements (`{a: 1}`, `"x"`,
 * `[ 1, 2 ]`, `{ b: 2 }`), so messages read like the server's. Messages are informative only:
 * clients and tests rely on error codes.
 */
import { bsonTag, bsonTypeOf, type BsonTypeName } from '../values/types.js';
import { documentEntries } from '../values/compare.js';

export function formatValue(v: unknown): string {
  const t = bsonTypeOf(v);
  switch (t) {
    case 'missing':
      return 'missing';
    case 'null':
      return 'null';
    case 'undefined':
      return 'undefined';
    case 'bool':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    case 'symbol':
      return JSON.stringify(String((v as { value: unknown }).value));
    case 'int':
    case 'long':
      return typeof v === 'number' || typeof v === 'bigint' ? String(v) : String(v as object);
    case 'double': {
      const n = typeof v === 'number' ? v : (v as { value: number }).value;
      return Number.isInteger(n) ? n.toFixed(1) : String(n);
    }
    case 'decimal':
      return `NumberDecimal("${String(v as object)}")`;
    case 'objectId':
      return `ObjectId('${(v as { toHexString(): string }).toHexString()}')`;
    case 'date':
      return `new Date(${(v as Date).getTime()})`;
    case 'timestamp': {
      const ts = v as { t?: number; i?: number; high?: number; low?: number };
      return `Timestamp(${ts.t ?? ts.high}, ${ts.i ?? ts.low})`;
    }
    case 'regex': {
      if (v instanceof RegExp) return `/${v.source}/${v.flags}`;
      const r = v as { pattern: string; options: string };
      return `/${r.pattern}/${r.options}`;
    }
    case 'array': {
      const a = v as unknown[];
      return a.length === 0
        ? '[]'
        : `[ ${a.map((x) => formatValue(x === undefined ? null : x)).join(', ')} ]`;
    }
    case 'object': {
      const entries = documentEntries(v);
      return entries.length === 0
        ? '{}'
        : `{ ${entries.map(([k, x]) => `${k}: ${formatValue(x)}`).join(', ')} }`;
    }
    case 'minKey':
      return 'MinKey';
    case 'maxKey':
      return 'MaxKey';
    default:
      return bsonTag(v) ?? String(v);
  }
}

/** `name: value`, as mongod prints one element. */
export function formatElement(name: string, v: unknown): string {
  return `${name}: ${formatValue(v)}`;
}

/** The `_id: 1` part of messages that name the document being updated ('no id' without one). */
export function describeId(doc: unknown): string {
  const id = bsonTypeOf(doc) === 'object' ? (doc as Record<string, unknown>)._id : undefined;
  return id === undefined ? 'no id' : formatElement('_id', id);
}

/** MongoDB's type name of a value (as in `$type` aliases). */
export function typeName(v: unknown): BsonTypeName {
  return bsonTypeOf(v);
}

/** SafeNum::debugString, used by $inc/$mul overflow messages: `(NumberInt)42`. */
export function numericDebugString(v: unknown): string {
  switch (bsonTypeOf(v)) {
    case 'int':
      return `(NumberInt)${formatValue(v)}`;
    case 'long':
      return `(NumberLong)${formatValue(v)}`;
    case 'double':
      return `(NumberDouble)${formatValue(v)}`;
    case 'decimal':
      return `(NumberDecimal)${String(v as object)}`;
    default:
      return formatValue(v);
  }
}
