/**
 * Exact numeric semantics of MongoDB across int32, int64, double and decimal128.
 *
 * Arithmetic result types follow MongoDB: the wider operand type wins (int < long < double <
 * decimal); int32 overflow widens to long, long overflow widens to double. Decimal128 math is done
 * in decimal (never through binary floating point) and keeps the scale MongoDB keeps for + and -
 * and *, so "1.10" + "2.20" = "3.30".
 */
import { Decimal } from 'decimal.js';
import { Decimal128, Double, Long } from 'bson';
import { bsonTag, bsonTypeOf, type BsonTypeName } from './types.js';

/** decimal.js configured like IEEE 754-2008 decimal128: 34 significant digits, half-even. */
export const Dec = Decimal.clone({
  precision: 34,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Dec = InstanceType<typeof Dec>;

const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export type NumericKind = 'int' | 'long' | 'double' | 'decimal';

export function numericKind(v: unknown): NumericKind | undefined {
  const t: BsonTypeName = bsonTypeOf(v);
  return t === 'int' || t === 'long' || t === 'double' || t === 'decimal' ? t : undefined;
}

const RANK: Record<NumericKind, number> = { int: 0, long: 1, double: 2, decimal: 3 };

export function widerKind(a: NumericKind, b: NumericKind): NumericKind {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Integral value of an int/long as bigint. */
export function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  const tag = bsonTag(v);
  if (tag === 'Long') return (v as Long).toBigInt();
  if (tag === 'Int32') return BigInt((v as { value: number }).value);
  throw new TypeError('not an integer value');
}

export function toDouble(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const tag = bsonTag(v);
  if (tag === 'Int32' || tag === 'Double') return (v as { value: number }).value;
  if (tag === 'Long') return (v as Long).toNumber();
  if (tag === 'Decimal128') return Number((v as Decimal128).toString());
  return NaN;
}

/**
 * The decimal value of a number. A double is rounded to `doubleDigits` significant digits, as
 * MongoDB converts doubles to Decimal128: 15 digits in arithmetic (Decimal128(double)'s default),
 * 34 in comparisons (compareDecimalToDouble), so double 0.1 is not equal to decimal 0.1.
 */
export function toDec(v: unknown, doubleDigits = 15): Dec {
  const tag = bsonTag(v);
  // Decimal128 prints NaN / Infinity / -Infinity the way decimal.js parses them.
  if (tag === 'Decimal128') return new Dec((v as Decimal128).toString());
  if (tag === 'Long' || typeof v === 'bigint') return new Dec(toBigInt(v).toString());
  const d = toDouble(v);
  if (!Number.isFinite(d)) return new Dec(d);
  return new Dec(d.toPrecision(doubleDigits));
}

/** Digits after the decimal point of a Decimal128 (its negative exponent), 0 for integers. */
export function decimalScale(v: unknown): number {
  if (bsonTag(v) !== 'Decimal128') return 0;
  const s = (v as Decimal128).toString();
  const m = /^-?(\d+)(?:\.(\d+))?(?:E([+-]\d+))?$/i.exec(s);
  if (!m) return 0;
  const frac = m[2] ? m[2].length : 0;
  const exp = m[3] ? parseInt(m[3], 10) : 0;
  return Math.max(0, frac - exp);
}

/** Builds a Decimal128 from a decimal.js value, showing `scale` fraction digits when they fit in 34 digits. */
export function decToBson(d: Dec, scale?: number): Decimal128 {
  if (d.isNaN()) return Decimal128.fromString('NaN');
  if (!d.isFinite()) return Decimal128.fromString(d.isNeg() ? '-Infinity' : 'Infinity');
  if (scale !== undefined && scale > 0) {
    const fixed = d.toFixed(scale);
    if (fixed.replace(/[-.]/g, '').replace(/^0+/, '').length <= 34) return Decimal128.fromString(fixed);
  }
  return Decimal128.fromString(d.toString());
}

/** Wraps a JS number as a typed BSON value of `kind` (int -> number, long -> Long, double -> Double). */
function fromBigInt(n: bigint, kind: 'int' | 'long'): unknown {
  if (kind === 'int' && n >= INT32_MIN && n <= INT32_MAX) return Number(n);
  if (n >= INT64_MIN && n <= INT64_MAX) return Long.fromBigInt(n);
  return new Double(Number(n));
}

export type ArithOp = 'add' | 'subtract' | 'multiply';

/** a (op) b with MongoDB's type promotion; both operands must be numeric. */
export function arith(op: ArithOp, a: unknown, b: unknown): unknown {
  const ka = numericKind(a);
  const kb = numericKind(b);
  if (!ka || !kb) throw new TypeError('non-numeric operand');
  const kind = widerKind(ka, kb);
  if (kind === 'decimal') {
    const x = toDec(a);
    const y = toDec(b);
    const sa = decimalScale(a);
    const sb = decimalScale(b);
    if (op === 'add') return decToBson(x.plus(y), Math.max(sa, sb));
    if (op === 'subtract') return decToBson(x.minus(y), Math.max(sa, sb));
    return decToBson(x.times(y), sa + sb);
  }
  if (kind === 'double') {
    const x = toDouble(a);
    const y = toDouble(b);
    return new Double(op === 'add' ? x + y : op === 'subtract' ? x - y : x * y);
  }
  const x = toBigInt(a);
  const y = toBigInt(b);
  const r = op === 'add' ? x + y : op === 'subtract' ? x - y : x * y;
  return fromBigInt(r, kind);
}

export function add(a: unknown, b: unknown): unknown {
  return arith('add', a, b);
}
export function subtract(a: unknown, b: unknown): unknown {
  return arith('subtract', a, b);
}
export function multiply(a: unknown, b: unknown): unknown {
  return arith('multiply', a, b);
}

/** $divide: decimal if either is decimal, else double (as MongoDB). Caller checks division by zero. */
export function divide(a: unknown, b: unknown): unknown {
  const ka = numericKind(a);
  const kb = numericKind(b);
  if (!ka || !kb) throw new TypeError('non-numeric operand');
  if (ka === 'decimal' || kb === 'decimal') return decToBson(toDec(a).dividedBy(toDec(b)));
  return new Double(toDouble(a) / toDouble(b));
}

/** $mod: result type of the wider operand; sign follows the dividend (truncated division). */
export function mod(a: unknown, b: unknown): unknown {
  const ka = numericKind(a);
  const kb = numericKind(b);
  if (!ka || !kb) throw new TypeError('non-numeric operand');
  const kind = widerKind(ka, kb);
  if (kind === 'decimal') return decToBson(toDec(a).mod(toDec(b)));
  if (kind === 'double') return new Double(toDouble(a) % toDouble(b));
  return fromBigInt(toBigInt(a) % toBigInt(b), kind);
}

export function isZero(v: unknown): boolean {
  const k = numericKind(v);
  if (!k) return false;
  if (k === 'decimal') return toDec(v).isZero();
  return toDouble(v) === 0;
}

export function isNaNValue(v: unknown): boolean {
  const k = numericKind(v);
  if (k === 'decimal') return toDec(v).isNaN();
  if (k === 'double') return Number.isNaN(toDouble(v));
  return false;
}

/**
 * Total order on numeric values (NaN sorts below every other number and equals NaN), exact
 * between integers of any width and between decimals.
 */
export function compareNumeric(a: unknown, b: unknown): number {
  const ka = numericKind(a);
  const kb = numericKind(b);
  if (!ka || !kb) throw new TypeError('non-numeric operand');
  if ((ka === 'int' || ka === 'long') && (kb === 'int' || kb === 'long')) {
    const x = toBigInt(a);
    const y = toBigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ka === 'decimal' || kb === 'decimal') {
    const x = toDec(a, 34);
    const y = toDec(b, 34);
    if (x.isNaN() || y.isNaN()) return x.isNaN() ? (y.isNaN() ? 0 : -1) : 1;
    return x.comparedTo(y);
  }
  const x = toDouble(a);
  const y = toDouble(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1;
  if (x === y && (ka === 'long' || kb === 'long')) {
    // Doubles lose precision past 2^53: compare exactly when the double is integral.
    const other = ka === 'long' ? b : a;
    const d = toDouble(other);
    if (Number.isInteger(d)) {
      const bx = ka === 'long' ? toBigInt(a) : BigInt(d);
      const by = kb === 'long' ? toBigInt(b) : BigInt(d);
      return bx < by ? -1 : bx > by ? 1 : 0;
    }
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Canonical text of a number for equality keys: 1, 1.0, 1L and Decimal("1.00") all give "1". */
export function canonicalNumberText(v: unknown): string {
  const k = numericKind(v);
  if (k === 'int' || k === 'long') return toBigInt(v).toString();
  if (k === 'double') {
    const d = toDouble(v);
    if (Number.isNaN(d)) return 'NaN';
    if (!Number.isFinite(d)) return d > 0 ? 'Infinity' : '-Infinity';
    if (Number.isInteger(d) && Math.abs(d) < 2 ** 63) return BigInt(d).toString();
    return toDec(d, 34).toString();
  }
  const x = toDec(v, 34);
  if (x.isNaN()) return 'NaN';
  if (!x.isFinite()) return x.isNeg() ? '-Infinity' : 'Infinity';
  if (x.isZero()) return '0';
  return x.toString();
}
