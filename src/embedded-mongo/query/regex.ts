/**
 * MongoDB regular expressions (PCRE2 syntax, options `i m s x u`) as JS RegExp.
 *
 * Contract: `compileRegex(pattern, options)` returns a RegExp (never with the `g`/`y` flags, so
 * `test` is stateless) that matches what mongod's PCRE matches, or throws MongoDB's errors:
 * 51108 for an unknown option letter, 51091 for a pattern that does not compile, BadValue for an
 * embedded NUL. The translation is syntactic: PCRE's `^ $ . \s \A \z \Z \h \v \R \Q..\E`, POSIX
 * classes, `x`-mode comments, octal and `\x{..}` escapes, named-group spellings and inline option
 * settings are rewritten so that JS's semantics equal PCRE's (e.g. PCRE's `$` also matches before a
 * final newline, and `.` matches `\r`). Constructs JS cannot express (recursion, `\K`, `\X`,
 * relative back-references) are rejected as invalid; atomic groups and possessive quantifiers are
 * approximated by their backtracking forms.
 */
import { MongoCommandError, mongoError } from '../errors.js';
import { bsonTag } from '../values/index.js';

/** A regex as BSON holds it: PCRE source and option letters. */
export interface RegexSpec {
  readonly pattern: string;
  readonly options: string;
}

/** The pattern and options of a BSON regex value (BSONRegExp or a JS RegExp), else undefined. */
export function regexSpecOf(v: unknown): RegexSpec | undefined {
  if (v instanceof RegExp) {
    // What the driver sends for a JS RegExp: its source, and the flags BSON knows, sorted.
    const options = [...v.flags]
      .filter((f) => 'imsux'.includes(f))
      .sort()
      .join('');
    return { pattern: v.source, options };
  }
  if (bsonTag(v) === 'BSONRegExp') {
    const r = v as { pattern: string; options: string };
    return { pattern: String(r.pattern), options: String(r.options ?? '') };
  }
  return undefined;
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
}

const PCRE_SPACE = '\\t\\n\\x0B\\f\\r ';
const H_SPACE = '\\t \\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000';
const V_SPACE = '\\n\\x0B\\f\\r\\x85\\u2028\\u2029';
const SYNTAX_CHARS = '^$\\.*+?()[]{}|/';

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: PCRE_SPACE,
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  cntrl: '\\x00-\\x1F\\x7F',
  print: '\\x20-\\x7E',
  graph: '\\x21-\\x7E',
  ascii: '\\x00-\\x7F',
};

function invalid(reason: string): MongoCommandError {
  return new MongoCommandError(51091, `Regular expression is invalid: ${reason}`);
}

function codePointEscape(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/** A literal character as it must appear in a `u`-mode JS pattern. */
function literal(ch: string, inClass: boolean): string {
  if (SYNTAX_CHARS.includes(ch) || (inClass && ch === '-')) return '\\' + ch;
  return ch;
}

function isPcreSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\x0B' || ch === '\f' || ch === '\r';
}

/** `\p{..}` names: general categories pass through, PCRE script names become `Script=`. */
function unicodeProperty(name: string, negated: boolean): string {
  let n = name;
  let neg = negated;
  if (n.startsWith('^')) {
    neg = !neg;
    n = n.slice(1);
  }
  if (n === 'L&') n = 'LC';
  else if (n === 'Any') return neg ? '[^\\s\\S]' : '[\\s\\S]';
  else if (!/^[A-Z][a-z&]?$/.test(n) && !n.includes('=')) n = `Script=${n}`;
  return `\\${neg ? 'P' : 'p'}{${n}}`;
}

interface Escape {
  readonly text: string;
  readonly next: number;
}

/**
 * `\` followed by digits 1-9: a back-reference when below 10 or when that many groups exist,
 * else (PCRE) up to three octal digits; `\8` and `\9` without such a group are literals.
 */
function numericEscape(src: string, i: number, inClass: boolean, groups: number): Escape {
  const digits = /^\d+/.exec(src.slice(i + 1))?.[0] ?? '';
  const n = Number(digits);
  if (!inClass && (n < 10 || n <= groups)) {
    if (n > groups && (digits[0] === '8' || digits[0] === '9')) return { text: digits[0], next: i + 2 };
    return { text: '\\' + digits, next: i + 1 + digits.length };
  }
  const octal = /^[0-7]{1,3}/.exec(digits)?.[0];
  if (!octal) return { text: digits[0], next: i + 2 };
  return { text: codePointEscape(parseInt(octal, 8)), next: i + 1 + octal.length };
}

/** Translates the escape sequence starting at `src[i] === '\\'` (`groups`: capturing groups in the pattern). */
function translateEscape(src: string, i: number, inClass: boolean, groups = 0): Escape {
  const c = src[i + 1];
  if (c === undefined) throw invalid('\\ at end of pattern');
  const after = i + 2;
  switch (c) {
    case 'A':
    case 'G':
      if (inClass) throw invalid(`escape sequence \\${c} is invalid in a character class`);
      return { text: '^', next: after };
    case 'z':
      if (inClass) throw invalid('escape sequence \\z is invalid in a character class');
      return { text: '$', next: after };
    case 'Z':
      if (inClass) throw invalid('escape sequence \\Z is invalid in a character class');
      return { text: '(?=\\n?$)', next: after };
    case 's':
      return { text: inClass ? PCRE_SPACE : `[${PCRE_SPACE}]`, next: after };
    case 'S':
      return { text: inClass ? '\\S' : `[^${PCRE_SPACE}]`, next: after };
    case 'h':
      return { text: inClass ? H_SPACE : `[${H_SPACE}]`, next: after };
    case 'H':
      if (inClass) throw invalid('\\H in a character class is not supported');
      return { text: `[^${H_SPACE}]`, next: after };
    case 'v':
      return { text: inClass ? V_SPACE : `[${V_SPACE}]`, next: after };
    case 'V':
      if (inClass) throw invalid('\\V in a character class is not supported');
      return { text: `[^${V_SPACE}]`, next: after };
    case 'R':
      if (inClass) throw invalid('escape sequence \\R is invalid in a character class');
      return { text: `(?:\\r\\n|[${V_SPACE}])`, next: after };
    case 'N':
      if (inClass) throw invalid('escape sequence \\N is invalid in a character class');
      return { text: '[^\\n]', next: after };
    case 'e':
      return { text: '\\x1B', next: after };
    case 'a':
      return { text: '\\x07', next: after };
    case 'E':
      return { text: '', next: after };
    case 'K':
    case 'X':
    case 'C':
      throw invalid(`\\${c} is not supported`);
    case 'x': {
      if (src[after] === '{') {
        const close = src.indexOf('}', after);
        const hex = close < 0 ? '' : src.slice(after + 1, close);
        if (!/^[0-9a-fA-F]{1,6}$/.test(hex)) throw invalid('malformed \\x{...} escape');
        return { text: codePointEscape(parseInt(hex, 16)), next: close + 1 };
      }
      const m = /^[0-9a-fA-F]{1,2}/.exec(src.slice(after, after + 2));
      const hex = m ? m[0] : '';
      return { text: codePointEscape(hex ? parseInt(hex, 16) : 0), next: after + hex.length };
    }
    case 'o': {
      const close = src.indexOf('}', after);
      const oct = src[after] === '{' && close > 0 ? src.slice(after + 1, close) : '';
      if (!/^[0-7]+$/.test(oct)) throw invalid('malformed \\o{...} escape');
      return { text: codePointEscape(parseInt(oct, 8)), next: close + 1 };
    }
    case '0': {
      const m = /^[0-7]{0,2}/.exec(src.slice(after, after + 2));
      const digits = m ? m[0] : '';
      return { text: codePointEscape(digits ? parseInt(digits, 8) : 0), next: after + digits.length };
    }
    case 'p':
    case 'P': {
      if (src[after] === '{') {
        const close = src.indexOf('}', after);
        if (close < 0) throw invalid('malformed \\p{...}');
        return { text: unicodeProperty(src.slice(after + 1, close), c === 'P'), next: close + 1 };
      }
      if (src[after] === undefined) throw invalid('malformed \\p');
      return { text: unicodeProperty(src[after], c === 'P'), next: after + 1 };
    }
    case 'g': {
      if (inClass) throw invalid('\\g is invalid in a character class');
      const m = /^(?:\{(-?\d+|[A-Za-z_]\w*)\}|(-?\d+)|<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/.exec(
        src.slice(after),
      );
      if (!m) throw invalid('malformed \\g reference');
      const ref = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
      if (ref.startsWith('-')) throw invalid('relative back-references are not supported');
      if (m[3] !== undefined || m[4] !== undefined) throw invalid('subroutine calls are not supported');
      return { text: /^\d+$/.test(ref) ? `\\${ref}` : `\\k<${ref}>`, next: after + m[0].length };
    }
    case 'k': {
      if (inClass) throw invalid('\\k is invalid in a character class');
      const m = /^(?:<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)'|\{([A-Za-z_]\w*)\})/.exec(src.slice(after));
      if (!m) throw invalid('malformed \\k reference');
      return { text: `\\k<${m[1] ?? m[2] ?? m[3]}>`, next: after + m[0].length };
    }
    default:
      break;
  }
  if (/[1-9]/.test(c)) return numericEscape(src, i, inClass, groups);
  if (/[0-9A-Za-z]/.test(c)) return { text: '\\' + c, next: after };
  // Identity escape of a non-alphanumeric character: a literal.
  const cp = src.codePointAt(i + 1) ?? 0;
  const ch = String.fromCodePoint(cp);
  return { text: literal(ch, inClass), next: i + 1 + ch.length };
}

/** Copies `\Q...\E` literal text starting after `\Q`; returns the translated text and next index. */
function quoted(src: string, start: number, inClass: boolean): Escape {
  const end = src.indexOf('\\E', start);
  const body = end < 0 ? src.slice(start) : src.slice(start, end);
  let text = '';
  for (const ch of body) text += literal(ch, inClass);
  return { text, next: end < 0 ? src.length : end + 2 };
}

function translateClass(src: string, start: number): Escape {
  let i = start + 1;
  let text = '[';
  if (src[i] === '^') {
    text += '^';
    i++;
  }
  // A ']' first in a PCRE class is a literal.
  if (src[i] === ']') {
    text += '\\]';
    i++;
  }
  while (i < src.length) {
    const c = src[i];
    if (c === ']') return { text: text + ']', next: i + 1 };
    if (c === '[') {
      const m = /^\[:(\^?)([a-z]+):\]/.exec(src.slice(i));
      if (m) {
        const cls = POSIX_CLASSES[m[2]];
        if (cls === undefined) throw invalid(`unknown POSIX class name ${m[2]}`);
        if (m[1]) throw invalid('negated POSIX classes are not supported');
        text += cls;
        i += m[0].length;
        continue;
      }
      text += '\\[';
      i++;
      continue;
    }
    if (c === '\\') {
      if (src[i + 1] === 'Q') {
        const q = quoted(src, i + 2, true);
        text += q.text;
        i = q.next;
        continue;
      }
      const e = translateEscape(src, i, true);
      text += e.text;
      i = e.next;
      continue;
    }
    const cp = src.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    text += ch === '/' ? '\\/' : ch;
    i += ch.length;
  }
  throw invalid('missing terminating ] for character class');
}

/** Reads a quantifier at src[i] (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`); returns its length or 0. */
function quantifierLength(src: string, i: number): number {
  const c = src[i];
  if (c === '*' || c === '+' || c === '?') return 1;
  if (c === '{') {
    const m = /^\{\d+(?:,\d*)?\}/.exec(src.slice(i, i + 24));
    return m ? m[0].length : 0;
  }
  return 0;
}

/** Number of capturing groups in a pattern (for telling back-references from octal escapes). */
function countGroups(src: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      if (src[i + 1] === '^') i++;
      if (src[i + 1] === ']') i++;
    } else if (c === '(') {
      if (src[i + 1] !== '?' || /^\(\?(?:P?<[A-Za-z_]|')/.test(src.slice(i, i + 5))) n++;
    }
  }
  return n;
}

function translate(src: string, initial: Flags): { source: string; ignoreCase: boolean } {
  const groups = countGroups(src);
  let flags: Flags = { ...initial };
  let ignoreCase = flags.i;
  const stack: Flags[] = [];
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (flags.x && isPcreSpace(c)) {
      i++;
      continue;
    }
    if (flags.x && c === '#') {
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? src.length : nl + 1;
      continue;
    }
    const q = quantifierLength(src, i);
    if (q > 0) {
      out += src.slice(i, i + q);
      i += q;
      if (src[i] === '?') {
        out += '?';
        i++;
      } else if (src[i] === '+') {
        // Possessive quantifier: approximated by the greedy one.
        i++;
      }
      continue;
    }
    switch (c) {
      case '\\': {
        if (src[i + 1] === 'Q') {
          const qt = quoted(src, i + 2, false);
          out += qt.text;
          i = qt.next;
          continue;
        }
        const e = translateEscape(src, i, false, groups);
        out += e.text;
        i = e.next;
        continue;
      }
      case '[': {
        const cls = translateClass(src, i);
        out += cls.text;
        i = cls.next;
        continue;
      }
      case '(': {
        const rest = src.slice(i, i + 64);
        if (rest.startsWith('(?#')) {
          const close = src.indexOf(')', i);
          if (close < 0) throw invalid('missing ) after (?# comment');
          i = close + 1;
          continue;
        }
        const opt = /^\(\?([imsxnJU]*)(?:-([imsxnJU]*))?(\)|:)/.exec(rest);
        if (opt && (opt[1] || opt[2] !== undefined)) {
          const next = { ...flags };
          for (const f of opt[1]) if (f in next) next[f as keyof Flags] = true;
          for (const f of opt[2] ?? '') if (f in next) next[f as keyof Flags] = false;
          // JS cannot scope case-insensitivity to part of a pattern: it applies to the whole.
          if (next.i) ignoreCase = true;
          if (opt[3] === ')') {
            flags = next;
          } else {
            stack.push(flags);
            flags = next;
            out += '(?:';
          }
          i += opt[0].length;
          continue;
        }
        stack.push(flags);
        const named = /^\(\?(?:P<|')([A-Za-z_]\w*)[>']/.exec(rest);
        if (named) {
          out += `(?<${named[1]}>`;
          i += named[0].length;
          continue;
        }
        const backref = /^\(\?P=([A-Za-z_]\w*)\)/.exec(rest);
        if (backref) {
          stack.pop();
          out += `\\k<${backref[1]}>`;
          i += backref[0].length;
          continue;
        }
        if (rest.startsWith('(?>') || rest.startsWith('(?|')) {
          // Atomic groups and branch resets: approximated by a plain non-capturing group.
          out += '(?:';
          i += 3;
          continue;
        }
        if (/^\(\?(?:R|[+-]?\d|&|P>|C)/.test(rest)) throw invalid('recursion and callouts are not supported');
        out += '(';
        i++;
        continue;
      }
      case ')':
        flags = stack.pop() ?? flags;
        out += ')';
        i++;
        continue;
      case '.':
        out += flags.s ? '[\\s\\S]' : '[^\\n]';
        i++;
        continue;
      case '^':
        // PCRE multiline '^' matches after internal newlines only (not after a final one).
        out += flags.m ? '(?:^|(?<=\\n)(?=[\\s\\S]))' : '^';
        i++;
        continue;
      case '$':
        // PCRE '$' also matches before a newline that ends the subject.
        out += flags.m ? '(?=\\n|$)' : '(?=\\n?$)';
        i++;
        continue;
      case '{':
        out += '\\{';
        i++;
        continue;
      case '}':
        out += '\\}';
        i++;
        continue;
      case ']':
        out += '\\]';
        i++;
        continue;
      case '/':
        out += '\\/';
        i++;
        continue;
      default: {
        const cp = src.codePointAt(i) ?? 0;
        const ch = String.fromCodePoint(cp);
        out += ch;
        i += ch.length;
      }
    }
  }
  return { source: out, ignoreCase };
}

/** Throws MongoDB's error for option letters PCRE does not accept. */
export function validateRegexOptions(options: string): void {
  for (const f of options) {
    if (!'imsux'.includes(f)) throw new MongoCommandError(51108, `invalid flag in regex options: ${f}`);
  }
}

const CACHE_LIMIT = 2000;
const cache = new Map<string, RegExp>();

/** Compiles a MongoDB regex (cached). Throws 51108 / 51091 / BadValue as mongod does. */
export function compileRegex(pattern: string, options = ''): RegExp {
  validateRegexOptions(options);
  const key = options + '/' + pattern;
  const hit = cache.get(key);
  if (hit) return hit;
  if (pattern.includes('\0'))
    throw mongoError('BadValue', 'Regular expression cannot contain an embedded null byte');
  const { source, ignoreCase } = translate(pattern, {
    i: options.includes('i'),
    m: options.includes('m'),
    s: options.includes('s'),
    x: options.includes('x'),
  });
  let re: RegExp;
  try {
    re = new RegExp(source, ignoreCase ? 'iu' : 'u');
  } catch (err) {
    throw invalid(err instanceof Error ? err.message : String(err));
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, re);
  return re;
}

/** Does a regex (given as a spec) match a value as MongoDB's regex predicate does? */
export function regexMatchesValue(re: RegExp, spec: RegexSpec, v: unknown): boolean {
  if (typeof v === 'string') return re.test(v);
  const tag = bsonTag(v);
  if (tag === 'BSONSymbol' || tag === 'Symbol') return re.test(String((v as { value: unknown }).value));
  const other = regexSpecOf(v);
  return other !== undefined && other.pattern === spec.pattern && other.options === spec.options;
}
