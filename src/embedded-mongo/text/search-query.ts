/**
 * A `$search` string, parsed as mongod's FTSQueryImpl parses it.
 *
 * - Words are OR'ed. `"..."` is a phrase: every phrase must occur (as a substring of one indexed
 *   string, case- and diacritic-insensitively unless asked otherwise), and its words count as
 *   search terms too.
 * - `-word` excludes documents with that term; `-"..."` excludes documents with that phrase. A
 *   `-` negates only when it follows whitespace (or starts the string) and lasts until the next
 *   whitespace, so `-foo-bar` negates both words and `a-b` searches both. Words inside a negated
 *   phrase are not search terms.
 * - Whitespace here is space, \n, \v, \f and \r only (a tab is a word separator of the tokenizer,
 *   not of this parser, so `-a\tb` negates both words).
 * - Terms are tokenized like index keys (stop words dropped, stemmed, folded). `boundsTerms` are
 *   always the case- and diacritic-insensitive terms (what the index is searched for, and what the
 *   score adds up); `positiveTerms`/`negatedTerms` follow the search's sensitivity.
 */
import type { TextLanguage } from './language.js';
import { tokenize } from './tokenizer.js';

export interface SearchOptions {
  readonly caseSensitive: boolean;
  readonly diacriticSensitive: boolean;
}

export interface ParsedSearch {
  readonly positiveTerms: ReadonlySet<string>;
  readonly negatedTerms: ReadonlySet<string>;
  readonly positivePhrases: readonly string[];
  readonly negatedPhrases: readonly string[];
  /** Insensitive positive terms, sorted (mongod keeps them in a std::set). */
  readonly boundsTerms: readonly string[];
}

type QueryToken =
  | { readonly kind: 'text'; readonly text: string; readonly afterSpace: boolean }
  | {
      readonly kind: 'delimiter';
      readonly char: '-' | '"';
      readonly offset: number;
      readonly afterSpace: boolean;
    };

function isSpace(c: string): boolean {
  return c === ' ' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

function queryTokens(s: string): QueryToken[] {
  const out: QueryToken[] = [];
  let i = 0;
  let afterSpace = true;
  while (i < s.length && isSpace(s[i])) i++;
  while (i < s.length) {
    const c = s[i];
    let token: QueryToken;
    if (c === '-' || c === '"') {
      token = { kind: 'delimiter', char: c, offset: i, afterSpace };
      i++;
    } else {
      const start = i;
      while (i < s.length && !isSpace(s[i]) && s[i] !== '-' && s[i] !== '"') i++;
      token = { kind: 'text', text: s.slice(start, i), afterSpace };
    }
    out.push(token);
    const before = i;
    while (i < s.length && isSpace(s[i])) i++;
    afterSpace = i > before;
  }
  return out;
}

/** Byte-wise order, as std::set<std::string> sorts. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

export function parseSearch(search: string, language: TextLanguage, options: SearchOptions): ParsedSearch {
  const positivePhrases: string[] = [];
  const negatedPhrases: string[] = [];
  let positiveSentence = '';
  let negatedSentence = '';
  let inNegation = false;
  let inPhrase = false;
  let quoteOffset = 0;
  for (const t of queryTokens(search)) {
    if (t.kind === 'text') {
      if (inPhrase && inNegation) continue;
      if (inNegation && t.afterSpace) inNegation = false;
      if (inNegation) negatedSentence += `${t.text} `;
      else positiveSentence += `${t.text} `;
    } else if (t.char === '-') {
      if (!inPhrase && t.afterSpace) inNegation = true;
    } else if (inPhrase) {
      const phrase = search.slice(quoteOffset + 1, t.offset);
      (inNegation ? negatedPhrases : positivePhrases).push(phrase);
      inPhrase = false;
    } else {
      inPhrase = true;
      if (inNegation && t.afterSpace) inNegation = false;
      quoteOffset = t.offset;
    }
  }
  const insensitive = { filterStopWords: true };
  const sensitive = { filterStopWords: true, ...options };
  const plain = !options.caseSensitive && !options.diacriticSensitive;
  const boundsTerms = [...new Set(tokenize(positiveSentence, language, insensitive))].sort(compareUtf8);
  return {
    positiveTerms: new Set(plain ? boundsTerms : tokenize(positiveSentence, language, sensitive)),
    negatedTerms: new Set(tokenize(negatedSentence, language, plain ? insensitive : sensitive)),
    positivePhrases,
    negatedPhrases,
    boundsTerms,
  };
}
