/**
 * Arithmetic operators with MongoDB's result types: the widest operand type wins (int < long <
 * double < decimal), int overflow widens to long and long overflow to double; dates take part in
 * $add and $subtract as milliseconds. Errors carry mongod's codes.
 */
import { Decimal128, Long } from '../../bson.js';
import { Dec, numericKind, toBigInt, toDec, toDouble, type NumericKind } from '../../values/index.js';
import {
  compileArgs,
  dbl,
  fail,
  foldIfConstant,
  intOrLong,
  isNullish,
  isNumber,
  nary,
  rangedArity,
  typeName,
  variadic,
  type OperatorCompiler,
} from './core.js';
import {
  coerceToLong,
  decOut,
  doubleToScaledDec,
  fitsLong,
  isIntegral,
  toScaledDec,
  type ScaledDec,
} from './numbers.js';

const TypeMismatch = 14;
const BadValue = 2;

const RANK: Record<NumericKind, number> = { int: 0, long: 1, double: 2, decimal: 3 };

function wider(a: NumericKind, b: NumericKind): NumericKind {
  return RANK[a] >= RANK[b] ? a : b;
}

function isDate(v: unknown): v is Date {
  return v instanceof Date;
}

/** MongoDB's AddState: separate long / double / decimal totals, widening as operands arrive. */
class AddState {
  private widest: NumericKind = 'int';
  private longTotal = 0n;
  private doubleTotal = 0;
  private dec: ScaledDec = { d: new Dec(0), scale: 0 };
  private date = false;

  add(v: unknown): void {
    const old = this.widest;
    let val: unknown = v;
    if (isDate(v)) {
      if (this.date) fail(16612, 'only one date allowed in an $add expression');
      this.date = true;
      val = Long.fromNumber(v.getTime());
    } else {
      const kind = numericKind(v);
      if (!kind) fail(TypeMismatch, `$add only supports numeric or date types, not ${typeName(v)}`);
      this.widest = wider(this.widest, kind);
    }
    if (old !== this.widest) {
      if (this.widest === 'double') this.doubleTotal = Number(this.longTotal);
      else if (this.widest === 'decimal') {
        this.dec =
          old === 'double'
            ? doubleToScaledDec(this.doubleTotal)
            : { d: new Dec(this.longTotal.toString()), scale: 0 };
      }
    }
    switch (this.widest) {
      case 'int':
      case 'long': {
        const next = this.longTotal + coerceToLong(val);
        if (!fitsLong(next)) {
          this.widest = 'double';
          this.doubleTotal = Number(this.longTotal) + toDouble(val);
        } else {
          this.longTotal = next;
        }
        break;
      }
      case 'double':
        this.doubleTotal += toDouble(val);
        break;
      case 'decimal': {
        const x = toScaledDec(val);
        this.dec = { d: this.dec.d.plus(x.d), scale: Math.max(this.dec.scale, x.scale) };
        break;
      }
    }
  }

  value(): unknown {
    if (this.date) {
      switch (this.widest) {
        case 'int':
        case 'long':
          return new Date(Number(this.longTotal));
        case 'double':
          if (!(this.doubleTotal >= -(2 ** 63) && this.doubleTotal < 2 ** 63)) {
            fail(15, 'date overflow in $add');
          }
          return new Date(llround(this.doubleTotal));
        case 'decimal':
          return new Date(Number(this.dec.d.toDecimalPlaces(0, Dec.ROUND_HALF_EVEN).toFixed()));
      }
    }
    switch (this.widest) {
      case 'int':
        return intOrLong(this.longTotal);
      case 'long':
        return Long.fromBigInt(this.longTotal);
      case 'double':
        return dbl(this.doubleTotal);
      case 'decimal':
        return decOut(this.dec.d, this.dec.scale);
    }
  }
}

/** C's llround: halves round away from zero. */
function llround(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

const $add: OperatorCompiler = variadic((args) => {
  const state = new AddState();
  for (const v of args) {
    if (isNullish(v)) return null;
    state.add(v);
  }
  return state.value();
});

function subtract(lhs: unknown, rhs: unknown): unknown {
  const kl = numericKind(lhs);
  const kr = numericKind(rhs);
  if (kl && kr) {
    const kind = wider(kl, kr);
    if (kind === 'decimal') {
      const a = toScaledDec(lhs);
      const b = toScaledDec(rhs);
      return decOut(a.d.minus(b.d), Math.max(a.scale, b.scale));
    }
    if (kind === 'double') return dbl(toDouble(lhs) - toDouble(rhs));
    const r = toBigInt(lhs) - toBigInt(rhs);
    if (kind === 'long') return fitsLong(r) ? Long.fromBigInt(r) : dbl(toDouble(lhs) - toDouble(rhs));
    return intOrLong(r);
  }
  if (isNullish(lhs) || isNullish(rhs)) return null;
  if (isDate(lhs)) {
    if (isDate(rhs)) return Long.fromNumber(lhs.getTime() - rhs.getTime());
    if (kr) return new Date(lhs.getTime() - Number(coerceToLong(rhs)));
    fail(TypeMismatch, `can't $subtract ${typeName(rhs)} from Date`);
  }
  fail(TypeMismatch, `can't $subtract ${typeName(rhs)} from ${typeName(lhs)}`);
}

const $subtract: OperatorCompiler = nary(2, ([a, b]) => subtract(a, b));

/** MongoDB's MultiplyState: a double product tracked beside the integer one. */
const $multiply: OperatorCompiler = variadic((args) => {
  let type: NumericKind = 'int';
  let doubleProduct = 1;
  let longProduct = 1n;
  let dec: ScaledDec | undefined;
  for (const v of args) {
    if (isNullish(v)) return null;
    const kind = numericKind(v);
    if (!kind) fail(TypeMismatch, `$multiply only supports numeric types, not ${typeName(v)}`);
    const old = type;
    type = wider(type, kind);
    if (type === 'decimal') {
      if (old !== 'decimal') {
        dec =
          old === 'double'
            ? doubleToScaledDec(doubleProduct, 15)
            : { d: new Dec(longProduct.toString()), scale: 0 };
      }
      const x = toScaledDec(v);
      const cur = dec as ScaledDec;
      dec = { d: cur.d.times(x.d), scale: cur.scale + x.scale };
    } else {
      const x = toDouble(v);
      doubleProduct *= x;
      if (type !== 'double') {
        const next = Number.isFinite(x) ? longProduct * coerceToLong(v) : undefined;
        if (next === undefined || !fitsLong(next)) type = 'double';
        else longProduct = next;
      }
    }
  }
  switch (type) {
    case 'double':
      return dbl(doubleProduct);
    case 'long':
      return Long.fromBigInt(longProduct);
    case 'int':
      return intOrLong(longProduct);
    case 'decimal': {
      const d = dec as ScaledDec;
      return decOut(d.d, Math.min(d.scale, 6176));
    }
  }
});

export function divideValues(lhs: unknown, rhs: unknown): unknown {
  if (isNumber(lhs) && isNumber(rhs)) {
    if (numericKind(lhs) === 'decimal' || numericKind(rhs) === 'decimal') {
      const a = toScaledDec(lhs);
      const b = toScaledDec(rhs);
      if (b.d.isZero()) fail(BadValue, "can't $divide by zero");
      return decOut(a.d.dividedBy(b.d), Math.max(0, a.scale - b.scale));
    }
    const denom = toDouble(rhs);
    if (denom === 0) fail(BadValue, "can't $divide by zero");
    return dbl(toDouble(lhs) / denom);
  }
  if (isNullish(lhs) || isNullish(rhs)) return null;
  fail(TypeMismatch, `$divide only supports numeric types, not ${typeName(lhs)} and ${typeName(rhs)}`);
}

const $divide: OperatorCompiler = nary(2, ([a, b]) => divideValues(a, b));

const $mod: OperatorCompiler = nary(2, ([lhs, rhs]) => {
  const kl = numericKind(lhs);
  const kr = numericKind(rhs);
  if (kl && kr) {
    if (kl === 'decimal' || kr === 'decimal') {
      const a = toScaledDec(lhs);
      const b = toScaledDec(rhs);
      if (b.d.isZero()) fail(5733415, "can't $mod by zero");
      return decOut(a.d.mod(b.d), Math.max(a.scale, b.scale));
    }
    const right = toDouble(rhs);
    if (right === 0) fail(16610, "can't $mod by zero");
    if (kl === 'double' || (kr === 'double' && !Number.isInteger(right))) {
      return dbl(toDouble(lhs) % right);
    }
    if (kl === 'long' || kr === 'long') {
      return Long.fromBigInt(coerceToLong(lhs) % coerceToLong(rhs));
    }
    return Number(BigInt(Math.trunc(toDouble(lhs))) % BigInt(Math.trunc(right)));
  }
  if (isNullish(lhs) || isNullish(rhs)) return null;
  fail(16611, `$mod only supports numeric types, not ${typeName(lhs)} and ${typeName(rhs)}`);
});

/** ExpressionSingleNumericArg: null -> null, non-numbers -> 28765. */
function singleNumeric(fn: (v: unknown, name: string) => unknown): OperatorCompiler {
  return nary(1, ([v], name) => {
    if (isNullish(v)) return null;
    if (!isNumber(v)) fail(28765, `${name} only supports numeric types, not ${typeName(v)}`);
    return fn(v, name);
  });
}

const $abs = singleNumeric((v) => {
  const kind = numericKind(v);
  if (kind === 'double') return dbl(Math.abs(toDouble(v)));
  if (kind === 'decimal') return decOut(toDec(v).abs(), toScaledDec(v).scale);
  const n = toBigInt(v);
  if (n === -(2n ** 63n)) fail(28680, "can't take $abs of long long min");
  const a = n < 0n ? -n : n;
  return kind === 'long' ? Long.fromBigInt(a) : intOrLong(a);
});

function roundInteger(dir: 'ceil' | 'floor') {
  return singleNumeric((v) => {
    const kind = numericKind(v);
    if (kind === 'double') return dbl(dir === 'ceil' ? Math.ceil(toDouble(v)) : Math.floor(toDouble(v)));
    if (kind === 'decimal') {
      const d = toDec(v);
      if (!d.isFinite()) return v;
      return decOut(d.toDecimalPlaces(0, dir === 'ceil' ? Dec.ROUND_CEIL : Dec.ROUND_FLOOR));
    }
    return v;
  });
}

const $sqrt = singleNumeric((v) => {
  if (numericKind(v) === 'decimal') {
    const d = toDec(v);
    if (d.lt(0)) fail(28714, "$sqrt's argument must be greater than or equal to 0");
    return decOut(d.sqrt());
  }
  const x = toDouble(v);
  if (x < 0) fail(28714, "$sqrt's argument must be greater than or equal to 0");
  return dbl(Math.sqrt(x));
});

const $exp = singleNumeric((v) => {
  if (numericKind(v) === 'decimal') return decOut(toDec(v).exp());
  return dbl(Math.exp(toDouble(v)));
});

const $ln = singleNumeric((v) => {
  if (numericKind(v) === 'decimal') {
    const d = toDec(v);
    if (d.gt(0)) return decOut(d.ln());
  }
  const x = toDouble(v);
  if (!(x > 0 || Number.isNaN(x))) fail(28766, `$ln's argument must be a positive number, but is ${x}`);
  return dbl(Math.log(x));
});

const $log10 = singleNumeric((v) => {
  if (numericKind(v) === 'decimal') {
    const d = toDec(v);
    if (d.gt(0)) return decOut(d.log(10));
  }
  const x = toDouble(v);
  if (!(x > 0 || Number.isNaN(x))) fail(28761, `$log10's argument must be a positive number, but is ${x}`);
  return dbl(Math.log10(x));
});

const $log: OperatorCompiler = nary(2, ([arg, base]) => {
  if (isNullish(arg) || isNullish(base)) return null;
  if (!isNumber(arg)) fail(28756, `$log's argument must be numeric, not ${typeName(arg)}`);
  if (!isNumber(base)) fail(28757, `$log's base must be numeric, not ${typeName(base)}`);
  if (numericKind(arg) === 'decimal' || numericKind(base) === 'decimal') {
    const a = toDec(arg);
    const b = toDec(base);
    if (a.gt(0) && !b.eq(1) && b.gt(0)) return decOut(a.log(b));
  }
  const a = toDouble(arg);
  const b = toDouble(base);
  if (!(a > 0 || Number.isNaN(a))) fail(28758, `$log's argument must be a positive number, but is ${a}`);
  if (!((b > 0 && b !== 1) || Number.isNaN(b))) {
    fail(28759, `$log's base must be a positive number not equal to 1, but is ${b}`);
  }
  return dbl(Math.log(a) / Math.log(b));
});

/** Bounds of bases whose power by 0..63 fits a long (MongoDB's representableAsLong table). */
function powFitsLong(base: bigint, exp: bigint): boolean {
  const r = base ** exp;
  return fitsLong(r);
}

const $pow: OperatorCompiler = nary(2, ([baseVal, expVal]) => {
  if (isNullish(baseVal) || isNullish(expVal)) return null;
  if (!isNumber(baseVal)) fail(28762, `$pow's base must be numeric, not ${typeName(baseVal)}`);
  if (!isNumber(expVal)) fail(28763, `$pow's exponent must be numeric, not ${typeName(expVal)}`);
  const kb = numericKind(baseVal) as NumericKind;
  const ke = numericKind(expVal) as NumericKind;
  if (kb === 'decimal' || ke === 'decimal') {
    const b = toDec(baseVal);
    const e = toDec(expVal);
    if (b.isZero() && e.isNeg()) fail(28764, '$pow cannot take a base of 0 and a negative exponent');
    return decOut(b.pow(e));
  }
  const bd = toDouble(baseVal);
  const ed = toDouble(expVal);
  if (bd === 0 && ed < 0) fail(28764, '$pow cannot take a base of 0 and a negative exponent');
  if (kb === 'double' || ke === 'double') return dbl(Math.pow(bd, ed));
  const asLong = kb === 'long' || ke === 'long';
  const format = (r: bigint) => (asLong ? Long.fromBigInt(r) : intOrLong(r));
  const b = toBigInt(baseVal);
  const e = toBigInt(expVal);
  if (b === 0n) return format(e === 0n ? 1n : 0n);
  if (b === 1n) return format(1n);
  if (b === -1n) return format(e % 2n === 0n ? 1n : -1n);
  if (e > 63n || e < 0n || !powFitsLong(b, e)) return dbl(Math.pow(Number(b), Number(e)));
  return format(b ** e);
});

/** $round / $trunc: Decimal128 quantize semantics at `places` (-20..100). */
function roundOrTrunc(mode: 'round' | 'trunc'): OperatorCompiler {
  return (arg, cx, name) => {
    const args = compileArgs(arg, cx);
    rangedArity(name, 1, 2, args);
    return foldIfConstant(args, (root, vars) => {
      const v = args[0](root, vars);
      if (isNullish(v)) return null;
      if (!isNumber(v)) fail(51081, `${name} only supports numeric types, not ${typeName(v)}`);
      let places = 0;
      if (args.length > 1) {
        const p = args[1](root, vars);
        if (isNullish(p)) return null;
        const pl = isNumber(p) ? Number(coerceToLong(p)) : NaN;
        if (!isIntegral(p)) fail(51082, `precision argument to  ${name} must be a integral value`);
        if (pl < -20 || pl > 100) {
          fail(51083, `cannot apply ${name} with precision value ${pl} value must be in [-20, 100]`);
        }
        places = pl;
      }
      const rm = mode === 'round' ? Dec.ROUND_HALF_EVEN : Dec.ROUND_DOWN;
      const quantize = (d: Dec): Dec => {
        if (places >= 0) return d.toDecimalPlaces(places, rm);
        const f = new Dec(10).pow(-places);
        return d.dividedBy(f).toDecimalPlaces(0, rm).times(f);
      };
      const kind = numericKind(v) as NumericKind;
      if (kind === 'decimal') {
        const d = toDec(v);
        if (!d.isFinite()) return v;
        const q = quantize(d);
        if (places < 0) {
          const coef = q.dividedBy(new Dec(10).pow(-places)).toFixed(0);
          return Decimal128.fromString(`${coef}E+${-places}`);
        }
        return decOut(q, places);
      }
      if (kind === 'double') {
        const x = toDouble(v);
        if (!Number.isFinite(x)) return v;
        return dbl(Number(quantize(doubleToScaledDec(x).d).toString()));
      }
      if (places >= 0) return v;
      const q = BigInt(quantize(new Dec(toBigInt(v).toString())).toFixed(0));
      if (!fitsLong(q)) fail(51080, `invalid conversion from Decimal128 result in ${name}`);
      return kind === 'long' || q > 2147483647n || q < -2147483648n ? Long.fromBigInt(q) : Number(q);
    });
  };
}

/** Trigonometry: doubles in, doubles out; decimals computed in double and returned as decimal. */
function trig(
  fn: (x: number) => number,
  domain?: (x: number) => boolean,
  domainText?: string,
): OperatorCompiler {
  return singleNumeric((v, name) => {
    const x = toDouble(v);
    if (domain && !Number.isNaN(x) && !domain(x)) {
      fail(50989, `cannot apply ${name} to ${x}, value must be in ${domainText}`);
    }
    const r = fn(x);
    return numericKind(v) === 'decimal' ? decOut(new Dec(r)) : dbl(r);
  });
}

const $atan2: OperatorCompiler = nary(2, ([y, x], name) => {
  if (isNullish(y) || isNullish(x)) return null;
  if (!isNumber(y) || !isNumber(x)) {
    fail(51044, `${name} only supports numeric types, not ${typeName(y)} and ${typeName(x)}`);
  }
  const r = Math.atan2(toDouble(y), toDouble(x));
  return numericKind(y) === 'decimal' || numericKind(x) === 'decimal' ? decOut(new Dec(r)) : dbl(r);
});

export const arithmeticOperators: Record<string, OperatorCompiler> = {
  $abs,
  $acos: trig(Math.acos, (x) => x >= -1 && x <= 1, '[-1, 1]'),
  $acosh: trig(Math.acosh, (x) => x >= 1, '[1, inf]'),
  $add,
  $asin: trig(Math.asin, (x) => x >= -1 && x <= 1, '[-1, 1]'),
  $asinh: trig(Math.asinh),
  $atan: trig(Math.atan),
  $atan2,
  $atanh: trig(Math.atanh, (x) => x >= -1 && x <= 1, '[-1, 1]'),
  $ceil: roundInteger('ceil'),
  $cos: trig(Math.cos, (x) => Number.isFinite(x), '(-inf, inf)'),
  $cosh: trig(Math.cosh),
  $degreesToRadians: trig((x) => (x * Math.PI) / 180),
  $divide,
  $exp,
  $floor: roundInteger('floor'),
  $ln,
  $log,
  $log10,
  $mod,
  $multiply,
  $pow,
  $radiansToDegrees: trig((x) => (x * 180) / Math.PI),
  $round: roundOrTrunc('round'),
  $sin: trig(Math.sin, (x) => Number.isFinite(x), '(-inf, inf)'),
  $sinh: trig(Math.sinh),
  $sqrt,
  $subtract,
  $tan: trig(Math.tan, (x) => Number.isFinite(x), '(-inf, inf)'),
  $tanh: trig(Math.tanh),
  $trunc: roundOrTrunc('trunc'),
};
