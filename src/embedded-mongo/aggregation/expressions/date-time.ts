/**
 * Calendar arithmetic behind the date operators: time zones (UTC, fixed offsets "+05:30" /
 * "-0800" / "+03", IANA names resolved through Intl), local date parts, ISO weeks, and the
 * $dateToString / $dateFromString format languages. All computation is on UTC milliseconds;
 * "local" milliseconds are UTC milliseconds shifted by the zone's offset at that instant.
 */
import { fail } from './core.js';

export interface TimeZone {
  readonly name: string;
  /** Offset from UTC in milliseconds at the UTC instant `utcMs`. */
  offsetAt(utcMs: number): number;
}

export const UTC: TimeZone = Object.freeze({ name: 'UTC', offsetAt: () => 0 });

const zoneCache = new Map<string, TimeZone>();

function fixedZone(name: string, offsetMs: number): TimeZone {
  return { name, offsetAt: () => offsetMs };
}

function ianaZone(name: string): TimeZone | undefined {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  } catch {
    return undefined;
  }
  return {
    name,
    offsetAt(utcMs: number): number {
      const whole = Math.floor(utcMs / 1000) * 1000;
      const parts = fmt.formatToParts(new Date(whole));
      let y = 0;
      let mo = 1;
      let d = 1;
      let h = 0;
      let mi = 0;
      let s = 0;
      let bc = false;
      for (const p of parts) {
        switch (p.type) {
          case 'year':
            y = Number(p.value);
            break;
          case 'month':
            mo = Number(p.value);
            break;
          case 'day':
            d = Number(p.value);
            break;
          case 'hour':
            h = Number(p.value);
            break;
          case 'minute':
            mi = Number(p.value);
            break;
          case 'second':
            s = Number(p.value);
            break;
          case 'era':
            bc = p.value.startsWith('B');
            break;
          default:
            break;
        }
      }
      if (bc) y = 1 - y;
      const local = utcFromParts(y, mo, d, h, mi, s, 0);
      return local - whole;
    },
  };
}

/** Resolves a timezone argument; 40485 for identifiers MongoDB would not recognise. */
export function parseTimeZone(id: string): TimeZone {
  const cached = zoneCache.get(id);
  if (cached) return cached;
  let zone: TimeZone | undefined;
  const m = /^([+-])(\d{2})(?::?(\d{2}))?$/.exec(id);
  if (m) {
    const sign = m[1] === '-' ? -1 : 1;
    zone = fixedZone(id, sign * (Number(m[2]) * 3600000 + Number(m[3] ?? 0) * 60000));
  } else if (id === 'UTC' || id === 'GMT' || id === 'Z') {
    zone = UTC;
  } else if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(id)) {
    zone = ianaZone(id);
  }
  if (!zone) fail(40485, `unrecognized time zone identifier: "${id}"`);
  zoneCache.set(id, zone);
  return zone;
}

/** Date.UTC for any year (Date.UTC maps years 0..99 to 1900..1999). */
export function utcFromParts(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

export function toLocalMs(utcMs: number, tz: TimeZone): number {
  return utcMs + tz.offsetAt(utcMs);
}

/** The UTC instant of a local wall-clock time (two passes settle DST transitions). */
export function fromLocalMs(localMs: number, tz: TimeZone): number {
  if (tz === UTC) return localMs;
  const guess = localMs - tz.offsetAt(localMs);
  return localMs - tz.offsetAt(guess);
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** 1 (Sunday) .. 7 (Saturday), as $dayOfWeek. */
  dayOfWeek: number;
  /** 1 .. 366 */
  dayOfYear: number;
}

const DAY = 86400000;

export function partsOf(utcMs: number, tz: TimeZone): DateParts {
  const local = toLocalMs(utcMs, tz);
  const d = new Date(local);
  const year = d.getUTCFullYear();
  const startOfYear = utcFromParts(year, 1, 1, 0, 0, 0, 0);
  const dayStart = Math.floor(local / DAY) * DAY;
  return {
    year,
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    dayOfWeek: d.getUTCDay() + 1,
    dayOfYear: Math.round((dayStart - startOfYear) / DAY) + 1,
  };
}

/** ISO 8601 week-numbering year, week (1..53) and day of week (1 = Monday .. 7 = Sunday). */
export function isoParts(p: DateParts): { isoYear: number; isoWeek: number; isoDayOfWeek: number } {
  const isoDayOfWeek = p.dayOfWeek === 1 ? 7 : p.dayOfWeek - 1;
  // The Thursday of this ISO week decides the ISO year.
  const dayMs = utcFromParts(p.year, p.month, p.day, 0, 0, 0, 0);
  const thursday = dayMs + (4 - isoDayOfWeek) * DAY;
  const isoYear = new Date(thursday).getUTCFullYear();
  const jan1 = utcFromParts(isoYear, 1, 1, 0, 0, 0, 0);
  const isoWeek = Math.floor(Math.round((thursday - jan1) / DAY) / 7) + 1;
  return { isoYear, isoWeek, isoDayOfWeek };
}

/** $week: weeks start on Sunday; days before the year's first Sunday are in week 0. */
export function weekOfYear(p: DateParts): number {
  return Math.floor((p.dayOfYear - 1 + 7 - (p.dayOfWeek - 1)) / 7);
}

/** The UTC instant of ISO week-date parts in a zone (for $dateFromParts with isoWeekYear). */
export function fromIsoParts(
  isoYear: number,
  isoWeek: number,
  isoDay: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): number {
  // Jan 4th is always in ISO week 1.
  const jan4 = utcFromParts(isoYear, 1, 4, 0, 0, 0, 0);
  const jan4Dow = ((new Date(jan4).getUTCDay() + 6) % 7) + 1;
  const week1Monday = jan4 - (jan4Dow - 1) * DAY;
  return (
    week1Monday + (isoWeek - 1) * 7 * DAY + (isoDay - 1) * DAY + h * 3600000 + mi * 60000 + s * 1000 + ms
  );
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function pad(n: number, width: number): string {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= width ? s : '0'.repeat(width - s.length) + s);
}

export const ISO_FORMAT = '%Y-%m-%dT%H:%M:%S.%LZ';

const TO_STRING_SPECIFIERS = new Set([
  'd',
  'G',
  'H',
  'j',
  'L',
  'm',
  'M',
  'S',
  'u',
  'U',
  'V',
  'w',
  'Y',
  'z',
  'Z',
  '%',
  'b',
  'B',
]);

/** TimeZone::validateToStringFormat. */
export function validateToStringFormat(format: string): void {
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') continue;
    if (i === format.length - 1) fail(18535, "Unmatched '%' at end of format string");
    const c = format[i + 1];
    if (!TO_STRING_SPECIFIERS.has(c)) fail(18536, `Invalid format character '%${c}' in format string`);
    i++;
  }
}

function offsetText(offsetMs: number, colon: boolean): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const mins = Math.abs(Math.round(offsetMs / 60000));
  return sign + pad(Math.floor(mins / 60), 2) + (colon ? ':' : '') + pad(mins % 60, 2);
}

/** $dateToString's formatter (format already validated). */
export function formatDate(format: string, utcMs: number, tz: TimeZone): string {
  const p = partsOf(utcMs, tz);
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const c = format[++i];
    switch (c) {
      case '%':
        out += '%';
        break;
      case 'Y':
        if (p.year < 0 || p.year > 9999) {
          fail(18537, `$dateToString is only defined on year 0-9999, tried to use year ${p.year}`);
        }
        out += pad(p.year, 4);
        break;
      case 'G': {
        const iso = isoParts(p);
        if (iso.isoYear < 0 || iso.isoYear > 9999) {
          fail(18537, `$dateToString is only defined on year 0-9999, tried to use year ${iso.isoYear}`);
        }
        out += pad(iso.isoYear, 4);
        break;
      }
      case 'm':
        out += pad(p.month, 2);
        break;
      case 'd':
        out += pad(p.day, 2);
        break;
      case 'H':
        out += pad(p.hour, 2);
        break;
      case 'M':
        out += pad(p.minute, 2);
        break;
      case 'S':
        out += pad(p.second, 2);
        break;
      case 'L':
        out += pad(p.millisecond, 3);
        break;
      case 'j':
        out += pad(p.dayOfYear, 3);
        break;
      case 'w':
        out += String(p.dayOfWeek);
        break;
      case 'u':
        out += String(isoParts(p).isoDayOfWeek);
        break;
      case 'U':
        out += pad(weekOfYear(p), 2);
        break;
      case 'V':
        out += pad(isoParts(p).isoWeek, 2);
        break;
      case 'z':
        out += offsetText(tz.offsetAt(utcMs), false);
        break;
      case 'Z': {
        const mins = Math.round(tz.offsetAt(utcMs) / 60000);
        out += (mins < 0 ? '-' : '+') + String(Math.abs(mins));
        break;
      }
      case 'b':
        out += MONTHS[p.month - 1].slice(0, 3);
        break;
      case 'B':
        out += MONTHS[p.month - 1];
        break;
      default:
        fail(18536, `Invalid format character '%${c}' in format string`);
    }
  }
  return out;
}

/** ISO text of a date in UTC, as MongoDB prints dates converted to strings. */
export function isoString(date: Date): string {
  const t = date.getTime();
  if (Number.isNaN(t)) return 'Invalid Date';
  return formatDate(ISO_FORMAT, t, UTC);
}

// ---------------------------------------------------------------------------------------------
// Parsing ($dateFromString, $convert string -> date)

const ConversionFailure = 241;

const FROM_STRING_SPECIFIERS = new Set([
  'd',
  'G',
  'H',
  'j',
  'L',
  'm',
  'M',
  'S',
  'u',
  'V',
  'Y',
  'z',
  'Z',
  '%',
  'b',
  'B',
]);

export function validateFromStringFormat(format: string): void {
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') continue;
    if (i === format.length - 1) fail(18535, "Unmatched '%' at end of format string");
    const c = format[i + 1];
    if (!FROM_STRING_SPECIFIERS.has(c)) fail(18536, `Invalid format character '%${c}' in format string`);
    i++;
  }
}

interface ParsedFields {
  year?: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  ms?: number;
  dayOfYear?: number;
  isoYear?: number;
  isoWeek?: number;
  isoDay?: number;
  /** Offset in the string itself. */
  offsetMs?: number;
  zoneName?: string;
}

function parseError(input: string, why: string): never {
  fail(ConversionFailure, `Error parsing date string '${input}'; ${why}`);
}

function monthFromName(name: string): number | undefined {
  const i = MONTHS.findIndex((m) => m.toLowerCase().startsWith(name.toLowerCase()) && name.length >= 3);
  return i < 0 ? undefined : i + 1;
}

function parseOffset(text: string): number | undefined {
  if (text === 'Z' || text === 'z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(text);
  if (!m) return undefined;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600000 + Number(m[3] ?? 0) * 60000);
}

/** Parses the date formats MongoDB accepts without an explicit format (ISO 8601 and close variants). */
function parseDefault(input: string): ParsedFields {
  const s = input.trim();
  const iso =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?|\s[A-Za-z][A-Za-z_/+-]*)?$/.exec(
      s,
    );
  if (iso) {
    const f: ParsedFields = {
      year: Number(iso[1]),
      month: Number(iso[2]),
      day: Number(iso[3]),
      hour: iso[4] ? Number(iso[4]) : 0,
      minute: iso[5] ? Number(iso[5]) : 0,
      second: iso[6] ? Number(iso[6]) : 0,
      ms: iso[7] ? Number((iso[7] + '00').slice(0, 3)) : 0,
    };
    if (iso[8] !== undefined) {
      const z = iso[8].trim();
      const off = parseOffset(z);
      if (off !== undefined) f.offsetMs = off;
      else f.zoneName = z;
    }
    return f;
  }
  const slashed = /^(\d{4})\/(\d{1,2})\/(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (slashed) {
    return {
      year: Number(slashed[1]),
      month: Number(slashed[2]),
      day: Number(slashed[3]),
      hour: Number(slashed[4] ?? 0),
      minute: Number(slashed[5] ?? 0),
      second: Number(slashed[6] ?? 0),
      ms: 0,
    };
  }
  const named = /^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (named) {
    const month = monthFromName(named[1]);
    if (month) {
      return {
        year: Number(named[3]),
        month,
        day: Number(named[2]),
        hour: Number(named[4] ?? 0),
        minute: Number(named[5] ?? 0),
        second: Number(named[6] ?? 0),
        ms: 0,
      };
    }
  }
  parseError(input, 'the string does not match a supported date format');
}

function parseWithFormat(input: string, format: string): ParsedFields {
  const f: ParsedFields = {};
  let pos = 0;
  const digits = (min: number, max: number, what: string): number => {
    let end = pos;
    while (end < input.length && end - pos < max && input[end] >= '0' && input[end] <= '9') end++;
    if (end - pos < min) parseError(input, `expected ${what}`);
    const n = Number(input.slice(pos, end));
    pos = end;
    return n;
  };
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch !== '%') {
      if (input[pos] !== ch) parseError(input, `the format '${format}' does not match`);
      pos++;
      continue;
    }
    const c = format[++i];
    switch (c) {
      case '%':
        if (input[pos] !== '%') parseError(input, `the format '${format}' does not match`);
        pos++;
        break;
      case 'Y':
        f.year = digits(4, 4, 'a four digit year');
        break;
      case 'G':
        f.isoYear = digits(4, 4, 'a four digit ISO year');
        break;
      case 'm':
        f.month = digits(1, 2, 'a month');
        break;
      case 'd':
        f.day = digits(1, 2, 'a day');
        break;
      case 'H':
        f.hour = digits(1, 2, 'an hour');
        break;
      case 'M':
        f.minute = digits(1, 2, 'a minute');
        break;
      case 'S':
        f.second = digits(1, 2, 'a second');
        break;
      case 'L': {
        const start = pos;
        const n = digits(1, 9, 'milliseconds');
        const len = pos - start;
        f.ms = Math.floor(n / 10 ** Math.max(0, len - 3)) * 10 ** Math.max(0, 3 - len);
        break;
      }
      case 'j':
        f.dayOfYear = digits(1, 3, 'a day of the year');
        break;
      case 'V':
        f.isoWeek = digits(1, 2, 'an ISO week');
        break;
      case 'u':
        f.isoDay = digits(1, 1, 'an ISO day of the week');
        break;
      case 'z': {
        const m = /^(Z|[+-]\d{2}(?::?\d{2})?)/.exec(input.slice(pos));
        if (!m) parseError(input, 'expected a UTC offset');
        f.offsetMs = parseOffset(m[1]);
        pos += m[1].length;
        break;
      }
      case 'Z': {
        const m = /^[+-]\d+/.exec(input.slice(pos));
        if (!m) parseError(input, 'expected a minutes offset');
        f.offsetMs = Number(m[0]) * 60000;
        pos += m[0].length;
        break;
      }
      case 'b':
      case 'B': {
        const m = /^[A-Za-z]+/.exec(input.slice(pos));
        const month = m ? monthFromName(m[0]) : undefined;
        if (!m || !month) parseError(input, 'expected a month name');
        f.month = month;
        pos += m[0].length;
        break;
      }
      default:
        fail(18536, `Invalid format character '%${c}' in format string`);
    }
  }
  if (pos !== input.length) parseError(input, 'trailing data');
  return f;
}

/**
 * Parses a date string as $dateFromString does. `tz` applies when the string carries no zone;
 * a zone in the string together with an explicit timezone argument is an error, as in mongod.
 */
export function parseDateString(input: string, tz: TimeZone | undefined, format?: string): Date {
  const f = format === undefined ? parseDefault(input) : parseWithFormat(input, format);
  const hasZone = f.offsetMs !== undefined || f.zoneName !== undefined;
  if (hasZone && tz !== undefined && tz !== UTC) {
    fail(
      ConversionFailure,
      `you cannot pass in a date/time string with time zone information ('${input}') together with a timezone argument`,
    );
  }
  const h = f.hour ?? 0;
  const mi = f.minute ?? 0;
  const s = f.second ?? 0;
  const ms = f.ms ?? 0;
  if (h > 24 || mi > 59 || s > 60) parseError(input, 'a time part is out of range');
  let local: number;
  if (f.isoYear !== undefined || f.isoWeek !== undefined) {
    local = fromIsoParts(f.isoYear ?? 1970, f.isoWeek ?? 1, f.isoDay ?? 1, h, mi, s, ms);
  } else {
    const year = f.year;
    if (year === undefined) parseError(input, 'no year given');
    if (f.dayOfYear !== undefined) {
      local = utcFromParts(year, 1, 1, h, mi, s, ms) + (f.dayOfYear - 1) * DAY;
    } else {
      const month = f.month ?? 1;
      const day = f.day ?? 1;
      if (month < 1 || month > 12) parseError(input, 'the month is out of range');
      const maxDay = new Date(utcFromParts(year, month + 1, 0, 0, 0, 0, 0)).getUTCDate();
      if (day < 1 || day > maxDay) parseError(input, 'the day is out of range');
      local = utcFromParts(year, month, day, h, mi, s, ms);
    }
  }
  if (f.offsetMs !== undefined) return new Date(local - f.offsetMs);
  const zone = f.zoneName !== undefined ? safeZone(input, f.zoneName) : (tz ?? UTC);
  return new Date(fromLocalMs(local, zone));
}

function safeZone(input: string, name: string): TimeZone {
  try {
    return parseTimeZone(name);
  } catch {
    parseError(input, `unknown time zone '${name}'`);
  }
}

// ---------------------------------------------------------------------------------------------
// Units for $dateAdd / $dateDiff / $dateTrunc

export type TimeUnit =
  'year' | 'quarter' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'second' | 'millisecond';

export const TIME_UNITS: ReadonlySet<string> = new Set([
  'year',
  'quarter',
  'month',
  'week',
  'day',
  'hour',
  'minute',
  'second',
  'millisecond',
]);

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DAY_ABBR = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** 0 = Sunday .. 6 = Saturday, or undefined for an unknown name. */
export function parseDayOfWeek(name: string): number | undefined {
  const n = name.toLowerCase();
  const i = DAY_NAMES.indexOf(n);
  if (i >= 0) return i;
  const j = DAY_ABBR.indexOf(n);
  return j >= 0 ? j : undefined;
}

const UNIT_MS: Record<string, number> = { hour: 3600000, minute: 60000, second: 1000, millisecond: 1 };

function daysInMonth(year: number, month: number): number {
  return new Date(utcFromParts(year, month + 1, 0, 0, 0, 0, 0)).getUTCDate();
}

/** $dateAdd: calendar units move local wall time (clamping the day of month); others add milliseconds. */
export function dateAdd(utcMs: number, unit: TimeUnit, amount: number, tz: TimeZone): number {
  if (unit in UNIT_MS) return utcMs + amount * UNIT_MS[unit];
  const local = toLocalMs(utcMs, tz);
  if (unit === 'day' || unit === 'week') {
    return fromLocalMs(local + amount * (unit === 'week' ? 7 : 1) * DAY, tz);
  }
  const months = amount * (unit === 'year' ? 12 : unit === 'quarter' ? 3 : 1);
  const d = new Date(local);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const day = Math.min(d.getUTCDate(), daysInMonth(year, month));
  const next = utcFromParts(
    year,
    month,
    day,
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
  return fromLocalMs(next, tz);
}

/** $dateDiff: the number of unit boundaries crossed from start to end (in the zone's wall time). */
export function dateDiff(
  startMs: number,
  endMs: number,
  unit: TimeUnit,
  tz: TimeZone,
  startOfWeek: number,
): number {
  const a = toLocalMs(startMs, tz);
  const b = toLocalMs(endMs, tz);
  const da = new Date(a);
  const db = new Date(b);
  switch (unit) {
    case 'year':
      return db.getUTCFullYear() - da.getUTCFullYear();
    case 'quarter':
      return (
        db.getUTCFullYear() * 4 +
        Math.floor(db.getUTCMonth() / 3) -
        (da.getUTCFullYear() * 4 + Math.floor(da.getUTCMonth() / 3))
      );
    case 'month':
      return db.getUTCFullYear() * 12 + db.getUTCMonth() - (da.getUTCFullYear() * 12 + da.getUTCMonth());
    case 'week': {
      const weekStart = (ms: number) => {
        const day = Math.floor(ms / DAY);
        const dow = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
        return day - ((dow - startOfWeek + 7) % 7);
      };
      return (weekStart(b) - weekStart(a)) / 7;
    }
    case 'day':
      return Math.floor(b / DAY) - Math.floor(a / DAY);
    default: {
      const u = UNIT_MS[unit];
      return Math.floor(b / u) - Math.floor(a / u);
    }
  }
}

const REFERENCE_2000 = utcFromParts(2000, 1, 1, 0, 0, 0, 0);

/** $dateTrunc: bins of `binSize` units counted from 2000-01-01 in the zone's wall time. */
export function dateTrunc(
  utcMs: number,
  unit: TimeUnit,
  binSize: number,
  tz: TimeZone,
  startOfWeek: number,
): number {
  const local = toLocalMs(utcMs, tz);
  const d = new Date(local);
  let truncated: number;
  switch (unit) {
    case 'year':
    case 'quarter':
    case 'month': {
      const perUnit = unit === 'year' ? 12 : unit === 'quarter' ? 3 : 1;
      const months = (d.getUTCFullYear() - 2000) * 12 + d.getUTCMonth();
      const span = perUnit * binSize;
      const bin = Math.floor(months / span) * span;
      const year = 2000 + Math.floor(bin / 12);
      truncated = utcFromParts(year, bin - (year - 2000) * 12 + 1, 1, 0, 0, 0, 0);
      break;
    }
    case 'week': {
      // The first startOfWeek day on or after 2000-01-01 (a Saturday) anchors the bins.
      const refDay = Math.floor(REFERENCE_2000 / DAY);
      const refDow = (((refDay + 4) % 7) + 7) % 7;
      const anchor = refDay + ((startOfWeek - refDow + 7) % 7);
      const day = Math.floor(local / DAY);
      const span = 7 * binSize;
      truncated = (anchor + Math.floor((day - anchor) / span) * span) * DAY;
      break;
    }
    case 'day': {
      const span = DAY * binSize;
      truncated = REFERENCE_2000 + Math.floor((local - REFERENCE_2000) / span) * span;
      break;
    }
    default: {
      const span = UNIT_MS[unit] * binSize;
      truncated = REFERENCE_2000 + Math.floor((local - REFERENCE_2000) / span) * span;
    }
  }
  return fromLocalMs(truncated, tz);
}
