import fc from 'fast-check';
import type { Document } from '../bson.js';
import { findTerm, scoreDocument, TextTermCache } from './document-terms.js';
import { ftsSpecOf } from './text-index-spec.js';

const INDEX = {
  key: { _fts: 'text', _ftsx: 1 },
  weights: { title: 3, body: 1, 'tags.name': 2 },
  default_language: 'english',
  language_override: 'lang',
};

const WORDS = ['Run', 'running', 'the', 'Café', 'cafes', "don't", 'Über', 'x_1', 'σας', 'tea', 'TEA', 'a'];
const text = fc
  .array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(' ', ', ', '-', '\t', '. ')), { maxLength: 12 })
  .map((parts) => parts.map(([w, d]) => w + d).join(''));
const docArb: fc.Arbitrary<Document> = fc.record(
  {
    title: fc.oneof(text, fc.constantFrom('tea', 'Running', 5)),
    body: text,
    tags: fc.array(fc.record({ name: text }), { maxLength: 3 }),
    lang: fc.constantFrom('english', 'none', 'fr'),
  },
  { requiredKeys: [] },
);

describe('TextTermCache', () => {
  it('holds exactly the terms and scores scoreDocument computes', () => {
    const fts = ftsSpecOf('t', INDEX);
    fc.assert(
      fc.property(docArb, (doc) => {
        const cache = new TextTermCache(fts, INDEX);
        const t = cache.termsOf(doc);
        const expected = scoreDocument(fts, doc);
        expect(t.ids.length).toBe(expected.size);
        for (const [term, score] of expected) {
          const at = findTerm(t, cache.termId(term));
          expect(at).toBeGreaterThanOrEqual(0);
          expect(t.scores[at]).toBe(score);
        }
        expect([...t.ids]).toEqual([...t.ids].sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });

  it('analyzes a stored version once and a new version again', () => {
    const cache = new TextTermCache(ftsSpecOf('t', INDEX), INDEX);
    const v1 = { body: 'green tea' };
    expect(cache.termsOf(v1)).toBe(cache.termsOf(v1));
    const v2 = { body: 'black coffee' };
    const t2 = cache.termsOf(v2);
    expect(findTerm(t2, cache.termId('coffe'))).toBeGreaterThanOrEqual(0);
    expect(findTerm(t2, cache.termId('tea'))).toBe(-1);
  });
});
