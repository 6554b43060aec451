import type { Document } from '../bson.js';
import { TextTermCache } from './document-terms.js';
import { requireLanguage } from './language.js';
import { ftsSpecOf } from './text-index-spec.js';
import { TextQuery, type TextParams } from './text-query.js';

const INDEX = {
  key: { _fts: 'text', _ftsx: 1 },
  weights: { title: 10, body: 1 },
  default_language: 'english',
  language_override: 'language',
};

const DOCS: Document[] = [
  { _id: 1, title: 'Java Hut', body: 'Coffee and cakes' },
  { _id: 2, title: 'Burger Buns', body: 'Gourmet hamburgers' },
  { _id: 3, title: 'Coffee Shop', body: 'Just coffee' },
  { _id: 4, title: 'Clothes Clothes Clothes', body: 'Discount clothing' },
  { _id: 5, title: 'Java Shopping', body: 'Indonesian goods' },
  { _id: 6, title: 'Café Con Leche', body: 'Above the café, the view' },
];

function search(s: string, more: Partial<TextParams> = {}): { ids: unknown[]; query: TextQuery } {
  const cache = new TextTermCache(ftsSpecOf('t', INDEX), INDEX);
  const query = new TextQuery(cache, { search: s, caseSensitive: false, diacriticSensitive: false, ...more });
  return { ids: DOCS.filter((d) => query.matches(d)).map((d) => d._id), query };
}

describe('TextQuery (the stores example of the MongoDB manual)', () => {
  it('ORs terms', () => {
    expect(search('java coffee shop').ids).toEqual([1, 3, 5]);
  });

  it('requires every phrase, besides one term (SERVER-30163: terms do not widen a phrase)', () => {
    expect(search('"coffee shop"').ids).toEqual([3]);
    expect(search('java "coffee shop"').ids).toEqual([3]);
    expect(search('"coffee shop" "just coffee"').ids).toEqual([3]);
    expect(search('"coffee shop" "java hut"').ids).toEqual([]);
  });

  it('excludes negated terms and phrases', () => {
    expect(search('java shop -coffee').ids).toEqual([5]);
    expect(search('coffee -"coffee shop"').ids).toEqual([1]);
  });

  it('matches nothing without a positive term', () => {
    expect(search('-coffee').ids).toEqual([]);
    expect(search('the and of').ids).toEqual([]);
    expect(search('"the and"').ids).toEqual([]);
  });

  it('honours $caseSensitive and $diacriticSensitive, phrases included', () => {
    expect(search('Coffee', { caseSensitive: true }).ids).toEqual([1, 3]);
    expect(search('coffee', { caseSensitive: true }).ids).toEqual([3]);
    expect(search('"coffee shop"', { caseSensitive: true }).ids).toEqual([]);
    expect(search('cafe').ids).toEqual([6]);
    expect(search('cafe', { diacriticSensitive: true }).ids).toEqual([]);
    expect(search('"café con"', { diacriticSensitive: true }).ids).toEqual([6]);
  });

  it('sees stop words when a negated term is one of their stems', () => {
    // "abov" is the stem of the stop word "above": the document's "Above" excludes it.
    expect(search('view -abov').ids).toEqual([]);
    expect(search('view').ids).toEqual([6]);
  });

  it('searches in $language: "none" neither stems nor drops stop words', () => {
    expect(search('clothing', { language: requireLanguage('none') }).ids).toEqual([]);
    expect(search('cloth', { language: requireLanguage('none') }).ids).toEqual([4]);
  });

  it('scores the sum of the document scores of the terms it holds', () => {
    const { query } = search('coffee shop');
    // doc 3: title "Coffee Shop" (2 terms, weight 10): 7.5 each; body "Just coffee": 0.75.
    expect(query.score(DOCS[2])).toBe(7.5 + 0.75 + 7.5);
    expect(query.score(DOCS[0])).toBe(0.5 / 2 + 0.5);
    expect(query.score(DOCS[1])).toBeUndefined();
  });
});
