/**
 * $type, $isNumber and type conversion: $convert with onError / onNull and its shorthands
 * ($toInt, $toString, ...). The conversion table is mongod's: anything it does not list fails
 * with ConversionFailure (241), which `onError` catches.
 */
import { Decimal128, Long, ObjectId } from '../../bson.js';
import { MongoCommandError } from '../../errors.js';
import {
  bsonTypeOf,
  numericKind,
  toBigInt,
  toDec,
  toDouble,
  TYPE_NUMBERS,
  type BsonTypeName,
} from '../../values/index.js';
import {
  compileArgs,
  dbl,
  fail,
  foldIfConstant,
  isNullish,
  isNumber,
  isPlainObject,
  nary,
  show,
  typeName,
  type CompiledExpr,
  type OperatorCompiler,
} from './core.js';
import { isoString, parseDateString, UTC } from './date-time.js';
import { coerceToInt, formatDoubleShortest, isIntegral } from './numbers.js';

const ConversionFailure = 241;
const FailedToParse = 9;

type Target = BsonTypeName;

function conversionFailure(message: string): never {
  fail(ConversionFailure, message);
}

function unsupported(from: string, to: string): never {
  conversionFailure(`Unsupported conversion from ${from} to ${to} in $convert with no onError value`);
}

function overflow(v: unknown): never {
  conversionFailure(`Conversion would overflow target type in $convert with no onError value: ${show(v)}`);
}

function checkFinite(x: number): void {
  if (Number.isNaN(x))
    conversionFailure('Attempt to convert NaN value to integer type in $convert with no onError value');
  if (!Number.isFinite(x)) {
    conversionFailure('Attempt to convert infinity value to integer type in $convert with no onError value');
  }
}

function doubleToInt(x: number): number {
  checkFinite(x);
  if (x < -2147483648 || x > 2147483647) overflow(x);
  return Math.trunc(x);
}

function doubleToLong(x: number): Long {
  checkFinite(x);
  if (x < -(2 ** 63) || x >= 2 ** 63) overflow(x);
  return Long.fromBigInt(BigInt(Math.trunc(x)));
}

function decimalToInteger(v: unknown, target: 'int' | 'long'): unknown {
  const d = toDec(v);
  if (d.isNaN())
    conversionFailure('Attempt to convert NaN value to integer type in $convert with no onError value');
  if (!d.isFinite()) {
    conversionFailure('Attempt to convert infinity value to integer type in $convert with no onError value');
  }
  const b = BigInt(d.truncated().toFixed());
  if (target === 'int') {
    if (b < -2147483648n || b > 2147483647n) overflow(v);
    return Number(b);
  }
  if (b < -(2n ** 63n) || b > 2n ** 63n - 1n) overflow(v);
  return Long.fromBigInt(b);
}

function formatDouble(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0 && Object.is(x, -0)) return '-0';
  return formatDoubleShortest(x);
}

function parseNumberString(s: string, target: 'int' | 'long' | 'double' | 'decimal'): unknown {
  const bad = (why: string): never =>
    conversionFailure(`Failed to parse number '${s}' in $convert with no onError value: ${why}`);
  if (s.startsWith('0x') || s.startsWith('0X')) {
    conversionFailure(`Illegal hexadecimal input in $convert with no onError value: ${s}`);
  }
  if (target === 'int' || target === 'long') {
    if (!/^[+-]?\d+$/.test(s)) bad('Did not consume whole string.');
    const b = BigInt(s);
    if (target === 'int') {
      if (b < -2147483648n || b > 2147483647n) bad('Out of range');
      return Number(b);
    }
    if (b < -(2n ** 63n) || b > 2n ** 63n - 1n) bad('Out of range');
    return Long.fromBigInt(b);
  }
  if (target === 'double') {
    const t = s.toLowerCase();
    if (/^[+-]?(inf|infinity)$/.test(t)) return dbl(t.startsWith('-') ? -Infinity : Infinity);
    if (/^[+-]?nan$/.test(t)) return dbl(NaN);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) bad('Did not consume whole string.');
    const x = Number(s);
    if (!Number.isFinite(x)) bad('Out of range');
    return dbl(x);
  }
  const t = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t))
    return Decimal128.fromString(t.startsWith('-') ? '-Infinity' : 'Infinity');
  if (/^[+-]?nan$/.test(t)) return Decimal128.fromString('NaN');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) bad('Failed to parse string to decimal');
  try {
    return Decimal128.fromString(s.replace(/^\+/, ''));
  } catch {
    return Decimal128.fromString(toDec(Decimal128.fromStringWithRounding(s)).toString());
  }
}

function numberToDate(v: unknown, kind: string): Date {
  let ms: bigint;
  if (kind === 'long') ms = toBigInt(v);
  else if (kind === 'double') ms = doubleToLong(toDouble(v)).toBigInt();
  else ms = (decimalToInteger(v, 'long') as Long).toBigInt();
  return new Date(Number(ms));
}

function objectIdDate(v: unknown): Date {
  return (v as ObjectId).getTimestamp();
}

function timestampSeconds(v: unknown): number {
  const ts = v as { t?: number; high?: number };
  return ts.t ?? (ts.high ?? 0) >>> 0;
}

type Converter = (v: unknown, target: Target) => unknown;

/** The conversions mongod's table lists, by source type (anything else is unsupported). */
const CONVERTERS: Partial<Record<BsonTypeName, Converter>> = {
  double: (v, target) => {
    const x = toDouble(v);
    switch (target) {
      case 'double':
        return v;
      case 'string':
        return formatDouble(x);
      case 'date':
        return numberToDate(v, 'double');
      case 'int':
        return doubleToInt(x);
      case 'long':
        return doubleToLong(x);
      case 'decimal':
        return doubleToDecimal(x);
      default:
        return unsupported('double', target);
    }
  },
  string: (v, target) => {
    const s = v as string;
    switch (target) {
      case 'double':
      case 'int':
      case 'long':
      case 'decimal':
        return parseNumberString(s, target);
      case 'string':
        return s;
      case 'objectId':
        if (!/^[0-9a-fA-F]{24}$/.test(s)) {
          conversionFailure(
            `Failed to parse objectId '${s}' in $convert with no onError value: Invalid string length for parsing to OID, expected 24 but found ${s.length}`,
          );
        }
        return ObjectId.createFromHexString(s.toLowerCase());
      case 'date':
        return parseDateString(s, UTC);
      default:
        return unsupported('string', target);
    }
  },
  objectId: (v, target) => {
    switch (target) {
      case 'string':
        return (v as ObjectId).toHexString();
      case 'objectId':
        return v;
      case 'date':
        return objectIdDate(v);
      default:
        return unsupported('objectId', target);
    }
  },
  bool: (v, target) => {
    const b = v as boolean;
    switch (target) {
      case 'double':
        return dbl(b ? 1 : 0);
      case 'string':
        return b ? 'true' : 'false';
      case 'int':
        return b ? 1 : 0;
      case 'long':
        return Long.fromNumber(b ? 1 : 0);
      case 'decimal':
        return Decimal128.fromString(b ? '1' : '0');
      default:
        return unsupported('bool', target);
    }
  },
  date: (v, target) => {
    const ms = (v as Date).getTime();
    switch (target) {
      case 'double':
        return dbl(ms);
      case 'string':
        return isoString(v as Date);
      case 'date':
        return v;
      case 'long':
        return Long.fromNumber(ms);
      case 'decimal':
        return Decimal128.fromString(String(ms));
      default:
        return unsupported('date', target);
    }
  },
  timestamp: (v, target) =>
    target === 'date' ? new Date(timestampSeconds(v) * 1000) : unsupported('timestamp', target),
  int: (v, target) => integerConverter(v, target, 'int'),
  long: (v, target) => integerConverter(v, target, 'long'),
  decimal: (v, target) => {
    switch (target) {
      case 'double': {
        const x = toDouble(v);
        if (!Number.isFinite(x) && toDec(v).isFinite()) overflow(v);
        return dbl(x);
      }
      case 'string':
        return String(v);
      case 'date':
        return numberToDate(v, 'decimal');
      case 'int':
        return decimalToInteger(v, 'int');
      case 'long':
        return decimalToInteger(v, 'long');
      case 'decimal':
        return v;
      default:
        return unsupported('decimal', target);
    }
  },
};

function integerConverter(v: unknown, target: Target, from: 'int' | 'long'): unknown {
  const b = toBigInt(v);
  switch (target) {
    case 'double':
      return dbl(Number(b));
    case 'string':
      return b.toString();
    case 'date':
      // mongod converts longs to dates, but not ints.
      return from === 'long' ? new Date(Number(b)) : unsupported(from, target);
    case 'int':
      if (b < -2147483648n || b > 2147483647n) {
        conversionFailure('Conversion would overflow target type in $convert with no onError value: ');
      }
      return Number(b);
    case 'long':
      return Long.fromBigInt(b);
    case 'decimal':
      return Decimal128.fromString(b.toString());
    default:
      return unsupported(from, target);
  }
}

/** Types that convert to bool as `true` whatever their value. */
const ALWAYS_TRUE = new Set<BsonTypeName>([
  'string',
  'objectId',
  'object',
  'array',
  'binData',
  'regex',
  'javascript',
  'symbol',
  'javascriptWithScope',
  'timestamp',
  'minKey',
  'maxKey',
  'dbPointer',
  'date',
]);

/** Converts a non-null value to `target`, throwing ConversionFailure when mongod would. */
export function convertValue(v: unknown, target: Target): unknown {
  const from = bsonTypeOf(v);
  if (target === 'bool') {
    if (from === 'bool') return v;
    if (from === 'decimal') return !toDec(v).isZero();
    if (from === 'int' || from === 'long' || from === 'double') return toDouble(v) !== 0;
    if (ALWAYS_TRUE.has(from)) return true;
    return unsupported(from, target);
  }
  const convert = CONVERTERS[from];
  return convert ? convert(v, target) : unsupported(from, target);
}

/** Decimal128(double): 15 significant digits, trailing zeros kept ($toDecimal: 2.5 -> "2.50000000000000"). */
export function doubleToDecimal(x: number): Decimal128 {
  if (Number.isNaN(x)) return Decimal128.fromString('NaN');
  if (!Number.isFinite(x)) return Decimal128.fromString(x > 0 ? 'Infinity' : '-Infinity');
  return Decimal128.fromString(x.toPrecision(15).replace('e', 'E'));
}

const TYPE_NAMES = new Set<string>(Object.keys(TYPE_NUMBERS));

function targetType(to: unknown): Target {
  if (typeof to === 'string') {
    if (to === 'missing') return 'missing';
    if (!TYPE_NAMES.has(to)) fail(2, `Unknown type name: ${to}`);
    return to as Target;
  }
  if (isNumber(to)) {
    if (!isIntegral(to)) fail(FailedToParse, "In $convert, numeric 'to' argument is not an integer");
    const code = coerceToInt(to);
    for (const [name, n] of Object.entries(TYPE_NUMBERS)) if (n === code) return name as Target;
    fail(FailedToParse, `In $convert, numeric value for 'to' does not correspond to a BSON type: ${code}`);
  }
  fail(FailedToParse, `$convert's 'to' argument must be a string or number, but is ${typeName(to)}`);
}

function convertOperator(
  input: CompiledExpr,
  to: CompiledExpr,
  onError: CompiledExpr | undefined,
  onNull: CompiledExpr | undefined,
): CompiledExpr {
  return foldIfConstant([input, to, onError, onNull], (root, vars) => {
    const toV = to(root, vars);
    const v = input(root, vars);
    const target = isNullish(toV) ? undefined : targetType(toV);
    if (isNullish(v)) return onNull ? onNull(root, vars) : null;
    if (target === undefined) return null;
    try {
      return convertValue(v, target);
    } catch (e) {
      if (onError && e instanceof MongoCommandError && e.code === ConversionFailure)
        return onError(root, vars);
      throw e;
    }
  });
}

const $convert: OperatorCompiler = (arg, cx) => {
  if (!isPlainObject(arg))
    fail(FailedToParse, `$convert expects an object of named arguments but found: ${typeName(arg)}`);
  let input: CompiledExpr | undefined;
  let to: CompiledExpr | undefined;
  let onError: CompiledExpr | undefined;
  let onNull: CompiledExpr | undefined;
  for (const [k, v] of Object.entries(arg)) {
    if (k === 'input') input = cx.compile(v);
    else if (k === 'to') to = cx.compile(v);
    else if (k === 'onError') onError = cx.compile(v);
    else if (k === 'onNull') onNull = cx.compile(v);
    else fail(FailedToParse, `$convert found an unknown argument: ${k}`);
  }
  if (!input) fail(FailedToParse, "Missing 'input' parameter to $convert");
  if (!to) fail(FailedToParse, "Missing 'to' parameter to $convert");
  return convertOperator(input, to, onError, onNull);
};

function conversionAlias(target: Target): OperatorCompiler {
  return (arg, cx, name) => {
    const args = compileArgs(arg, cx);
    if (args.length !== 1) fail(50723, `${name} requires a single argument, got ${args.length}`);
    const to: CompiledExpr = foldIfConstant([], () => target);
    return convertOperator(args[0], to, undefined, undefined);
  };
}

export const typeOperators: Record<string, OperatorCompiler> = {
  $convert,
  $isNumber: nary(1, ([v]) => numericKind(v) !== undefined),
  $toBool: conversionAlias('bool'),
  $toDate: conversionAlias('date'),
  $toDecimal: conversionAlias('decimal'),
  $toDouble: conversionAlias('double'),
  $toInt: conversionAlias('int'),
  $toLong: conversionAlias('long'),
  $toObjectId: conversionAlias('objectId'),
  $toString: conversionAlias('string'),
  $type: nary(1, ([v]) => typeName(v)),
};
