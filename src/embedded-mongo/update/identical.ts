/**
 * Binary identity of BSON values: same type and same bytes, recursively, with field order.
 * mongod counts a write as a modification (nModified) only when the new value is not binary
 * equal to the old one, so `{$set: {a: 1}}` on `{a: 1}` is a no-op but `{$set: {a: 1.0}}` is
 * not. `valuesEqual` (MongoDB comparison) is the wrong test here: it equates 1, 1.0 and 1L.
 */
import { bsonTypeOf, isPlainObject, numberValueOf } from '../values/types.js';
import { documentEntries, compareValues } from '../values/compare.js';
import { toBigInt } from '../values/numeric.js';

function decimalBytes(v: unknown): string {
  const bytes = (v as { bytes?: Uint8Array }).bytes;
  return bytes instanceof Uint8Array ? Buffer.from(bytes).toString('hex') : String(v as object);
}

export function identical(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = bsonTypeOf(a);
  if (ta !== bsonTypeOf(b)) return false;
  switch (ta) {
    case 'int':
    case 'long':
      return toBigInt(a) === toBigInt(b);
    case 'double':
      return Object.is(numberValueOf(a), numberValueOf(b));
    case 'decimal':
      return decimalBytes(a) === decimalBytes(b);
    case 'array': {
      const x = a as unknown[];
      const y = b as unknown[];
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (!identical(x[i] ?? null, y[i] ?? null)) return false;
      return true;
    }
    case 'object': {
      if (!isPlainObject(a) || !isPlainObject(b)) return compareValues(a, b) === 0;
      const ea = documentEntries(a);
      const eb = documentEntries(b);
      if (ea.length !== eb.length) return false;
      for (let i = 0; i < ea.length; i++) {
        if (ea[i][0] !== eb[i][0] || !identical(ea[i][1], eb[i][1])) return false;
      }
      return true;
    }
    default:
      return compareValues(a, b) === 0;
  }
}
