/**
 * Single-value predicates of the query operators (MongoDB's `matchesSingleElement`), built once
 * per filter with fast paths for the common value types and exact semantics everywhere:
 * comparisons are type-bracketed (`$gt: 5` only sees numbers), NaN equals NaN but is never
 * greater or less than anything, `null` stands for null and missing, MinKey/MaxKey compare
 * across types, and numbers of every BSON type compare by exact value.
 */
import {
  Dec,
  bsonTypeOf,
  canonicalRank,
  compareValues,
  isNumericType,
  keyString,
  toBigInt,
  toDec,
  type BsonTypeName,
} from '../values/index.js';
import type { StringComparator } from './collation.js';
import type { Pred } from './paths.js';

const TWO_63 = 2 ** 63;

function decimalAsNumber(v: unknown): number | undefined {
  const s = String(v);
  if (s === 'NaN' || s === '-NaN') return NaN;
  if (s === 'Infinity') return Infinity;
  if (s === '-Infinity') return -Infinity;
  const n = Number(s);
  if (!Number.isFinite(n)) return undefined;
  // MongoDB compares a decimal with a double exactly (compareDecimalToDouble).
  return new Dec(exactDecimalOfDouble(n)).eq(toDec(v)) ? n : undefined;
}

const f64 = new DataView(new ArrayBuffer(8));

/** The exact decimal value of a finite double (e.g. 0.1 is 0.1000000000000000055511151231257827021181583404541015625). */
export function exactDecimalOfDouble(x: number): string {
  f64.setFloat64(0, x);
  const bits = f64.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n);
  const e = (exponent === 0 ? 1 : exponent) - 1075;
  let text: string;
  if (e >= 0) {
    text = (mantissa << BigInt(e)).toString();
  } else {
    const digits = (mantissa * 5n ** BigInt(-e)).toString().padStart(-e + 1, '0');
    text = `${digits.slice(0, digits.length + e)}.${digits.slice(digits.length + e)}`;
  }
  return negative ? `-${text}` : text;
}

/**
 * The JS number whose value MongoDB considers equal to numeric `v`, or undefined when `v` is not
 * a number or no double has exactly its value (a Long beyond 2^53, Decimal128("0.1")).
 */
export function exactNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'object' || v === null) return typeof v === 'bigint' ? bigintAsNumber(v) : undefined;
  switch ((v as { _bsontype?: unknown })._bsontype) {
    case 'Int32':
    case 'Double':
      return (v as { value: number }).value;
    case 'Long':
      return bigintAsNumber((v as { toBigInt(): bigint }).toBigInt());
    case 'Decimal128':
      return decimalAsNumber(v);
    default:
      return undefined;
  }
}

/**
 * Compares two numeric values exactly. A double and a decimal compare by their exact values, as
 * MongoDB's compareDecimalToDouble does (values/compareValues rounds the double first).
 */
export function compareNumbers(a: unknown, b: unknown): number {
  const ta = bsonTypeOf(a);
  const tb = bsonTypeOf(b);
  if ((ta === 'double' && tb === 'decimal') || (ta === 'decimal' && tb === 'double')) {
    const d = exactNumber(ta === 'double' ? a : b) as number;
    const dec = toDec(ta === 'decimal' ? a : b);
    if (Number.isFinite(d) && dec.isFinite()) {
      const c = new Dec(exactDecimalOfDouble(d)).comparedTo(dec);
      return ta === 'double' ? c : -c;
    }
  }
  return compareValues(a, b);
}

function bigintAsNumber(b: bigint): number | undefined {
  const n = Number(b);
  return Number.isSafeInteger(n) || BigInt(n) === b ? n : undefined;
}

function isNaNNumber(v: unknown): boolean {
  const n = exactNumber(v);
  return n !== undefined && n !== n;
}

function isNullish(v: unknown): boolean {
  return v === null || v === undefined;
}

function stringOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  return bsonTypeOf(v) === 'symbol' ? String((v as { value: unknown }).value) : undefined;
}

/**
 * `$eq` (and implicit equality): exact cross-type numeric equality, null matches missing; strings
 * compare with `collator` when given.
 */
export function equalityPred(rhs: unknown, collator?: StringComparator): Pred {
  if (isNullish(rhs)) return isNullish;
  const t = bsonTypeOf(rhs);
  if (t === 'string' || t === 'symbol') {
    const r = stringOf(rhs) as string;
    if (collator) {
      return (v) => {
        const s = stringOf(v);
        return s !== undefined && collator(s, r) === 0;
      };
    }
    return (v) => (typeof v === 'string' ? v === r : stringOf(v) === r);
  }
  if (t === 'bool') return (v) => v === rhs;
  if (isNumericType(t)) {
    const x = exactNumber(rhs);
    // Only numbers without an exact double (large longs, decimals) can equal one without an exact double.
    if (x === undefined) {
      return (v) =>
        exactNumber(v) === undefined && isNumericType(bsonTypeOf(v)) && compareNumbers(v, rhs) === 0;
    }
    if (x !== x) return isNaNNumber;
    // A numeric value with no exact double can't equal one that has one.
    return (v) => (typeof v === 'number' ? v === x : exactNumber(v) === x);
  }
  const rank = canonicalRank(t);
  return (v) => canonicalRank(bsonTypeOf(v)) === rank && compareValues(v, rhs) === 0;
}

export type ComparisonOperator = '$lt' | '$lte' | '$gt' | '$gte';

function signTest(op: ComparisonOperator): (c: number) => boolean {
  switch (op) {
    case '$lt':
      return (c) => c < 0;
    case '$lte':
      return (c) => c <= 0;
    case '$gt':
      return (c) => c > 0;
    case '$gte':
      return (c) => c >= 0;
  }
}

function numberTest(op: ComparisonOperator, x: number): Pred {
  // JS comparisons with NaN are false, exactly as MongoDB's for a non-NaN bound.
  switch (op) {
    case '$lt':
      return (v) => (v as number) < x;
    case '$lte':
      return (v) => (v as number) <= x;
    case '$gt':
      return (v) => (v as number) > x;
    case '$gte':
      return (v) => (v as number) >= x;
  }
}

/** `$lt $lte $gt $gte` with MongoDB's type bracketing; strings compare with `collator` when given. */
export function comparisonPred(op: ComparisonOperator, rhs: unknown, collator?: StringComparator): Pred {
  const inclusive = op === '$lte' || op === '$gte';
  if (isNullish(rhs)) return inclusive ? isNullish : () => false;
  const t = bsonTypeOf(rhs);
  if (t === 'minKey' || t === 'maxKey') {
    const crossType = op === '$lt' || op === '$lte' ? t === 'maxKey' : t === 'minKey';
    return (v) => (bsonTypeOf(v) === t ? inclusive : crossType);
  }
  const test = signTest(op);
  const rank = canonicalRank(t);
  if (collator && (t === 'string' || t === 'symbol')) {
    const r = stringOf(rhs) as string;
    return (v) => {
      const s = stringOf(v);
      return s !== undefined && test(collator(s, r));
    };
  }
  if (isNumericType(t)) {
    const x = exactNumber(rhs);
    if (x !== undefined && x !== x) return inclusive ? isNaNNumber : () => false;
    const general: Pred = (v) => {
      if (!isNumericType(bsonTypeOf(v)) || isNaNNumber(v)) return false;
      return test(compareNumbers(v, rhs));
    };
    if (x === undefined) return general;
    const fast = numberTest(op, x);
    return (v) => {
      if (typeof v === 'number') return fast(v);
      const tag = typeof v === 'object' && v !== null ? (v as { _bsontype?: unknown })._bsontype : undefined;
      if (tag === 'Int32' || tag === 'Double') return fast((v as { value: number }).value);
      return general(v);
    };
  }
  return (v) => canonicalRank(bsonTypeOf(v)) === rank && test(compareValues(v, rhs));
}

/** The membership test of `$in`: hashed by exact value, plus regexes. */
export class ValueSet {
  /** With a collation, strings are compared one by one (ICU has no cheap hash key). */
  private readonly collatedStrings: string[] = [];
  private readonly strings = new Set<string>();
  private readonly numbers = new Set<number>();
  private readonly inexactNumbers: unknown[] = [];
  private readonly keys = new Set<string>();
  private readonly keyRanks = new Set<number>();
  private readonly regexes: Pred[] = [];
  private hasNull = false;
  private hasTrue = false;
  private hasFalse = false;

  constructor(private readonly collator?: StringComparator) {}

  private addString(s: string): void {
    if (this.collator) this.collatedStrings.push(s);
    else this.strings.add(s);
  }

  private hasString(s: string): boolean {
    if (!this.collator) return this.strings.has(s);
    for (const c of this.collatedStrings) if (this.collator(s, c) === 0) return true;
    return false;
  }

  add(v: unknown): void {
    if (typeof v === 'string') {
      this.addString(v);
      return;
    }
    if (isNullish(v)) {
      this.hasNull = true;
      return;
    }
    if (typeof v === 'boolean') {
      if (v) this.hasTrue = true;
      else this.hasFalse = true;
      return;
    }
    const t = bsonTypeOf(v);
    if (isNumericType(t)) {
      const n = exactNumber(v);
      if (n !== undefined) this.numbers.add(n);
      else this.inexactNumbers.push(v);
      return;
    }
    if (t === 'symbol') {
      this.addString(String((v as { value: unknown }).value));
      return;
    }
    this.keys.add(keyString(v));
    this.keyRanks.add(canonicalRank(t));
  }

  addRegex(pred: Pred): void {
    this.regexes.push(pred);
  }

  private regexMatch(v: unknown): boolean {
    for (const r of this.regexes) if (r(v)) return true;
    return false;
  }

  has(v: unknown): boolean {
    if (typeof v === 'string') return this.hasString(v) || (this.regexes.length > 0 && this.regexMatch(v));
    if (isNullish(v)) return this.hasNull;
    if (typeof v === 'boolean') return v ? this.hasTrue : this.hasFalse;
    const n = exactNumber(v);
    if (n !== undefined) return this.numbers.has(n);
    const t = bsonTypeOf(v);
    if (isNumericType(t)) return this.inexactNumbers.some((x) => compareNumbers(v, x) === 0);
    if (this.regexes.length > 0 && this.regexMatch(v)) return true;
    if (t === 'symbol') return this.hasString(String((v as { value: unknown }).value));
    return this.keyRanks.has(canonicalRank(t)) && this.keys.has(keyString(v));
  }
}

/** `$type`: the value's BSON type is one of `types` (missing never matches). */
export function typePred(types: ReadonlySet<BsonTypeName>): Pred {
  return (v) => v !== undefined && types.has(bsonTypeOf(v));
}

/** `$size`. */
export function sizePred(n: number): Pred {
  return (v) => Array.isArray(v) && v.length === n;
}

/** The 64-bit integer MongoDB's `$mod` divides: doubles and decimals truncated, else undefined. */
function modDividend(v: unknown): bigint | undefined {
  const t = bsonTypeOf(v);
  switch (t) {
    case 'int':
    case 'long':
      return toBigInt(typeof v === 'number' ? Math.trunc(v) : v);
    case 'double': {
      const d = exactNumber(v) ?? NaN;
      if (!Number.isFinite(d)) return undefined;
      const tr = Math.trunc(d);
      return tr >= TWO_63 || tr < -TWO_63 ? undefined : BigInt(tr);
    }
    case 'decimal': {
      const d = toDec(v);
      if (!d.isFinite()) return undefined;
      const tr = BigInt(d.trunc().toFixed());
      return tr >= 2n ** 63n || tr < -(2n ** 63n) ? undefined : tr;
    }
    default:
      return undefined;
  }
}

/** `$mod: [divisor, remainder]` (divisor != 0, both already truncated to 64-bit integers). */
export function modPred(divisor: bigint, remainder: bigint): Pred {
  const small =
    divisor >= -(2n ** 31n) && divisor < 2n ** 31n && remainder >= -(2n ** 31n) && remainder < 2n ** 31n;
  const d = Number(divisor);
  const r = Number(remainder);
  return (v) => {
    if (small) {
      const n = exactNumber(v);
      if (n !== undefined && Number.isSafeInteger(n)) return (d === -1 ? 0 : n % d) === r;
    }
    const x = modDividend(v);
    if (x === undefined) return false;
    return (divisor === -1n ? 0n : x % divisor) === remainder;
  };
}

export type BitsOperator = '$bitsAllSet' | '$bitsAllClear' | '$bitsAnySet' | '$bitsAnyClear';

function binaryBytes(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  const b = v as { buffer?: Uint8Array; position?: number };
  if (b.buffer instanceof Uint8Array) return b.buffer.subarray(0, b.position ?? b.buffer.length);
  return undefined;
}

function bitsOperand(v: unknown): bigint | undefined {
  const t = bsonTypeOf(v);
  if (t === 'int' || t === 'long')
    return BigInt.asUintN(64, toBigInt(typeof v === 'number' ? Math.trunc(v) : v));
  if (t === 'double' || t === 'decimal') {
    const d = toDec(v);
    if (!d.isFinite() || !d.isInteger()) return undefined;
    const b = BigInt(d.toFixed());
    if (b >= 2n ** 63n || b < -(2n ** 63n)) return undefined;
    return BigInt.asUintN(64, b);
  }
  return undefined;
}

/** `$bitsAllSet` & co. over numbers (two's complement, sign-extended) and BinData. */
export function bitsPred(op: BitsOperator, positions: readonly number[]): Pred {
  let mask = 0n;
  for (const p of positions) mask |= 1n << BigInt(Math.min(p, 63));
  const any = op === '$bitsAnySet' || op === '$bitsAnyClear';
  const wantSet = op === '$bitsAllSet' || op === '$bitsAnySet';
  return (v) => {
    if (bsonTypeOf(v) === 'binData') {
      const bytes = binaryBytes(v) ?? new Uint8Array();
      for (const p of positions) {
        const set = p < bytes.length * 8 && ((bytes[p >> 3] >> (p & 7)) & 1) === 1;
        if (set === wantSet) {
          if (any) return true;
        } else if (!any) {
          return false;
        }
      }
      return !any;
    }
    const x = bitsOperand(v);
    if (x === undefined) return false;
    const bits = x & mask;
    switch (op) {
      case '$bitsAllSet':
        return bits === mask;
      case '$bitsAllClear':
        return bits === 0n;
      case '$bitsAnySet':
        return bits !== 0n;
      case '$bitsAnyClear':
        return bits !== mask;
    }
  };
}

/** BSON truthiness (BSONElement::trueValue / Value::coerceToBool). */
export function trueValue(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (v === true) return true;
  const t = bsonTypeOf(v);
  if (isNumericType(t)) {
    if (t === 'decimal') return !toDec(v).isZero();
    const n = exactNumber(v);
    return n === undefined || n !== 0;
  }
  return true;
}
