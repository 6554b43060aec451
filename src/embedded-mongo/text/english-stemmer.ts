/**
 * The Snowball English stemmer ("Porter2"), as the libstemmer_c that mongod bundles implements it
 * (the pre-3.0 algorithm: the R1 prefix exceptions are only gener/commun/arsen).
 *
 * Contract: `stemEnglish(word)` returns what libstemmer's english stemmer returns for the same
 * (already lower-cased) word. Only a-z, `'` and `y`/`Y` carry meaning; every other character
 * (digits, `_`, letters with diacritics, other scripts) counts as a non-vowel, as in libstemmer,
 * and lengths count characters, not UTF-16 units. Words of fewer than three characters are
 * returned unchanged.
 *
 * Algorithm: https://snowballstem.org/algorithms/english/stemmer.html (steps named as there).
 */

const EXCEPTION1: ReadonlyMap<string, string> = new Map([
  ['skis', 'ski'],
  ['skies', 'sky'],
  ['dying', 'die'],
  ['lying', 'lie'],
  ['tying', 'tie'],
  ['idly', 'idl'],
  ['gently', 'gentl'],
  ['ugly', 'ugli'],
  ['early', 'earli'],
  ['only', 'onli'],
  ['singly', 'singl'],
  ['sky', 'sky'],
  ['news', 'news'],
  ['howe', 'howe'],
  ['atlas', 'atlas'],
  ['cosmos', 'cosmos'],
  ['bias', 'bias'],
  ['andes', 'andes'],
]);

/** Words left alone after Step 1a. */
const EXCEPTION2: ReadonlySet<string> = new Set([
  'inning',
  'outing',
  'canning',
  'herring',
  'earring',
  'proceed',
  'exceed',
  'succeed',
]);

const R1_PREFIXES = ['gener', 'commun', 'arsen'];

/** Step 2: suffix → replacement ('' deletes); `before` checks the letter before the suffix. */
interface Rule {
  readonly to: string;
  readonly before?: (c: string) => boolean;
}

const VALID_LI = new Set(['c', 'd', 'e', 'g', 'h', 'k', 'm', 'n', 'r', 't']);

const STEP2: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ['tional', { to: 'tion' }],
  ['enci', { to: 'ence' }],
  ['anci', { to: 'ance' }],
  ['abli', { to: 'able' }],
  ['entli', { to: 'ent' }],
  ['izer', { to: 'ize' }],
  ['ization', { to: 'ize' }],
  ['ational', { to: 'ate' }],
  ['ation', { to: 'ate' }],
  ['ator', { to: 'ate' }],
  ['alism', { to: 'al' }],
  ['aliti', { to: 'al' }],
  ['alli', { to: 'al' }],
  ['fulness', { to: 'ful' }],
  ['ousli', { to: 'ous' }],
  ['ousness', { to: 'ous' }],
  ['iveness', { to: 'ive' }],
  ['iviti', { to: 'ive' }],
  ['biliti', { to: 'ble' }],
  ['bli', { to: 'ble' }],
  ['ogi', { to: 'og', before: (c) => c === 'l' }],
  ['fulli', { to: 'ful' }],
  ['lessli', { to: 'less' }],
  ['li', { to: '', before: (c) => VALID_LI.has(c) }],
]);

/** Step 3 (in R1); 'ative' is deleted only in R2. */
const STEP3: ReadonlyMap<string, string> = new Map([
  ['tional', 'tion'],
  ['ational', 'ate'],
  ['alize', 'al'],
  ['icate', 'ic'],
  ['iciti', 'ic'],
  ['ical', 'ic'],
  ['ful', ''],
  ['ness', ''],
  ['ative', ''],
]);

/** Step 4 (in R2): deleted; 'ion' only after s or t. */
const STEP4 = new Set([
  'al',
  'ance',
  'ence',
  'er',
  'ic',
  'able',
  'ible',
  'ant',
  'ement',
  'ment',
  'ent',
  'ism',
  'ate',
  'iti',
  'ous',
  'ive',
  'ize',
  'ion',
]);

const STEP1B = ['eed', 'eedly', 'ed', 'edly', 'ing', 'ingly'];
const STEP1A = ['sses', 'ied', 'ies', 's', 'ss', 'us'];
const APOSTROPHE_SUFFIXES = ["'s'", "'s", "'"];
const DOUBLES = new Set(['bb', 'dd', 'ff', 'gg', 'mm', 'nn', 'pp', 'rr', 'tt']);

function isVowel(c: string | undefined): boolean {
  return c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u' || c === 'y';
}

function isVowelWXY(c: string | undefined): boolean {
  return isVowel(c) || c === 'w' || c === 'x' || c === 'Y';
}

/** The longest of `suffixes` that `w` ends with (Snowball's `among`, which never falls back). */
function longestSuffix(w: string, suffixes: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const s of suffixes) if (w.endsWith(s) && (best === undefined || s.length > best.length)) best = s;
  return best;
}

/** Whether the stem `w[0, end)` ends in a short syllable (Snowball's `shortv`). */
function endsShort(w: string, end: number): boolean {
  const a = w[end - 1];
  const b = w[end - 2];
  if (end >= 3 && !isVowelWXY(a) && isVowel(b) && !isVowel(w[end - 3])) return true;
  return end === 2 && !isVowel(a) && isVowel(b);
}

/** The start of the region after the first non-vowel following a vowel, from `from`. */
function regionAfter(w: string, from: number): number {
  let i = from;
  while (i < w.length && !isVowel(w[i])) i++;
  while (i < w.length && isVowel(w[i])) i++;
  return i < w.length ? i + 1 : w.length;
}

function prelude(word: string): { w: string; yFound: boolean } {
  const chars = [...(word.startsWith("'") ? word.slice(1) : word)];
  let yFound = false;
  if (chars[0] === 'y') {
    chars[0] = 'Y';
    yFound = true;
  }
  for (let i = 1; i < chars.length; i++) {
    if (chars[i] === 'y' && isVowel(chars[i - 1])) {
      chars[i] = 'Y';
      yFound = true;
    }
  }
  return { w: chars.join(''), yFound };
}

function step1a(w: string): string {
  const apos = longestSuffix(w, APOSTROPHE_SUFFIXES);
  if (apos) w = w.slice(0, -apos.length);
  const s = longestSuffix(w, STEP1A);
  const stem = s === undefined ? w : w.slice(0, -s.length);
  switch (s) {
    case 'sses':
      return `${stem}ss`;
    case 'ied':
    case 'ies':
      return stem.length > 1 ? `${stem}i` : `${stem}ie`;
    case 's':
      // Deleted when a vowel occurs before the letter just before the s.
      for (let i = 0; i < stem.length - 1; i++) if (isVowel(stem[i])) return stem;
      return w;
    default:
      return w;
  }
}

function step1b(w: string, p1: number): string {
  const s = longestSuffix(w, STEP1B);
  if (s === undefined) return w;
  const stem = w.slice(0, -s.length);
  if (s === 'eed' || s === 'eedly') return stem.length >= p1 ? `${stem}ee` : w;
  if (![...stem].some(isVowel)) return w;
  if (stem.endsWith('at') || stem.endsWith('bl') || stem.endsWith('iz')) return `${stem}e`;
  if (DOUBLES.has(stem.slice(-2))) return stem.slice(0, -1);
  if (stem.length === p1 && endsShort(stem, stem.length)) return `${stem}e`;
  return stem;
}

function step1c(w: string): string {
  const last = w[w.length - 1];
  if ((last === 'y' || last === 'Y') && w.length > 2 && !isVowel(w[w.length - 2])) {
    return `${w.slice(0, -1)}i`;
  }
  return w;
}

function step2(w: string, p1: number): string {
  const s = longestSuffix(w, STEP2.keys());
  if (s === undefined) return w;
  const start = w.length - s.length;
  if (start < p1) return w;
  const rule = STEP2.get(s) as Rule;
  if (rule.before && !rule.before(w[start - 1])) return w;
  return w.slice(0, start) + rule.to;
}

function step3(w: string, p1: number, p2: number): string {
  const s = longestSuffix(w, STEP3.keys());
  if (s === undefined) return w;
  const start = w.length - s.length;
  if (start < p1 || (s === 'ative' && start < p2)) return w;
  return w.slice(0, start) + (STEP3.get(s) as string);
}

function step4(w: string, p2: number): string {
  const s = longestSuffix(w, STEP4);
  if (s === undefined) return w;
  const start = w.length - s.length;
  if (start < p2) return w;
  if (s === 'ion' && w[start - 1] !== 's' && w[start - 1] !== 't') return w;
  return w.slice(0, start);
}

function step5(w: string, p1: number, p2: number): string {
  const end = w.length - 1;
  if (w[end] === 'e') {
    if (end >= p2 || (end >= p1 && !endsShort(w, end))) return w.slice(0, end);
  } else if (w[end] === 'l' && end >= p2 && w[end - 1] === 'l') {
    return w.slice(0, end);
  }
  return w;
}

function stemChars(word: string): string {
  const exception = EXCEPTION1.get(word);
  if (exception !== undefined) return exception;
  if (word.length < 3) return word;
  const pre = prelude(word);
  let w = pre.w;
  const prefix = R1_PREFIXES.find((p) => w.startsWith(p));
  const p1 = prefix ? prefix.length : regionAfter(w, 0);
  const p2 = regionAfter(w, p1);
  w = step1a(w);
  if (!EXCEPTION2.has(w)) {
    w = step1b(w, p1);
    w = step1c(w);
    w = step2(w, p1);
    w = step3(w, p1, p2);
    w = step4(w, p2);
    w = step5(w, p1, p2);
  }
  return pre.yFound ? w.replace(/Y/g, 'y') : w;
}

const SURROGATE = /[\uD800-\uDFFF]/;
const PRIVATE_USE = /[\uE000-\uF8FF]/;

/** Stems one English word (see the module contract). */
export function stemEnglish(word: string): string {
  if (!SURROGATE.test(word) || PRIVATE_USE.test(word)) return stemChars(word);
  // Characters outside the BMP are single letters to libstemmer: stand a private-use character in
  // for each (the steps never remove or reorder non-ASCII letters), then put them back.
  const astral: string[] = [];
  const flat = Array.from(word, (ch) =>
    ch.length === 1 || astral.length >= 0x1900 ? ch : String.fromCharCode(0xe000 + astral.push(ch) - 1),
  ).join('');
  return stemChars(flat).replace(/[\uE000-\uF8FF]/g, (ch) => astral[ch.charCodeAt(0) - 0xe000]);
}
