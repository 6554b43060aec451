/**
 * One `$text` predicate over one text index: which documents match and their text score, as
 * mongod's TEXT stage (index lookup of the search terms, then FTSMatcher) computes them.
 *
 * A document matches when it holds at least one search term (the index lookup; with
 * `$caseSensitive`/`$diacriticSensitive` also one word equal to a search term in that sense),
 * none of the negated terms, every phrase and none of the negated phrases. Its score is the sum,
 * over the (insensitive) search terms it holds, of its index score for the term (see
 * document-terms.ts), summed in term order as mongod's TEXT_OR stage does. A search with no
 * positive term (only stop words or negations) matches nothing.
 */
import type { Document } from '../bson.js';
import { findTerm, type TextTermCache } from './document-terms.js';
import { ENGLISH_LANGUAGE, type TextLanguage } from './language.js';
import { parseSearch, type ParsedSearch } from './search-query.js';
import { textValuesOf } from './text-index-spec.js';
import { tokenize } from './tokenizer.js';
import { normalizeText } from './unicode.js';

export interface TextParams {
  readonly search: string;
  /** The search language; the index's default language when absent. */
  readonly language?: TextLanguage;
  readonly caseSensitive: boolean;
  readonly diacriticSensitive: boolean;
}

/** Stems of English stop words: a negated term equal to one must see a document's stop words. */
const ENGLISH_STOP_STEMS: ReadonlySet<string> = new Set(
  [...ENGLISH_LANGUAGE.stopWords].map((w) => ENGLISH_LANGUAGE.stem(w)),
);

export class TextQuery {
  readonly parsed: ParsedSearch;
  /** Scores of the matched documents (the query lives as long as its cursor). */
  private readonly scores = new Map<Document, number>();
  private readonly sensitive: boolean;
  /** Negations need every word of the document (stop words included), not only index terms. */
  private readonly negationNeedsWords: boolean;
  private generation = -1;
  private boundIds: number[] = [];
  private negatedIds: number[] = [];

  constructor(
    private readonly cache: TextTermCache,
    readonly params: TextParams,
  ) {
    const language = params.language ?? cache.fts.defaultLanguage;
    this.sensitive = params.caseSensitive || params.diacriticSensitive;
    this.parsed = parseSearch(params.search, language, params);
    this.negationNeedsWords =
      this.sensitive || [...this.parsed.negatedTerms].some((t) => ENGLISH_STOP_STEMS.has(t));
  }

  /** The score of a document this query matched (undefined for any other). */
  score(doc: Document): number | undefined {
    return this.scores.get(doc);
  }

  matches(doc: Document): boolean {
    if (this.parsed.boundsTerms.length === 0) return false;
    this.resolveIds();
    const terms = this.cache.termsOf(doc);
    if (this.generation !== this.cache.generation) this.resolveIds();
    let score = 0;
    let hit = false;
    for (const id of this.boundIds) {
      const at = findTerm(terms, id);
      if (at >= 0) {
        hit = true;
        score += terms.scores[at];
      }
    }
    if (!hit) return false;
    if (this.sensitive && !this.hasWord(doc, this.parsed.positiveTerms)) return false;
    if (this.parsed.negatedTerms.size > 0) {
      const negated = this.negationNeedsWords
        ? this.hasWord(doc, this.parsed.negatedTerms)
        : this.negatedIds.some((id) => findTerm(terms, id) >= 0);
      if (negated) return false;
    }
    if (!this.parsed.positivePhrases.every((p) => this.hasPhrase(doc, p))) return false;
    if (this.parsed.negatedPhrases.some((p) => this.hasPhrase(doc, p))) return false;
    this.scores.set(doc, score);
    return true;
  }

  private resolveIds(): void {
    if (this.generation === this.cache.generation) return;
    this.generation = this.cache.generation;
    this.boundIds = this.parsed.boundsTerms.map((t) => this.cache.termId(t));
    this.negatedIds = [...this.parsed.negatedTerms].map((t) => this.cache.termId(t));
  }

  /** Whether a word of the document, tokenized with the search's sensitivity, is in `terms`. */
  private hasWord(doc: Document, terms: ReadonlySet<string>): boolean {
    const options = {
      caseSensitive: this.params.caseSensitive,
      diacriticSensitive: this.params.diacriticSensitive,
    };
    for (const v of textValuesOf(this.cache.fts, doc)) {
      if (tokenize(v.text, v.language, options).some((w) => terms.has(w))) return true;
    }
    return false;
  }

  private hasPhrase(doc: Document, phrase: string): boolean {
    const { caseSensitive, diacriticSensitive } = this.params;
    const needle = normalizeText(phrase, caseSensitive, diacriticSensitive);
    return textValuesOf(this.cache.fts, doc).some((v) =>
      normalizeText(v.text, caseSensitive, diacriticSensitive).includes(needle),
    );
  }
}
