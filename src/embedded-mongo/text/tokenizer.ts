/**
 * mongod's UnicodeFTSTokenizer: splits text into words at delimiters and turns each word into the
 * term a text index stores or a `$text` search looks for.
 *
 * Per word, in mongod's order: case-fold it; drop it when stop words are filtered and the folded
 * word is one (the check sees diacritics); take the original spelling instead when case matters;
 * stem it (the stemmer sees diacritics); remove diacritics unless they matter.
 */
import type { TextLanguage } from './language.js';
import { ASCII_ONLY, ENGLISH_WORDS, OTHER_WORDS, foldCase, stripDiacritics } from './unicode.js';

export interface TokenizeOptions {
  /** Leave stop words out (index keys and search terms do; matching a document's words does not). */
  readonly filterStopWords?: boolean;
  readonly caseSensitive?: boolean;
  readonly diacriticSensitive?: boolean;
}

/** The words of `text` (runs between delimiters), or null when it has none. */
export function wordsOf(text: string, language: TextLanguage): RegExpMatchArray | null {
  return text.match(language.englishDelimiters ? ENGLISH_WORDS : OTHER_WORDS);
}

/** Case folding of a word; `ascii` says the word (or its whole text) is ASCII. */
export function foldWord(word: string, ascii: boolean): string {
  return ascii ? word.toLowerCase() : foldCase(word);
}

/**
 * The term of one word (`folded` is foldWord(original)), or undefined for a filtered stop word.
 * ASCII words skip diacritic removal: `^` and `` ` `` are delimiters, so no ASCII word has one.
 */
export function termOf(
  original: string,
  folded: string,
  language: TextLanguage,
  options: TokenizeOptions,
  ascii: boolean,
): string | undefined {
  if (options.filterStopWords === true && language.stopWords.has(folded)) return undefined;
  const stemmed = language.stem(options.caseSensitive === true ? original : folded);
  return ascii || options.diacriticSensitive === true ? stemmed : stripDiacritics(stemmed);
}

/** The terms of `text` in `language` (see the module contract). */
export function tokenize(text: string, language: TextLanguage, options: TokenizeOptions = {}): string[] {
  const words = wordsOf(text, language);
  if (!words) return [];
  const ascii = ASCII_ONLY.test(text);
  const out: string[] = [];
  for (const word of words) {
    const term = termOf(word, foldWord(word, ascii), language, options, ascii);
    if (term !== undefined) out.push(term);
  }
  return out;
}
