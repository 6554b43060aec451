/**
 * Date operators. Dates are UTC instants; a `timezone` argument (Olson name or UTC offset) only
 * changes how an instant maps to calendar parts. Timestamps and ObjectIds are accepted wherever
 * MongoDB coerces them to dates.
 */
import { type ObjectId } from '../../bson.js';
import { MongoCommandError } from '../../errors.js';
import { bsonTypeOf } from '../../values/index.js';
import {
  fail,
  foldIfConstant,
  isNullish,
  isPlainObject,
  long,
  show,
  typeName,
  type CompiledExpr,
  type OperatorCompiler,
  type Vars,
} from './core.js';
import {
  dateAdd,
  dateDiff,
  dateTrunc,
  formatDate,
  fromIsoParts,
  fromLocalMs,
  isoParts,
  ISO_FORMAT,
  parseDateString,
  parseDayOfWeek,
  parseTimeZone,
  partsOf,
  TIME_UNITS,
  UTC,
  utcFromParts,
  validateFromStringFormat,
  validateToStringFormat,
  weekOfYear,
  type DateParts,
  type TimeUnit,
  type TimeZone,
} from './date-time.js';
import { coerceToLong, isIntegral64 } from './numbers.js';
import type { Document } from '../../bson.js';

/** Value::coercibleToDate */
export function coercibleToDate(v: unknown): boolean {
  const t = bsonTypeOf(v);
  return t === 'date' || t === 'timestamp' || t === 'objectId';
}

/** Value::coerceToDate: dates, timestamps (seconds) and ObjectIds (creation time); 16006 otherwise. */
export function coerceToDate(v: unknown): number {
  const t = bsonTypeOf(v);
  if (t === 'date') return (v as Date).getTime();
  if (t === 'timestamp') {
    const ts = v as { t?: number; high?: number };
    return (ts.t ?? (ts.high ?? 0) >>> 0) * 1000;
  }
  if (t === 'objectId') return (v as ObjectId).getTimestamp().getTime();
  fail(16006, `can't convert from BSON type ${t} to Date`);
}

/** Evaluates an optional timezone argument: undefined -> UTC, null/missing -> null result. */
function evalZone(tzE: CompiledExpr | undefined, root: Document, vars: Vars): TimeZone | null {
  if (!tzE) return UTC;
  const id = tzE(root, vars);
  if (isNullish(id)) return null;
  if (typeof id !== 'string') fail(40517, `timezone must evaluate to a string, found ${typeName(id)}`);
  return parseTimeZone(id);
}

/** $year, $month, ...: `<date>`, `[<date>]` or `{date, timezone}`. */
function datePart(extract: (p: DateParts) => unknown): OperatorCompiler {
  return (arg, cx, name) => {
    let dateE: CompiledExpr;
    let tzE: CompiledExpr | undefined;
    if (isPlainObject(arg) && Object.keys(arg).length > 0 && !Object.keys(arg)[0].startsWith('$')) {
      let d: CompiledExpr | undefined;
      for (const [k, v] of Object.entries(arg)) {
        if (k === 'date') d = cx.compile(v);
        else if (k === 'timezone') tzE = cx.compile(v);
        else fail(40535, `unrecognized option to ${name}: "${k}"`);
      }
      if (!d) fail(40539, `missing 'date' argument to ${name}, provided: ${show(arg)}`);
      dateE = d;
    } else if (Array.isArray(arg)) {
      if (arg.length !== 1) {
        fail(40536, `${name} accepts exactly one argument if given an array, but was given ${arg.length}`);
      }
      dateE = cx.compile(arg[0]);
    } else {
      dateE = cx.compile(arg);
    }
    return foldIfConstant([dateE, tzE], (root, vars) => {
      const d = dateE(root, vars);
      if (isNullish(d)) return null;
      const tz = evalZone(tzE, root, vars);
      if (!tz) return null;
      return extract(partsOf(coerceToDate(d), tz));
    });
  };
}

function namedArgs(
  arg: unknown,
  name: string,
  notObject: [number, string],
  allowed: readonly string[],
  unknownCode: number,
  cx: Parameters<OperatorCompiler>[1],
): Partial<Record<string, CompiledExpr>> {
  if (!isPlainObject(arg)) fail(notObject[0], notObject[1]);
  const out: Partial<Record<string, CompiledExpr>> = {};
  for (const [k, v] of Object.entries(arg)) {
    if (!allowed.includes(k)) fail(unknownCode, `Unrecognized argument to ${name}: ${k}`);
    out[k] = cx.compile(v);
  }
  return out;
}

const $dateToString: OperatorCompiler = (arg, cx, name) => {
  const a = namedArgs(
    arg,
    name,
    [18629, '$dateToString only supports an object as its argument'],
    ['format', 'date', 'timezone', 'onNull'],
    18534,
    cx,
  );
  if (!a.date) fail(18628, "Missing 'date' parameter to $dateToString");
  const { date, format, timezone, onNull } = a;
  return foldIfConstant([date, format, timezone, onNull], (root, vars) => {
    const d = date(root, vars);
    let fmt: unknown;
    if (format) {
      fmt = format(root, vars);
      if (!isNullish(fmt)) {
        if (typeof fmt !== 'string') {
          fail(
            18533,
            `$dateToString requires that 'format' be a string, found: ${typeName(fmt)} with value ${show(fmt)}`,
          );
        }
        validateToStringFormat(fmt);
      }
    }
    const tz = evalZone(timezone, root, vars);
    if (isNullish(d)) return onNull ? onNull(root, vars) : null;
    if (!tz) return null;
    if (format && isNullish(fmt)) return null;
    return formatDate(format ? (fmt as string) : ISO_FORMAT, coerceToDate(d), tz);
  });
};

const $dateFromString: OperatorCompiler = (arg, cx, name) => {
  const a = namedArgs(
    arg,
    name,
    [40540, `$dateFromString only supports an object as an argument, found: ${typeName(arg)}`],
    ['dateString', 'timezone', 'format', 'onNull', 'onError'],
    40541,
    cx,
  );
  if (!a.dateString) fail(40542, "Missing 'dateString' parameter to $dateFromString");
  const { dateString, timezone, format, onNull, onError } = a;
  return foldIfConstant([dateString, timezone, format, onNull, onError], (root, vars) => {
    const s = dateString(root, vars);
    let fmt: unknown;
    if (format) {
      fmt = format(root, vars);
      if (!isNullish(fmt)) {
        if (typeof fmt !== 'string') {
          fail(
            40684,
            `$dateFromString requires that 'format' be a string, found: ${typeName(fmt)} with value ${show(fmt)}`,
          );
        }
        validateFromStringFormat(fmt);
      }
    }
    const tz = evalZone(timezone, root, vars);
    if (isNullish(s)) return onNull ? onNull(root, vars) : null;
    try {
      if (typeof s !== 'string') {
        fail(
          241,
          `$dateFromString requires that 'dateString' be a string, found: ${typeName(s)} with value ${show(s)}`,
        );
      }
      if (!tz) return null;
      if (format && isNullish(fmt)) return null;
      return parseDateString(s, timezone ? tz : undefined, format ? (fmt as string) : undefined);
    } catch (e) {
      if (onError && e instanceof MongoCommandError && e.code === 241) return onError(root, vars);
      throw e;
    }
  });
};

const PART_BOUNDS = [-32768, 32767];

const $dateFromParts: OperatorCompiler = (arg, cx) => {
  if (!isPlainObject(arg)) fail(40519, '$dateFromParts only supports an object as its argument');
  const names = [
    'year',
    'month',
    'day',
    'hour',
    'minute',
    'second',
    'millisecond',
    'isoWeekYear',
    'isoWeek',
    'isoDayOfWeek',
    'timezone',
  ];
  const a: Partial<Record<string, CompiledExpr>> = {};
  for (const [k, v] of Object.entries(arg)) {
    if (!names.includes(k)) fail(40518, `Unrecognized argument to $dateFromParts: ${k}`);
    a[k] = cx.compile(v);
  }
  if (!a.year && !a.isoWeekYear)
    fail(40516, "$dateFromParts requires either 'year' or 'isoWeekYear' to be present");
  if (a.year && (a.isoWeekYear || a.isoWeek || a.isoDayOfWeek)) {
    fail(40489, '$dateFromParts does not allow mixing natural dates with ISO dates');
  }
  if (a.isoWeekYear && (a.year || a.month || a.day)) {
    fail(40525, '$dateFromParts does not allow mixing ISO dates with natural dates');
  }
  const NULL = Symbol('null');
  const num = (
    field: string,
    def: number,
    bounded: boolean,
    root: Document,
    vars: Vars,
  ): number | typeof NULL => {
    const e = a[field];
    if (!e) return def;
    const v = e(root, vars);
    if (isNullish(v)) return NULL;
    if (!isIntegral64(v)) {
      fail(40515, `'${field}' must evaluate to an integer, found ${typeName(v)} with value ${show(v)}`);
    }
    const n = Number(coerceToLong(v));
    if (bounded && (n < PART_BOUNDS[0] || n > PART_BOUNDS[1])) {
      fail(
        31034,
        `'${field}' must evaluate to a value in the range [-32768, 32767]; value ${n} is not in range`,
      );
    }
    return n;
  };
  return foldIfConstant(Object.values(a), (root, vars) => {
    const hour = num('hour', 0, true, root, vars);
    const minute = num('minute', 0, true, root, vars);
    const second = num('second', 0, false, root, vars);
    const ms = num('millisecond', 0, false, root, vars);
    if (hour === NULL || minute === NULL || second === NULL || ms === NULL) return null;
    const tz = evalZone(a.timezone, root, vars);
    if (!tz) return null;
    if (a.year) {
      const year = num('year', 1970, false, root, vars);
      const month = num('month', 1, true, root, vars);
      const day = num('day', 1, true, root, vars);
      if (year === NULL || month === NULL || day === NULL) return null;
      if (year < 1 || year > 9999)
        fail(40523, `'year' must evaluate to an integer in the range 1 to 9999, found ${year}`);
      return new Date(fromLocalMs(utcFromParts(year, month, day, hour, minute, second, ms), tz));
    }
    const isoYear = num('isoWeekYear', 1970, false, root, vars);
    const isoWeek = num('isoWeek', 1, true, root, vars);
    const isoDay = num('isoDayOfWeek', 1, true, root, vars);
    if (isoYear === NULL || isoWeek === NULL || isoDay === NULL) return null;
    if (isoYear < 1 || isoYear > 9999) {
      fail(31095, `'isoWeekYear' must evaluate to an integer in the range 1 to 9999, found ${isoYear}`);
    }
    return new Date(fromLocalMs(fromIsoParts(isoYear, isoWeek, isoDay, hour, minute, second, ms), tz));
  });
};

const $dateToParts: OperatorCompiler = (arg, cx, name) => {
  const a = namedArgs(
    arg,
    name,
    [40524, '$dateToParts only supports an object as its argument'],
    ['date', 'timezone', 'iso8601'],
    40520,
    cx,
  );
  if (!a.date) fail(40522, "Missing 'date' parameter to $dateToParts");
  const { date, timezone, iso8601 } = a;
  return foldIfConstant([date, timezone, iso8601], (root, vars) => {
    const d = date(root, vars);
    const tz = evalZone(timezone, root, vars);
    if (!tz) return null;
    let iso = false;
    if (iso8601) {
      const f = iso8601(root, vars);
      if (isNullish(f)) return null;
      if (typeof f !== 'boolean') fail(40521, `iso8601 must evaluate to a bool, found ${typeName(f)}`);
      iso = f;
    }
    if (isNullish(d)) return null;
    const p = partsOf(coerceToDate(d), tz);
    if (iso) {
      const i = isoParts(p);
      return {
        isoWeekYear: i.isoYear,
        isoWeek: i.isoWeek,
        isoDayOfWeek: i.isoDayOfWeek,
        hour: p.hour,
        minute: p.minute,
        second: p.second,
        millisecond: p.millisecond,
      };
    }
    return {
      year: p.year,
      month: p.month,
      day: p.day,
      hour: p.hour,
      minute: p.minute,
      second: p.second,
      millisecond: p.millisecond,
    };
  });
};

function parseUnit(v: unknown, op: string): TimeUnit {
  if (typeof v !== 'string') fail(5439013, `${op} requires 'unit' to be a string, but got ${typeName(v)}`);
  if (!TIME_UNITS.has(v))
    fail(5439014, `${op} parameter 'unit' value cannot be recognized as a time unit: ${v}`);
  return v as TimeUnit;
}

function parseStartOfWeek(v: unknown, op: string): number {
  if (typeof v !== 'string')
    fail(5439015, `${op} requires 'startOfWeek' to be a string, but got ${typeName(v)}`);
  const d = parseDayOfWeek(v);
  if (d === undefined) {
    fail(5439016, `${op} parameter 'startOfWeek' value cannot be recognized as a day of a week: ${v}`);
  }
  return d;
}

function dateArithmetic(sign: 1 | -1): OperatorCompiler {
  return (arg, cx, name) => {
    if (!isPlainObject(arg)) fail(5166400, `${name} expects an object as its argument`);
    const a: Partial<Record<string, CompiledExpr>> = {};
    for (const [k, v] of Object.entries(arg)) {
      if (!['startDate', 'unit', 'amount', 'timezone'].includes(k)) {
        fail(
          5166401,
          `Unrecognized argument to ${name}: ${k}. Expected arguments are startDate, unit, amount, and optionally timezone.`,
        );
      }
      a[k] = cx.compile(v);
    }
    if (!a.startDate || !a.unit || !a.amount) {
      fail(5166402, `${name} requires startDate, unit, and amount to be present`);
    }
    const { startDate, unit, amount, timezone } = a;
    return foldIfConstant([startDate, unit, amount, timezone], (root, vars) => {
      const start = startDate(root, vars);
      if (isNullish(start)) return null;
      const u = unit(root, vars);
      if (isNullish(u)) return null;
      const amt = amount(root, vars);
      if (isNullish(amt)) return null;
      const tz = evalZone(timezone, root, vars);
      if (!tz) return null;
      if (!coercibleToDate(start)) fail(5166403, `${name} requires startDate to be convertible to a date`);
      if (typeof u !== 'string') fail(5166404, `${name} expects string defining the time unit`);
      if (!TIME_UNITS.has(u)) fail(9, `unknown time unit value: ${u}`);
      if (!isIntegral64(amt)) fail(5166405, `${name} expects integer amount of time units`);
      const n = coerceToLong(amt);
      if (sign < 0 && n === -(2n ** 63n))
        fail(6045000, `invalid $dateSubtract 'amount' parameter value: ${n}`);
      const result = dateAdd(coerceToDate(start), u as TimeUnit, Number(n) * sign, tz);
      if (!Number.isFinite(result) || Math.abs(result) > 8.64e15) {
        fail(5166406, `${name} overflowed`);
      }
      return new Date(result);
    });
  };
}

const $dateDiff: OperatorCompiler = (arg, cx, name) => {
  if (!isPlainObject(arg)) fail(5166301, '$dateDiff only supports an object as its argument');
  const a: Partial<Record<string, CompiledExpr>> = {};
  for (const [k, v] of Object.entries(arg)) {
    if (!['startDate', 'endDate', 'unit', 'timezone', 'startOfWeek'].includes(k)) {
      fail(5166302, `Unrecognized argument to $dateDiff: ${k}`);
    }
    a[k] = cx.compile(v);
  }
  if (!a.startDate) fail(5166303, "Missing 'startDate' parameter to $dateDiff");
  if (!a.endDate) fail(5166304, "Missing 'endDate' parameter to $dateDiff");
  if (!a.unit) fail(5166305, "Missing 'unit' parameter to $dateDiff");
  const { startDate, endDate, unit, timezone, startOfWeek } = a;
  return foldIfConstant([startDate, endDate, unit, timezone, startOfWeek], (root, vars) => {
    const s = startDate(root, vars);
    if (isNullish(s)) return null;
    const e = endDate(root, vars);
    if (isNullish(e)) return null;
    const u = unit(root, vars);
    if (isNullish(u)) return null;
    let sow: unknown;
    const weekActive = startOfWeek !== undefined && u === 'week';
    if (weekActive) {
      sow = startOfWeek(root, vars);
      if (isNullish(sow)) return null;
    }
    const tz = evalZone(timezone, root, vars);
    if (!tz) return null;
    if (!coercibleToDate(s))
      fail(5166307, `$dateDiff requires 'startDate' to be a date, but got ${typeName(s)}`);
    if (!coercibleToDate(e))
      fail(5166307, `$dateDiff requires 'endDate' to be a date, but got ${typeName(e)}`);
    const tu = parseUnit(u, name);
    const weekStart = weekActive ? parseStartOfWeek(sow, name) : 0;
    return long(dateDiff(coerceToDate(s), coerceToDate(e), tu, tz, weekStart));
  });
};

const $dateTrunc: OperatorCompiler = (arg, cx, name) => {
  if (!isPlainObject(arg)) fail(5439007, '$dateTrunc only supports an object as its argument');
  const a: Partial<Record<string, CompiledExpr>> = {};
  for (const [k, v] of Object.entries(arg)) {
    if (!['date', 'unit', 'binSize', 'timezone', 'startOfWeek'].includes(k)) {
      fail(
        5439008,
        `Unrecognized argument to $dateTrunc: ${k}. Expected arguments are date, unit, and optionally, binSize, timezone, startOfWeek`,
      );
    }
    a[k] = cx.compile(v);
  }
  if (!a.date) fail(5439009, "Missing 'date' parameter to $dateTrunc");
  if (!a.unit) fail(5439010, "Missing 'unit' parameter to $dateTrunc");
  const { date, unit, binSize, timezone, startOfWeek } = a;
  return foldIfConstant([date, unit, binSize, timezone, startOfWeek], (root, vars) => {
    const d = date(root, vars);
    if (isNullish(d)) return null;
    const u = unit(root, vars);
    if (isNullish(u)) return null;
    let bin: unknown = 1;
    if (binSize) {
      bin = binSize(root, vars);
      if (isNullish(bin)) return null;
    }
    let sow: unknown;
    const weekActive = startOfWeek !== undefined && u === 'week';
    if (weekActive) {
      sow = startOfWeek(root, vars);
      if (isNullish(sow)) return null;
    }
    const tz = evalZone(timezone, root, vars);
    if (!tz) return null;
    if (!coercibleToDate(d)) fail(5439012, `$dateTrunc requires 'date' to be a date, but got ${typeName(d)}`);
    const tu = parseUnit(u, name);
    if (!isIntegral64(bin)) {
      fail(
        5439017,
        `$dateTrunc requires 'binSize' to be a 64-bit integer, but got value '${show(bin)}' of type ${typeName(bin)}`,
      );
    }
    const size = Number(coerceToLong(bin));
    if (size <= 0) fail(5439018, `$dateTrunc requires 'binSize' to be greater than 0, but got value ${size}`);
    const weekStart = weekActive ? parseStartOfWeek(sow, name) : 0;
    return new Date(dateTrunc(coerceToDate(d), tu, size, tz, weekStart));
  });
};

export const dateOperators: Record<string, OperatorCompiler> = {
  $dateAdd: dateArithmetic(1),
  $dateDiff,
  $dateFromParts,
  $dateFromString,
  $dateSubtract: dateArithmetic(-1),
  $dateToParts,
  $dateToString,
  $dateTrunc,
  $dayOfMonth: datePart((p) => p.day),
  $dayOfWeek: datePart((p) => p.dayOfWeek),
  $dayOfYear: datePart((p) => p.dayOfYear),
  $hour: datePart((p) => p.hour),
  $isoDayOfWeek: datePart((p) => isoParts(p).isoDayOfWeek),
  $isoWeek: datePart((p) => isoParts(p).isoWeek),
  $isoWeekYear: datePart((p) => long(isoParts(p).isoYear)),
  $millisecond: datePart((p) => p.millisecond),
  $minute: datePart((p) => p.minute),
  $month: datePart((p) => p.month),
  $second: datePart((p) => p.second),
  $week: datePart(weekOfYear),
  $year: datePart((p) => p.year),
};
