import type { Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { applyUpdate, validateUpdate } from './index.js';
import type { CompileFilter } from './index.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof MongoCommandError) return e.code;
    throw e;
  }
  return undefined;
}

describe('positional $', () => {
  it('updates the array element the query matched', () => {
    const d = { _id: 1, grades: [80, 85, 90] };
    expect(
      applyUpdate(d, { $set: { 'grades.$': 82 } }, { query: { _id: 1, grades: 85 } }).doc.grades,
    ).toEqual([80, 82, 90]);
  });

  it('follows the matched document element into its fields', () => {
    const d = {
      _id: 1,
      a: [
        { b: 1, c: 0 },
        { b: 2, c: 0 },
      ],
    };
    const r = applyUpdate(d, { $inc: { 'a.$.c': 5 } }, { query: { 'a.b': 2 } });
    expect(r.doc.a).toEqual([
      { b: 1, c: 0 },
      { b: 2, c: 5 },
    ]);
    const m = applyUpdate(d, { $set: { 'a.$.c': 1 } }, { query: { a: { $elemMatch: { b: 2, c: 0 } } } });
    expect(m.doc.a).toEqual([
      { b: 1, c: 0 },
      { b: 2, c: 1 },
    ]);
  });

  it('prefers the index given by the caller', () => {
    const d = { _id: 1, a: [1, 2, 3] };
    expect(applyUpdate(d, { $set: { 'a.$': 0 } }, { matchedArrayIndex: 2, query: { a: 1 } }).doc.a).toEqual([
      1, 2, 0,
    ]);
  });

  it('fails when the query matched no array element (BadValue), including upsert inserts', () => {
    expect(() => applyUpdate({ _id: 1, a: [1] }, { $set: { 'a.$': 0 } }, { query: { _id: 1 } })).toThrow(
      'The positional operator did not find the match needed from the query.',
    );
    expect(
      codeOf(() => applyUpdate({ a: 1 }, { $set: { 'b.$': 0 } }, { isUpsertInsert: true, query: { a: 1 } })),
    ).toBe(2);
  });

  it('merges with a literal path to the same element, conflicting when both set it', () => {
    const d = { _id: 1, a: [{ x: 0 }, { x: 0 }] };
    const r = applyUpdate(d, { $set: { 'a.$.x': 1, 'a.1.y': 2 } }, { matchedArrayIndex: 1 });
    expect(r.doc.a).toEqual([{ x: 0 }, { x: 1, y: 2 }]);
    expect(codeOf(() => applyUpdate(d, { $set: { 'a.$.x': 1, 'a.1.x': 2 } }, { matchedArrayIndex: 1 }))).toBe(
      40,
    );
  });

  it('can use the matcher given in the options', () => {
    const compileFilter: CompileFilter = () => (_doc, details) => {
      if (details) details.elemMatchKey = '0';
      return true;
    };
    expect(
      applyUpdate({ _id: 1, a: [1, 2] }, { $set: { 'a.$': 9 } }, { query: { a: 2 }, compileFilter }).doc.a,
    ).toEqual([9, 2]);
  });
});

describe('all positional $[]', () => {
  it('updates every element', () => {
    expect(applyUpdate({ _id: 1, a: [1, 2, 3] }, { $inc: { 'a.$[]': 10 } }).doc.a).toEqual([11, 12, 13]);
    const r = applyUpdate({ _id: 1, a: [{ b: [1, 2] }, { b: [3] }] }, { $inc: { 'a.$[].b.$[]': 1 } });
    expect(r.doc.a).toEqual([{ b: [2, 3] }, { b: [4] }]);
    expect(applyUpdate({ _id: 1, a: [1, 2] }, { $unset: { 'a.$[]': 1 } }).doc.a).toEqual([null, null]);
    expect(applyUpdate({ _id: 1, a: [] }, { $set: { 'a.$[]': 1 } }).modified).toBe(false);
  });

  it('requires an existing array (BadValue)', () => {
    expect(() => applyUpdate({ _id: 1 }, { $set: { 'a.$[]': 1 } })).toThrow(
      "The path 'a' must exist in the document in order to apply array updates.",
    );
    expect(codeOf(() => applyUpdate({ _id: 1, a: 5 }, { $set: { 'a.$[]': 1 } }))).toBe(2);
    expect(codeOf(() => applyUpdate({ a: [1] }, { $set: { 'b.$[]': 1 } }, { isUpsertInsert: true }))).toBe(2);
  });
});

describe('filtered positional $[<identifier>] and arrayFilters', () => {
  const docs = { _id: 3, y: [{ b: 5, c: [{ d: 2 }, { d: 1 }] }] };

  it('updates the elements each filter matches', () => {
    const d = { _id: 1, y: [{ b: 3 }, { b: 1 }] };
    expect(applyUpdate(d, { $set: { 'y.$[i].b': 2 } }, { arrayFilters: [{ 'i.b': 3 }] }).doc.y).toEqual([
      { b: 2 },
      { b: 1 },
    ]);
    const none = applyUpdate(d, { $set: { 'y.$[i].b': 2 } }, { arrayFilters: [{ 'i.b': 4 }] });
    expect(none.modified).toBe(false);
    expect(none.doc).toBe(d);
  });

  it('nests identifiers', () => {
    const r = applyUpdate(
      docs,
      { $set: { 'y.$[i].c.$[j].d': 0 } },
      { arrayFilters: [{ 'i.b': 5 }, { 'j.d': 1 }] },
    );
    expect(r.doc.y).toEqual([{ b: 5, c: [{ d: 2 }, { d: 0 }] }]);
    const no = applyUpdate(
      docs,
      { $set: { 'y.$[i].c.$[j].d': 0 } },
      { arrayFilters: [{ 'i.b': 5 }, { 'j.d': 3 }] },
    );
    expect(no.modified).toBe(false);
  });

  it('filters scalar elements by conditions on the identifier itself, and with $or', () => {
    const d = { _id: 1, grades: [95, 92, 90, 100, 80] };
    const r = applyUpdate(
      d,
      { $set: { 'grades.$[x]': 100 } },
      { arrayFilters: [{ x: { $gte: 92, $lt: 100 } }] },
    );
    expect(r.doc.grades).toEqual([100, 100, 90, 100, 80]);
    const o = applyUpdate(
      d,
      { $inc: { 'grades.$[x]': 1 } },
      { arrayFilters: [{ $or: [{ x: 80 }, { x: 90 }] }] },
    );
    expect(o.doc.grades).toEqual([95, 92, 91, 100, 81]);
  });

  it('merges several identifiers hitting one element, conflicting only on the same field', () => {
    const d = { _id: 1, a: [{ x: 1, y: 1 }] };
    const r = applyUpdate(
      d,
      { $set: { 'a.$[i].x': 2, 'a.$[j].y': 3 } },
      { arrayFilters: [{ 'i.x': 1 }, { 'j.y': 1 }] },
    );
    expect(r.doc.a).toEqual([{ x: 2, y: 3 }]);
    const conflict = () =>
      applyUpdate({ _id: 1, a: [1] }, { $set: { 'a.$[i]': 2, 'a.$[]': 3 } }, { arrayFilters: [{ i: 1 }] });
    expect(conflict).toThrow("Update created a conflict at 'a.0'");
  });

  it.each<[string, Document, Document[], number]>([
    ['an unused filter', { $set: { a: 1 } }, [{ 'x.b': 1 }], 9],
    ['a missing filter', { $set: { 'a.$[x]': 1 } }, [], 2],
    ['two filters with one identifier', { $set: { 'a.$[x]': 1 } }, [{ x: 1 }, { x: 2 }], 9],
    ['an identifier not starting with a lowercase letter', { $set: { 'a.$[X]': 1 } }, [{ X: 1 }], 2],
    ['a filter naming two identifiers', { $set: { 'a.$[x]': 1 } }, [{ x: 1, y: 1 }], 9],
    ['a filter naming no identifier', { $set: { 'a.$[x]': 1 } }, [{}], 9],
  ])('rejects %s', (_name, update, arrayFilters, code) => {
    expect(codeOf(() => validateUpdate(update, { arrayFilters }))).toBe(code);
  });

  it('names the unused identifier like mongod', () => {
    expect(() => validateUpdate({ $set: { a: 1 } }, { arrayFilters: [{ 'x.b': 1 }] })).toThrow(
      "The array filter for identifier 'x' was not used in the update { $set: { a: 1 } }",
    );
    expect(() => validateUpdate({ $set: { 'a.$[x]': 1 } }, { arrayFilters: [] })).toThrow(
      "No array filter found for identifier 'x' in path 'a.$[x]'",
    );
  });

  it('rejects arrayFilters with a pipeline update (FailedToParse)', () => {
    expect(codeOf(() => validateUpdate([{ $set: { a: 1 } }], { arrayFilters: [{ x: 1 }] }))).toBe(9);
  });
});
