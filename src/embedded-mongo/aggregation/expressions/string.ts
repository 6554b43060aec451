/**
 * String operators. MongoDB strings are UTF-8: the *Bytes operators count UTF-8 bytes (and
 * refuse to cut a character), the *CP operators count code points. $toLower / $toUpper /
 * $strcasecmp change ASCII letters only, as mongod does. Regex operators run PCRE patterns on
 * JavaScript's engine through the query layer's PCRE translation (query/regex.ts).
 */
import { MongoCommandError } from '../../errors.js';
import { compileRegex as compilePcre } from '../../query/regex.js';
import { bsonTypeOf, compareStrings, toBigInt } from '../../values/index.js';
import {
  compileArgs,
  fail,
  foldIfConstant,
  isNullish,
  isNumber,
  isPlainObject,
  nary,
  rangedArity,
  show,
  typeName,
  variadic,
  type CompiledExpr,
  type OperatorCompiler,
} from './core.js';
import { isoString } from './date-time.js';
import { coerceToInt, coerceToLong, formatDoubleG, isIntegral } from './numbers.js';

/** Value::coerceToString: null/missing become "", numbers and dates print, other types fail (16007). */
export function coerceToString(v: unknown): string {
  const t = bsonTypeOf(v);
  switch (t) {
    case 'missing':
    case 'null':
    case 'undefined':
      return '';
    case 'string':
      return v as string;
    case 'symbol':
      return String((v as { value: unknown }).value);
    case 'javascript':
      return String((v as { code: unknown }).code);
    case 'int':
    case 'long':
      return toBigInt(v).toString();
    case 'double':
      return formatDoubleG(typeof v === 'number' ? v : (v as { value: number }).value);
    case 'decimal':
      return String(v);
    case 'date':
      return isoString(v as Date);
    case 'timestamp': {
      const ts = v as { t?: number; i?: number; high: number; low: number };
      return `Timestamp(${ts.t ?? ts.high >>> 0}, ${ts.i ?? ts.low >>> 0})`;
    }
    default:
      fail(16007, `can't convert from BSON type ${t} to String`);
  }
}

function asciiCase(s: string, upper: boolean): string {
  return s.replace(upper ? /[a-z]+/g : /[A-Z]+/g, (m) => (upper ? m.toUpperCase() : m.toLowerCase()));
}

const $concat: OperatorCompiler = variadic((args) => {
  let out = '';
  for (const v of args) {
    if (isNullish(v)) return null;
    if (typeof v !== 'string') fail(16702, `$concat only supports strings, not ${typeName(v)}`);
    out += v;
  }
  return out;
});

function isContinuation(b: number | undefined): boolean {
  return b !== undefined && (b & 0xc0) === 0x80;
}

const $substrBytes: OperatorCompiler = nary(3, ([s, lower, length], name) => {
  const str = coerceToString(s);
  const op = name === '$substr' ? '$substrBytes' : name;
  if (!isNumber(lower)) {
    fail(16034, `${op}:  starting index must be a numeric type (is BSON type ${typeName(lower)})`);
  }
  if (!isNumber(length))
    fail(16035, `${op}:  length must be a numeric type (is BSON type ${typeName(length)})`);
  const start = coerceToLong(lower);
  if (start < 0n) fail(50752, `${op}:  starting index must be non-negative (got: ${start})`);
  const bytes = Buffer.from(str, 'utf8');
  const len = coerceToLong(length);
  const from = start >= BigInt(bytes.length) ? bytes.length : Number(start);
  const count = len < 0n ? bytes.length : Number(len > BigInt(bytes.length) ? BigInt(bytes.length) : len);
  if (from < bytes.length && isContinuation(bytes[from])) {
    fail(28656, `${op}:  Invalid range, starting index is a UTF-8 continuation byte.`);
  }
  if (from + count < bytes.length && isContinuation(bytes[from + count])) {
    fail(28657, `${op}:  Invalid range, ending index is in the middle of a UTF-8 character.`);
  }
  if (from >= bytes.length) return '';
  return bytes.subarray(from, Math.min(bytes.length, from + count)).toString('utf8');
});

const $substrCP: OperatorCompiler = nary(3, ([s, lower, length], name) => {
  const str = coerceToString(s);
  if (!isNumber(lower)) {
    fail(34450, `${name}: starting index must be a numeric type (is BSON type ${typeName(lower)})`);
  }
  if (!isIntegral(lower)) {
    fail(34451, `${name}: starting index cannot be represented as a 32-bit integral value: ${show(lower)}`);
  }
  if (!isNumber(length))
    fail(34452, `${name}: length must be a numeric type (is BSON type ${typeName(length)})`);
  if (!isIntegral(length)) {
    fail(34453, `${name}: length cannot be represented as a 32-bit integral value: ${show(length)}`);
  }
  const start = coerceToInt(lower);
  const len = coerceToInt(length);
  if (len < 0) fail(34454, `${name}: length must be a nonnegative integer.`);
  if (start < 0) fail(34455, `${name}: the starting index must be nonnegative integer.`);
  const cps = Array.from(str);
  if (start >= cps.length) return '';
  return cps.slice(start, start + len).join('');
});

const $toLower: OperatorCompiler = nary(1, ([v]) => asciiCase(coerceToString(v), false));
const $toUpper: OperatorCompiler = nary(1, ([v]) => asciiCase(coerceToString(v), true));

const $strcasecmp: OperatorCompiler = nary(2, ([a, b]) => {
  const c = compareStrings(asciiCase(coerceToString(a), true), asciiCase(coerceToString(b), true));
  return c < 0 ? -1 : c > 0 ? 1 : 0;
});

const $strLenBytes: OperatorCompiler = nary(1, ([v]) => {
  if (typeof v !== 'string') fail(34473, `$strLenBytes requires a string argument, found: ${typeName(v)}`);
  return Buffer.byteLength(v, 'utf8');
});

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

const $strLenCP: OperatorCompiler = nary(1, ([v]) => {
  if (typeof v !== 'string') fail(34471, `$strLenCP requires a string argument, found: ${typeName(v)}`);
  return codePointLength(v);
});

const $split: OperatorCompiler = nary(2, ([input, sep]) => {
  if (isNullish(input) || isNullish(sep)) return null;
  if (typeof input !== 'string') {
    fail(
      40085,
      `$split requires an expression that evaluates to a string as a first argument, found: ${typeName(input)}`,
    );
  }
  if (typeof sep !== 'string') {
    fail(
      40086,
      `$split requires an expression that evaluates to a string as a second argument, found: ${typeName(sep)}`,
    );
  }
  if (sep === '') fail(40087, '$split requires a non-empty separator');
  return input.split(sep);
});

function indexArg(v: unknown, op: string, what: string): number {
  if (!isIntegral(v)) {
    fail(
      40096,
      `${op}requires an integral ${what}, found a value of type: ${typeName(v)}, with value: ${show(v)}`,
    );
  }
  const n = coerceToInt(v);
  if (n < 0) fail(40097, `${op} requires a nonnegative ${what}, found: ${show(v)}`);
  return n;
}

function stringIndexOperator(bytes: boolean): OperatorCompiler {
  return (arg, cx, name) => {
    const args = compileArgs(arg, cx);
    rangedArity(name, 2, 4, args);
    const [c1, c2] = bytes ? [40091, 40092] : [40093, 40094];
    return foldIfConstant(args, (root, vars) => {
      const input = args[0](root, vars);
      if (isNullish(input)) return null;
      if (typeof input !== 'string') {
        fail(c1, `${name} requires a string as the first argument, found: ${typeName(input)}`);
      }
      const token = args[1](root, vars);
      if (typeof token !== 'string') {
        fail(c2, `${name} requires a string as the second argument, found: ${typeName(token)}`);
      }
      const start = args.length > 2 ? indexArg(args[2](root, vars), name, 'starting index') : 0;
      const endArg = args.length > 3 ? indexArg(args[3](root, vars), name, 'ending index') : undefined;
      if (bytes) {
        const buf = Buffer.from(input, 'utf8');
        const end = endArg === undefined ? buf.length : Math.min(buf.length, endArg);
        if (start > buf.length || end < start) return -1;
        const pos = buf.subarray(0, end).indexOf(Buffer.from(token, 'utf8'), start);
        return pos;
      }
      // Code point offsets into the UTF-16 string.
      const offsets: number[] = [];
      for (let i = 0; i < input.length; i++) {
        offsets.push(i);
        const c = input.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < input.length) i++;
      }
      const cpLen = offsets.length;
      const end = endArg === undefined ? cpLen : Math.min(cpLen, endArg);
      if (end < start) return -1;
      if (start === 0 && input === '' && token === '') return 0;
      for (let i = start; i < end; i++) {
        if (input.startsWith(token, offsets[i])) return i;
      }
      return -1;
    });
  };
}

/** The whitespace $trim removes by default. */
const DEFAULT_TRIM = [
  '\0',
  ' ',
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2001',
  '\u2002',
  '\u2003',
  '\u2004',
  '\u2005',
  '\u2006',
  '\u2007',
  '\u2008',
  '\u2009',
  '\u200a',
];

function trimOperator(left: boolean, right: boolean): OperatorCompiler {
  return (arg, cx, name) => {
    if (!isPlainObject(arg))
      fail(50696, `${name} only supports an object as an argument, found ${typeName(arg)}`);
    let input: CompiledExpr | undefined;
    let chars: CompiledExpr | undefined;
    for (const [k, v] of Object.entries(arg)) {
      if (k === 'input') input = cx.compile(v);
      else if (k === 'chars') chars = cx.compile(v);
      else fail(50694, `${name} found an unknown argument: ${k}`);
    }
    if (!input) fail(50695, `${name} requires an 'input' field`);
    const inputE = input;
    return foldIfConstant([inputE, chars], (root, vars) => {
      const s = inputE(root, vars);
      if (isNullish(s)) return null;
      if (typeof s !== 'string') {
        fail(
          50699,
          `${name} requires its input to be a string, got ${show(s)} (of type ${typeName(s)}) instead.`,
        );
      }
      let set: readonly string[] = DEFAULT_TRIM;
      if (chars) {
        const c = chars(root, vars);
        if (isNullish(c)) return null;
        if (typeof c !== 'string') {
          fail(
            50700,
            `${name} requires 'chars' to be a string, got ${show(c)} (of type ${typeName(c)}) instead.`,
          );
        }
        set = Array.from(c);
      }
      const cps = Array.from(s);
      let from = 0;
      let to = cps.length;
      if (left) while (from < to && set.includes(cps[from])) from++;
      if (right) while (to > from && set.includes(cps[to - 1])) to--;
      return cps.slice(from, to).join('');
    });
  };
}

function replaceOperator(all: boolean): OperatorCompiler {
  return (arg, cx, name) => {
    if (!isPlainObject(arg))
      fail(51751, `${name} requires an object as an argument, found: ${typeName(arg)}`);
    let input: CompiledExpr | undefined;
    let find: CompiledExpr | undefined;
    let replacement: CompiledExpr | undefined;
    for (const [k, v] of Object.entries(arg)) {
      if (k === 'input') input = cx.compile(v);
      else if (k === 'find') find = cx.compile(v);
      else if (k === 'replacement') replacement = cx.compile(v);
      else fail(51750, `${name} found an unknown argument: ${k}`);
    }
    if (!input) fail(51749, `${name} requires 'input' to be specified`);
    if (!find) fail(51748, `${name} requires 'find' to be specified`);
    if (!replacement) fail(51747, `${name} requires 'replacement' to be specified`);
    const [iE, fE, rE] = [input, find, replacement];
    return foldIfConstant([iE, fE, rE], (root, vars) => {
      const i = iE(root, vars);
      const f = fE(root, vars);
      const r = rE(root, vars);
      if (!(typeof i === 'string' || isNullish(i)))
        fail(51746, `${name} requires that 'input' be a string, found: ${show(i)}`);
      if (!(typeof f === 'string' || isNullish(f)))
        fail(51745, `${name} requires that 'find' be a string, found: ${show(f)}`);
      if (!(typeof r === 'string' || isNullish(r))) {
        fail(51744, `${name} requires that 'replacement' be a string, found: ${show(r)}`);
      }
      if (typeof i !== 'string' || typeof f !== 'string' || typeof r !== 'string') return null;
      if (!all) {
        const at = i.indexOf(f);
        return at < 0 ? i : i.slice(0, at) + r + i.slice(at + f.length);
      }
      if (f === '') return r + Array.from(i).join(r) + (i === '' ? '' : r);
      return i.split(f).join(r);
    });
  };
}

// ---------------------------------------------------------------------------------------------
// Regular expressions

const globalCache = new Map<RegExp, RegExp>();

/**
 * Compiles a PCRE pattern with MongoDB option letters (via the query layer's translator) into a
 * global JS RegExp for iterating matches; an invalid pattern is 51111 as in mongod's $regex*.
 */
export function compileRegex(pattern: string, options: string, opName: string): RegExp {
  let base: RegExp;
  try {
    base = compilePcre(pattern, options);
  } catch (e) {
    if (e instanceof MongoCommandError && e.code === 51108) fail(51108, `${opName}: ${e.message}`);
    fail(51111, `Invalid Regex in ${opName}: ${(e as Error).message}`);
  }
  let re = globalCache.get(base);
  if (!re) {
    re = new RegExp(base.source, base.flags + 'g');
    if (globalCache.size > 1000) globalCache.clear();
    globalCache.set(base, re);
  }
  return re;
}

interface RegexState {
  input: string;
  re: RegExp;
}

function regexOperator(kind: 'match' | 'find' | 'findAll'): OperatorCompiler {
  return (arg, cx, name) => {
    if (!isPlainObject(arg)) {
      fail(51103, `${name} expects an object of named arguments but found: ${typeName(arg)}`);
    }
    let input: CompiledExpr | undefined;
    let regex: CompiledExpr | undefined;
    let options: CompiledExpr | undefined;
    for (const [k, v] of Object.entries(arg)) {
      if (k === 'input') input = cx.compile(v);
      else if (k === 'regex') regex = cx.compile(v);
      else if (k === 'options') options = cx.compile(v);
      else fail(31024, `${name} found an unknown argument: ${k}`);
    }
    if (!input) fail(31022, `${name} requires 'input' parameter`);
    if (!regex) fail(31023, `${name} requires 'regex' parameter`);
    const [iE, rE, oE] = [input, regex, options];
    const state = (
      root: Parameters<CompiledExpr>[0],
      vars: Parameters<CompiledExpr>[1],
    ): RegexState | undefined => {
      const text = iE(root, vars);
      const pat = rE(root, vars);
      const opts = oE ? oE(root, vars) : null;
      if (!(isNullish(text) || typeof text === 'string'))
        fail(51104, `${name} needs 'input' to be of type string`);
      const isRegex = bsonTypeOf(pat) === 'regex';
      if (!(isNullish(pat) || typeof pat === 'string' || isRegex)) {
        fail(51105, `${name} needs 'regex' to be of type string or regex`);
      }
      if (!(isNullish(opts) || typeof opts === 'string'))
        fail(51106, `${name} needs 'options' to be of type string`);
      let pattern: string | undefined;
      let flags = '';
      if (isRegex) {
        const r =
          pat instanceof RegExp
            ? { pattern: pat.source, options: pat.flags }
            : (pat as { pattern: string; options: string });
        pattern = r.pattern;
        if (r.options && !isNullish(opts)) {
          fail(51107, `${name}: found regex option(s) specified in both 'regex' and 'option' fields`);
        }
        flags = r.options ?? '';
      } else if (typeof pat === 'string') {
        pattern = pat;
      }
      if (typeof opts === 'string') flags = opts;
      if (pattern !== undefined && pattern.includes('\0')) {
        fail(51109, `${name}: regular expression cannot contain an embedded null byte`);
      }
      if (flags.includes('\0'))
        fail(51110, `${name}: regular expression options cannot contain an embedded null byte`);
      const re = pattern === undefined ? undefined : compileRegex(pattern, flags, name);
      if (typeof text !== 'string' || !re) return undefined;
      return { input: text, re };
    };
    if (kind === 'match') {
      return (root, vars) => {
        const s = state(root, vars);
        if (!s) return false;
        s.re.lastIndex = 0;
        return s.re.test(s.input);
      };
    }
    if (kind === 'find') {
      return (root, vars) => {
        const s = state(root, vars);
        if (!s) return null;
        s.re.lastIndex = 0;
        const m = s.re.exec(s.input);
        return m ? matchDoc(s.input, m) : null;
      };
    }
    return (root, vars) => {
      const s = state(root, vars);
      if (!s) return [];
      const out: unknown[] = [];
      s.re.lastIndex = 0;
      for (;;) {
        const m = s.re.exec(s.input);
        if (!m) break;
        out.push(matchDoc(s.input, m));
        if (m[0] === '') {
          const c = s.input.codePointAt(s.re.lastIndex);
          s.re.lastIndex += c !== undefined && c > 0xffff ? 2 : 1;
        }
        if (s.re.lastIndex > s.input.length) break;
      }
      return out;
    };
  };
}

function matchDoc(input: string, m: RegExpExecArray): Record<string, unknown> {
  return {
    match: m[0],
    idx: codePointLength(input.slice(0, m.index)),
    captures: m.slice(1).map((c) => (c === undefined ? null : c)),
  };
}

export const stringOperators: Record<string, OperatorCompiler> = {
  $concat,
  $indexOfBytes: stringIndexOperator(true),
  $indexOfCP: stringIndexOperator(false),
  $ltrim: trimOperator(true, false),
  $regexFind: regexOperator('find'),
  $regexFindAll: regexOperator('findAll'),
  $regexMatch: regexOperator('match'),
  $replaceAll: replaceOperator(true),
  $replaceOne: replaceOperator(false),
  $rtrim: trimOperator(false, true),
  $split,
  $strcasecmp,
  $strLenBytes,
  $strLenCP,
  $substr: $substrBytes,
  $substrBytes,
  $substrCP,
  $toLower,
  $toUpper,
  $trim: trimOperator(true, true),
};
