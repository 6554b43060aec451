/**
 * Canonical equality keys: keyString(a) === keyString(b) exactly when compareValues(a, b) === 0.
 * Used for `_id` maps, unique-index hash lookups, $group keys, $addToSet and distinct.
 */
import { bsonTypeOf } from './types.js';
import { canonicalNumberText } from './numeric.js';
import { documentEntries } from './compare.js';

function bytesHex(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  const b = v as { buffer?: Uint8Array; position?: number; sub_type?: number };
  const bytes =
    b.buffer instanceof Uint8Array ? b.buffer.subarray(0, b.position ?? b.buffer.length) : new Uint8Array();
  return Buffer.from(bytes).toString('hex');
}

export function keyString(v: unknown): string {
  const t = bsonTypeOf(v);
  switch (t) {
    case 'missing':
    case 'undefined':
    case 'null':
      return 'N';
    case 'minKey':
      return 'm';
    case 'maxKey':
      return 'M';
    case 'int':
    case 'long':
    case 'double':
    case 'decimal':
      return 'n' + canonicalNumberText(v);
    case 'string':
      return 's' + (v as string);
    case 'symbol':
      return 's' + String((v as { value: unknown }).value);
    case 'bool':
      return v ? 'b1' : 'b0';
    case 'date':
      return 'd' + (v as Date).getTime();
    case 'objectId':
      return 'o' + (v as { toHexString(): string }).toHexString();
    case 'binData':
      return 'x' + ((v as { sub_type?: number }).sub_type ?? 0) + ':' + bytesHex(v);
    case 'timestamp': {
      const ts = v as { t?: number; i?: number; high?: number; low?: number };
      return 't' + (ts.t ?? ts.high) + ':' + (ts.i ?? ts.low);
    }
    case 'regex': {
      const r =
        v instanceof RegExp
          ? { pattern: v.source, options: v.flags }
          : (v as { pattern: string; options: string });
      return 'r' + JSON.stringify([r.pattern, r.options]);
    }
    case 'array':
      return '[' + (v as unknown[]).map(keyString).join(',') + ']';
    case 'object':
      return (
        '{' +
        documentEntries(v)
          .map(([k, x]) => JSON.stringify(k) + ':' + keyString(x))
          .join(',') +
        '}'
      );
    case 'javascript':
    case 'javascriptWithScope':
      return 'j' + JSON.stringify(String((v as { code: unknown }).code));
    case 'dbPointer':
      return 'p';
  }
}
