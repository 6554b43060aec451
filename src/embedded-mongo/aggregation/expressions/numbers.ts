/**
 * Numeric helpers shared by arithmetic operators and accumulators, with MongoDB's coercions
 * (Value::coerceToLong / integral / integral64Bit) and Decimal128 results that keep the exponent
 * MongoDB keeps ("0.10" + "0.20" = "0.30", 1.0 (double) mixed into decimal math gives 34 digits).
 */
import { Decimal128, Long } from '../../bson.js';
import { Dec, numericKind, toBigInt, toDec, toDouble, type NumericKind } from '../../values/index.js';

/** A decimal value with the number of fraction digits its Decimal128 form shows. */
export interface ScaledDec {
  d: Dec;
  scale: number;
}

/** Digits after the point in a plain or exponent number text ("1.50" -> 2, "1.5E+3" -> 0). */
function scaleOfText(s: string): number {
  const m = /^-?(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(s);
  if (!m) return 0;
  const frac = m[2] ? m[2].length : 0;
  const exp = m[3] ? parseInt(m[3], 10) : 0;
  return Math.max(0, frac - exp);
}

/** A double as Decimal128(double, kRoundTo34Digits) would hold it (or 15 digits when asked). */
export function doubleToScaledDec(x: number, digits = 34): ScaledDec {
  if (!Number.isFinite(x)) return { d: new Dec(x), scale: 0 };
  const text = x.toPrecision(digits);
  return { d: new Dec(text), scale: scaleOfText(text) };
}

function u32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16)) + b[off + 3] * 0x1000000;
}

/** A Decimal128 taken apart: value = (neg ? -1 : 1) * coef * 10^exp, or a special value. */
export interface DecimalParts {
  readonly neg: boolean;
  readonly coef: bigint;
  readonly exp: number;
  readonly special?: 'nan' | 'inf';
}

/**
 * Decodes a Decimal128's bytes (IEEE 754-2008 BID) without going through its text form, which is
 * an order of magnitude slower; used on hot paths such as $sum over prices.
 */
export function decimal128Parts(v: unknown): DecimalParts {
  const b = (v as { bytes: Uint8Array }).bytes;
  const lo = BigInt(u32(b, 0)) | (BigInt(u32(b, 4)) << 32n);
  const hiHigh = u32(b, 12);
  const hi = BigInt(u32(b, 8)) | (BigInt(hiHigh) << 32n);
  const neg = hiHigh >= 0x80000000;
  if (((hiHigh >>> 29) & 3) === 3) {
    const top5 = (hiHigh >>> 26) & 0x1f;
    if (top5 === 0x1e) return { neg, coef: 0n, exp: 0, special: 'inf' };
    if (top5 === 0x1f) return { neg, coef: 0n, exp: 0, special: 'nan' };
    // The large-coefficient form only encodes values above 10^34: non-canonical, read as zero.
    return { neg, coef: 0n, exp: Number((hi >> 47n) & 0x3fffn) - 6176 };
  }
  const exp = Number((hi >> 49n) & 0x3fffn) - 6176;
  const coef = ((hi & 0x1ffffffffffffn) << 64n) | lo;
  return { neg, coef, exp };
}

function partsToDec(p: DecimalParts): Dec {
  if (p.special === 'nan') return new Dec(NaN);
  if (p.special === 'inf') return new Dec(p.neg ? -Infinity : Infinity);
  return new Dec(`${p.neg ? '-' : ''}${p.coef}e${p.exp}`);
}

export function toScaledDec(v: unknown): ScaledDec {
  const kind = numericKind(v);
  if (kind === 'decimal') {
    const p = decimal128Parts(v);
    return { d: partsToDec(p), scale: Math.max(0, -p.exp) };
  }
  if (kind === 'double') return doubleToScaledDec(toDouble(v));
  return { d: new Dec(toBigInt(v).toString()), scale: 0 };
}

/** Builds a Decimal128 showing at least `scale` fraction digits (when they fit in 34 digits). */
export function decOut(value: Dec, scale = 0): Decimal128 {
  if (value.isNaN()) return Decimal128.fromString('NaN');
  if (!value.isFinite()) return Decimal128.fromString(value.isNeg() ? '-Infinity' : 'Infinity');
  // Decimal128 holds 34 significant digits; exact intermediate results may carry more.
  const d = value.precision(true) > 34 ? value.toSignificantDigits(34, Dec.ROUND_HALF_EVEN) : value;
  const natural = d.decimalPlaces();
  const s = Math.max(scale, natural);
  if (s > 0) {
    const digitCount = (text: string) => text.replace(/[-.]/g, '').replace(/^0+/, '').length;
    const fixed = d.toFixed(s);
    const n = digitCount(fixed);
    if (n <= 34) return Decimal128.fromString(fixed);
    // Keep as many fraction digits as 34 significant digits allow (as IEEE rounding does).
    const fewer = s - (n - 34);
    if (fewer >= 0) {
      const rounded = d.toFixed(fewer);
      if (digitCount(rounded) <= 34) return Decimal128.fromString(rounded);
    }
  }
  if (d.isZero()) return Decimal128.fromString(d.isNeg() ? '-0' : '0');
  const abs = d.abs();
  if (abs.gte('1e34') || abs.lt('1e-6')) return Decimal128.fromString(d.toExponential().replace('e', 'E'));
  return Decimal128.fromString(d.toFixed());
}

/** Value::coerceToLong: doubles and decimals truncate toward zero. */
export function coerceToLong(v: unknown): bigint {
  const kind = numericKind(v);
  if (kind === 'int' || kind === 'long') return toBigInt(v);
  if (kind === 'decimal') {
    const d = toDec(v);
    if (!d.isFinite()) return 0n;
    return BigInt(d.truncated().toFixed());
  }
  const x = toDouble(v);
  if (!Number.isFinite(x)) return x > 0 ? 2n ** 63n - 1n : x < 0 ? -(2n ** 63n) : 0n;
  return BigInt(Math.trunc(x));
}

export function coerceToInt(v: unknown): number {
  return Number(BigInt.asIntN(32, coerceToLong(v)));
}

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

function integralIn(v: unknown, min: bigint, max: bigint): boolean {
  const kind = numericKind(v);
  if (!kind) return false;
  if (kind === 'int') return true;
  if (kind === 'long') {
    const b = toBigInt(v);
    return b >= min && b <= max;
  }
  if (kind === 'decimal') {
    const d = toDec(v);
    if (!d.isFinite() || !d.isInteger()) return false;
    const b = BigInt(d.toFixed());
    return b >= min && b <= max;
  }
  const x = toDouble(v);
  if (!Number.isInteger(x)) return false;
  return x >= Number(min) && x <= Number(max) && (max < 2n ** 62n || x < 2 ** 63);
}

/** Value::integral(): a whole number representable as an int32. */
export function isIntegral(v: unknown): boolean {
  return integralIn(v, BigInt(I32_MIN), BigInt(I32_MAX));
}

/** Value::integral64Bit(): a whole number representable as an int64. */
export function isIntegral64(v: unknown): boolean {
  return integralIn(v, -(2n ** 63n), 2n ** 63n - 1n);
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

export function fitsLong(b: bigint): boolean {
  return b >= INT64_MIN && b <= INT64_MAX;
}

export function kindOf(v: unknown): NumericKind | undefined {
  return numericKind(v);
}

export function longValue(v: Long | bigint): bigint {
  return typeof v === 'bigint' ? v : v.toBigInt();
}

/** C's printf("%g") (6 significant digits), which MongoDB uses when it turns a double into text. */
export function formatDoubleG(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const P = 6;
  const exp = Number(x.toExponential(P - 1).split('e')[1]);
  if (exp < -4 || exp >= P) {
    const [mant, e] = x.toExponential(P - 1).split('e');
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, P - 1 - exp));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/**
 * A double as `fmt::format("{}", x)` prints it, which current mongod uses for $toString /
 * $convert: the shortest digits that round-trip, in fixed notation for exponents -4..15 and
 * exponent notation (at least two exponent digits) otherwise.
 */
export function formatDoubleShortest(x: number): string {
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  const neg = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${neg ? '-' : ''}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  let text: string;
  if (exp < 0) text = `0.${'0'.repeat(-exp - 1)}${digits}`;
  else if (digits.length <= exp + 1) text = digits + '0'.repeat(exp + 1 - digits.length);
  else text = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return (neg ? '-' : '') + text;
}
