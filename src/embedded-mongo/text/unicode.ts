/**
 * The character rules of MongoDB's text search (text index version 3, src/mongo/db/fts/unicode):
 * which code points separate words, simple case folding, and diacritic removal.
 *
 * - Delimiters: code points with the Unicode properties White_Space, Dash, Hyphen,
 *   Quotation_Mark, Terminal_Punctuation, Pattern_Syntax or Sentence_Terminal; in English the
 *   apostrophe is not one ("don't" stays a word). `_` and digits are word characters.
 * - Case folding maps one code point to one code point (İ, with no single-code-point fold, stays).
 * - Diacritic removal decomposes a code point (NFD), drops the marks with the Diacritic property and
 *   keeps the result when it recomposes to one code point; a code point that is itself a
 *   diacritic is removed.
 * mongod generated its tables from Unicode 8.0; JavaScript's property escapes follow the Unicode
 * version of the running engine, which only differs for code points assigned since.
 */

/** The delimiter properties, and Hyphen's code points (JavaScript has no \p{Hyphen}). */
const DELIMITERS = String.raw`\p{White_Space}\p{Dash}\p{Quotation_Mark}\p{Terminal_Punctuation}\p{Pattern_Syntax}\p{Sentence_Terminal}\u00AD\u058A\u1806\u2010\u2011\u2E17\u30FB\uFE63\uFF0D\uFF65`;
const DELIMITER = new RegExp(`[${DELIMITERS}]`, 'u');
/** Runs of word characters (global: use with String.prototype.match only). */
export const ENGLISH_WORDS = new RegExp(`(?:[^${DELIMITERS}]|')+`, 'gu');
export const OTHER_WORDS = new RegExp(`[^${DELIMITERS}]+`, 'gu');
const DIACRITIC = /\p{Diacritic}/u;
const DIACRITICS = /\p{Diacritic}/gu;

function asciiTable(english: boolean): Uint8Array {
  const t = new Uint8Array(128);
  for (let cp = 0; cp < 128; cp++) {
    t[cp] = DELIMITER.test(String.fromCharCode(cp)) && !(english && cp === 0x27) ? 1 : 0;
  }
  return t;
}

const ENGLISH_ASCII = asciiTable(true);
const OTHER_ASCII = asciiTable(false);
const nonAsciiDelimiter = new Map<number, boolean>();

/** Whether `cp` separates words (the English list keeps the apostrophe inside words). */
export function isDelimiter(cp: number, english: boolean): boolean {
  if (cp < 128) return (english ? ENGLISH_ASCII : OTHER_ASCII)[cp] === 1;
  let d = nonAsciiDelimiter.get(cp);
  if (d === undefined) {
    d = DELIMITER.test(String.fromCodePoint(cp));
    nonAsciiDelimiter.set(cp, d);
  }
  return d;
}

/** Folds whose lower-case mapping in JavaScript differs from Unicode simple case folding. */
const FOLD_FIXES: ReadonlyMap<string, string> = new Map([
  ['\u00b5', '\u03bc'],
  ['\u017f', 's'],
  ['\u03c2', '\u03c3'],
  ['\u03d0', '\u03b2'],
  ['\u03d1', '\u03b8'],
  ['\u03d5', '\u03c6'],
  ['\u03d6', '\u03c0'],
  ['\u03f0', '\u03ba'],
  ['\u03f1', '\u03c1'],
  ['\u03f5', '\u03b5'],
  ['\u1e9b', '\u1e61'],
  ['\u1fbe', '\u03b9'],
]);

const foldCache = new Map<string, string>();

function foldChar(ch: string): string {
  let f = foldCache.get(ch);
  if (f === undefined) {
    const lower = ch.toLowerCase();
    f = FOLD_FIXES.get(lower) ?? FOLD_FIXES.get(ch) ?? (lower.length === ch.length ? lower : ch);
    if ([...f].length !== 1) f = ch;
    foldCache.set(ch, f);
  }
  return f;
}

const stripCache = new Map<string, string>();

function stripChar(ch: string): string {
  let s = stripCache.get(ch);
  if (s === undefined) {
    if (DIACRITIC.test(ch)) s = '';
    else {
      const recomposed = ch.normalize('NFD').replace(DIACRITICS, '').normalize('NFC');
      s = recomposed !== '' && [...recomposed].length === 1 ? recomposed : ch;
    }
    stripCache.set(ch, s);
  }
  return s;
}

// eslint-disable-next-line no-control-regex
export const ASCII_ONLY = /^[\u0000-\u007f]*$/;

/** Simple case folding of every code point. */
export function foldCase(s: string): string {
  if (ASCII_ONLY.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) out += ch.charCodeAt(0) < 128 ? ch.toLowerCase() : foldChar(ch);
  return out;
}

/** Removes diacritics (see the module contract). `^` and `` ` `` are diacritics too. */
export function stripDiacritics(s: string): string {
  if (ASCII_ONLY.test(s)) return s.includes('^') || s.includes('`') ? s.replace(/[`^]/g, '') : s;
  let out = '';
  for (const ch of s) out += ch.charCodeAt(0) < 128 && ch !== '^' && ch !== '`' ? ch : stripChar(ch);
  return out;
}

/** mongod's caseFoldAndStripDiacritics: diacritics out first (unless sensitive), then folding. */
export function normalizeText(s: string, caseSensitive: boolean, diacriticSensitive: boolean): string {
  const stripped = diacriticSensitive ? s : stripDiacritics(s);
  return caseSensitive ? stripped : foldCase(stripped);
}
