/**
 * The terms a text index holds for a document and the score of each (mongod's
 * FTSSpec::scoreDocument, text index versions 2 and 3), and a per-index cache of them.
 *
 * Score of a term in one indexed string of N terms (stop words excluded), where the term occurs
 * c times: weight × freq × (0.5 × c / N + 0.5) × bonus, with freq = 1 + 1/2 + 1/4 + ... (c
 * summands) and bonus 1.1 when the whole string equals the term (ASCII case-insensitively), else
 * 1. A term's scores from several strings add up. The operations run in mongod's order, so the
 * doubles are the ones mongod stores in its index keys.
 *
 * The cache keys results by document object: stored versions are immutable, so a version is
 * analyzed once however many searches read it, and an entry goes with its version (WeakMap).
 * Terms are interned as numbers per index; a document keeps sorted term ids and their scores.
 * The cache's analysis is scoreDocument's, with each distinct folded word turned into its term
 * id once per index (the spec checks both agree).
 */
import type { Document } from '../bson.js';
import type { KeyIndex } from '../catalog/key-index.js';
import { ftsSpecOf, textValuesOf, type FtsSpec } from './text-index-spec.js';
import type { TextLanguage } from './language.js';
import { foldWord, termOf, tokenize, wordsOf } from './tokenizer.js';
import { ASCII_ONLY } from './unicode.js';

/** A document's index terms: ascending term ids and the score of each. */
export interface DocTerms {
  readonly ids: readonly number[];
  readonly scores: readonly number[];
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function sameIgnoringAsciiCase(a: string, b: string): boolean {
  return a.length === b.length && asciiLower(a) === asciiLower(b);
}

/** mongod's score of a term occurring `count` times among `numTokens` terms of one string. */
function termScore(weight: number, count: number, numTokens: number, exact: boolean): number {
  // freq: mongod adds 1/exp per occurrence, exp doubling from 1.
  let freq = 0;
  for (let k = 0, exp = 1; k < count; k++, exp *= 2) freq += 1 / exp;
  const coeff = (0.5 * count) / numTokens + 0.5;
  return weight * freq * coeff * (exact ? 1.1 : 1);
}

/** Term → score of the document, as mongod computes it. */
export function scoreDocument(fts: FtsSpec, doc: Document): Map<string, number> {
  const scores = new Map<string, number>();
  for (const { text, language, weight } of textValuesOf(fts, doc)) {
    const terms = tokenize(text, language, { filterStopWords: true });
    const counts = new Map<string, number>();
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    const numTokens = terms.length;
    for (const [term, count] of counts) {
      const score = termScore(weight, count, numTokens, sameIgnoringAsciiCase(text, term));
      scores.set(term, (scores.get(term) ?? 0) + score);
    }
  }
  return scores;
}

/** Past this many distinct terms the vocabulary (and every cached entry) starts over. */
const MAX_VOCABULARY = 4_000_000;
const EMPTY: DocTerms = { ids: [], scores: [] };

const INDEX_TERMS = { filterStopWords: true } as const;
const STOP_WORD = -1;

/** Cached index terms of documents, for one text index. */
export class TextTermCache {
  private vocabulary = new Map<string, number>();
  private terms: string[] = [];
  /** Per language: folded word → term id (STOP_WORD for a stop word). */
  private wordIds = new Map<TextLanguage, Map<string, number>>();
  private docs = new WeakMap<Document, DocTerms>();
  /** Changes when the vocabulary starts over: term ids from before mean nothing after. */
  generation = 0;

  constructor(
    readonly fts: FtsSpec,
    readonly spec: Document,
  ) {}

  /** The id of a term (interned: documents analyzed later use the same id). */
  termId(term: string): number {
    let id = this.vocabulary.get(term);
    if (id === undefined) {
      id = this.terms.length;
      this.vocabulary.set(term, id);
      this.terms.push(term);
    }
    return id;
  }

  /** The term an id stands for (ids come from termId or termsOf of this cache). */
  termText(id: number): string {
    return this.terms[id];
  }

  termsOf(doc: Document): DocTerms {
    let t = this.docs.get(doc);
    if (!t) {
      if (this.vocabulary.size > MAX_VOCABULARY) this.reset();
      t = this.analyze(doc);
      this.docs.set(doc, t);
    }
    return t;
  }

  private reset(): void {
    this.vocabulary = new Map();
    this.terms = [];
    this.wordIds = new Map();
    this.docs = new WeakMap();
    this.generation++;
  }

  private wordId(word: string, language: TextLanguage, ascii: boolean): number {
    let ids = this.wordIds.get(language);
    if (!ids) {
      ids = new Map();
      this.wordIds.set(language, ids);
    }
    const folded = foldWord(word, ascii);
    let id = ids.get(folded);
    if (id === undefined) {
      const term = termOf(folded, folded, language, INDEX_TERMS, ascii);
      id = term === undefined ? STOP_WORD : this.termId(term);
      ids.set(folded, id);
    }
    return id;
  }

  private analyze(doc: Document): DocTerms {
    const scores = new Map<number, number>();
    const counts = new Map<number, number>();
    for (const { text, language, weight } of textValuesOf(this.fts, doc)) {
      const words = wordsOf(text, language);
      if (!words) continue;
      const ascii = ASCII_ONLY.test(text);
      let numTokens = 0;
      counts.clear();
      for (const word of words) {
        const id = this.wordId(word, language, ascii);
        if (id === STOP_WORD) continue;
        numTokens++;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      for (const [id, count] of counts) {
        const exact = text.length === this.terms[id].length && sameIgnoringAsciiCase(text, this.terms[id]);
        scores.set(id, (scores.get(id) ?? 0) + termScore(weight, count, numTokens, exact));
      }
    }
    if (scores.size === 0) return EMPTY;
    const ids = [...scores.keys()];
    const values = [...scores.values()];
    sortById(ids, values);
    return { ids, scores: values };
  }
}

/** Sorts both arrays by id (insertion sort for the usual few dozen terms). */
function sortById(ids: number[], values: number[]): void {
  const n = ids.length;
  if (n > 64) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ids[a] - ids[b]);
    const sortedIds = order.map((i) => ids[i]);
    const sortedValues = order.map((i) => values[i]);
    for (let i = 0; i < n; i++) {
      ids[i] = sortedIds[i];
      values[i] = sortedValues[i];
    }
    return;
  }
  for (let i = 1; i < n; i++) {
    const id = ids[i];
    const v = values[i];
    let j = i;
    for (; j > 0 && ids[j - 1] > id; j--) {
      ids[j] = ids[j - 1];
      values[j] = values[j - 1];
    }
    ids[j] = id;
    values[j] = v;
  }
}

/** Position of `id` in `t.ids`, or -1. */
export function findTerm(t: DocTerms, id: number): number {
  const ids = t.ids;
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid];
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

const caches = new WeakMap<KeyIndex, TextTermCache>();

/** The term cache of a text index (a new one when the index's spec object changed). */
export function termCacheFor(ix: KeyIndex): TextTermCache {
  const spec = ix.desc.spec;
  let c = caches.get(ix);
  if (!c || c.spec !== spec) {
    c = new TextTermCache(ftsSpecOf(ix.name, spec), spec);
    caches.set(ix, c);
  }
  return c;
}
