/**
 * Text search languages: the names and two-letter codes MongoDB accepts (text index version 3),
 * and what each means for tokenizing.
 *
 * English stems with Snowball English and drops MongoDB's English stop words; "none" does
 * neither. The other languages MongoDB knows are accepted (so documents and indexes that name them
 * keep working) but tokenized like "none": no stemmer or stop word list for them is built in. Only
 * English keeps the apostrophe inside words, as in mongod.
 */
import { mongoError } from '../errors.js';
import { stemEnglish } from './english-stemmer.js';
import { ENGLISH_STOP_WORDS } from './stop-words-english.js';

export interface TextLanguage {
  /** Canonical name ('english', 'none', ...). */
  readonly name: string;
  /** English's word delimiters (apostrophe inside words) rather than everyone else's. */
  readonly englishDelimiters: boolean;
  readonly stopWords: ReadonlySet<string>;
  /** Stems a (folded or, for case-sensitive searches, original) word. */
  stem(word: string): string;
}

const NO_STOP_WORDS: ReadonlySet<string> = new Set();
const MAX_STEM_CACHE = 200_000;

function cachedStemmer(stem: (w: string) => string): (w: string) => string {
  let cache = new Map<string, string>();
  return (word) => {
    let s = cache.get(word);
    if (s === undefined) {
      if (cache.size >= MAX_STEM_CACHE) cache = new Map();
      s = stem(word);
      cache.set(word, s);
    }
    return s;
  };
}

const identity = (w: string): string => w;

const ENGLISH: TextLanguage = {
  name: 'english',
  englishDelimiters: true,
  stopWords: ENGLISH_STOP_WORDS,
  stem: cachedStemmer(stemEnglish),
};

function unstemmed(name: string): TextLanguage {
  return { name, englishDelimiters: false, stopWords: NO_STOP_WORDS, stem: identity };
}

const CODES: ReadonlyArray<readonly [string, string]> = [
  ['da', 'danish'],
  ['nl', 'dutch'],
  ['en', 'english'],
  ['fi', 'finnish'],
  ['fr', 'french'],
  ['de', 'german'],
  ['hu', 'hungarian'],
  ['it', 'italian'],
  ['nb', 'norwegian'],
  ['pt', 'portuguese'],
  ['ro', 'romanian'],
  ['ru', 'russian'],
  ['es', 'spanish'],
  ['sv', 'swedish'],
  ['tr', 'turkish'],
];

const LANGUAGES = new Map<string, TextLanguage>([['none', unstemmed('none')]]);
for (const [code, name] of CODES) {
  const lang = name === 'english' ? ENGLISH : unstemmed(name);
  LANGUAGES.set(name, lang);
  LANGUAGES.set(code, lang);
}

/** The language a name or code denotes (case-insensitive), or undefined when MongoDB has none. */
export function findLanguage(name: string): TextLanguage | undefined {
  return LANGUAGES.get(name.toLowerCase());
}

/** As findLanguage, but an unknown name is mongod's BadValue. */
export function requireLanguage(name: string): TextLanguage {
  const lang = findLanguage(name);
  if (!lang) throw mongoError('BadValue', `unsupported language: "${name}" for text index version 3`);
  return lang;
}

export const ENGLISH_LANGUAGE = ENGLISH;
