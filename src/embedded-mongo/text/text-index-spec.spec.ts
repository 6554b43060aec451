import type { Document } from '../bson.js';
import { scoreDocument } from './document-terms.js';
import { ftsSpecOf, textValuesOf } from './text-index-spec.js';

function spec(weights: Document, extra: Document = {}): ReturnType<typeof ftsSpecOf> {
  const key: Document = { _fts: 'text', _ftsx: 1 };
  return ftsSpecOf('t', {
    key,
    weights,
    default_language: 'english',
    language_override: 'language',
    ...extra,
  });
}

function values(weights: Document, doc: Document): [string, number, string][] {
  return textValuesOf(spec(weights), doc).map((v) => [v.text, v.weight, v.language.name]);
}

describe('textValuesOf (the indexed strings of a document)', () => {
  it('reads weighted paths through sub-documents and one level of arrays', () => {
    const doc = {
      title: 'T',
      other: 'skip',
      a: { b: 'AB', c: 'skip' },
      tags: ['x', ['nested'], { b: 'no' }],
      list: [{ b: 'L1' }, { b: 'L2' }],
    };
    expect(values({ title: 5, 'a.b': 2, tags: 1, 'list.b': 3 }, doc)).toEqual([
      ['T', 5, 'english'],
      ['AB', 2, 'english'],
      ['x', 1, 'english'],
      ['L1', 3, 'english'],
      ['L2', 3, 'english'],
    ]);
  });

  it('switches language per (sub-)document with the override field', () => {
    const doc = { language: 'none', t: 'a', sub: { language: 'en', t: 'b' }, bad: { language: 7, t: 'c' } };
    expect(values({ t: 1, 'sub.t': 1, 'bad.t': 1 }, doc)).toEqual([
      ['a', 1, 'none'],
      ['b', 1, 'english'],
      ['c', 1, 'none'],
    ]);
  });

  it('indexes every string of a wildcard index but the language field', () => {
    const doc = { language: 'english', a: 'A', n: 5, o: { b: ['B', ['C']] } };
    expect(values({ '$**': 1 }, doc)).toEqual([
      ['A', 1, 'english'],
      ['B', 1, 'english'],
      ['C', 1, 'english'],
    ]);
  });

  it("gives a wildcard index's unlisted fields the weight of the next listed path (mongod's lookup)", () => {
    const doc = { about: 'x', title: 'y', zzz: 'z' };
    expect(values({ '$**': 1, title: 10 }, doc).map(([t, w]) => [t, w])).toEqual([
      ['x', 10],
      ['y', 10],
      ['z', 1],
    ]);
  });

  it('knows the prefix fields of a compound text index', () => {
    const s = ftsSpecOf('t', { key: { a: 1, _fts: 'text', _ftsx: 1, z: 1 }, weights: { t: 1 } });
    expect(s.prefixFields).toEqual(['a']);
  });
});

describe('scoreDocument (mongod FTSSpec::scoreDocument)', () => {
  it('scores a term by its share of the string: "tyler dogs" gives tyler 0.75', () => {
    const s = scoreDocument(spec({ words: 1 }), { words: 'tyler dogs' });
    expect(Object.fromEntries(s)).toEqual({ tyler: 0.75, dog: 0.75 });
  });

  it('counts repeats with a halving frequency and ignores stop words in the length', () => {
    // coffe ×3 of 4 terms: freq 1 + 1/2 + 1/4, coeff 0.5 × 3/4 + 0.5.
    const s = scoreDocument(spec({ t: 1 }), { t: 'coffee, more coffee and coffee beans' });
    expect(s.get('coffe')).toBe(1.75 * ((0.5 * 3) / 4 + 0.5));
    expect(s.get('bean')).toBe(0.625);
  });

  it('multiplies by the weight, adds fields up, and rewards a field that is exactly the term', () => {
    const s = scoreDocument(spec({ title: 10, body: 1 }), { title: 'tea', body: 'Tea time' });
    expect(s.get('tea')).toBeCloseTo(10 * 1.1 + 0.75, 12);
    expect(s.get('time')).toBe(0.75);
  });
});
