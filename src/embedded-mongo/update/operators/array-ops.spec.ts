import { Double, Int32, Long } from 'bson';
import type { Document } from '../../bson.js';
import { MongoCommandError } from '../../errors.js';
import { applyUpdate } from '../index.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof MongoCommandError) return e.code;
    throw e;
  }
  return undefined;
}

const doc = (fields: Document): Document => ({ _id: 1, ...fields });
const push = (a: unknown, spec: unknown): unknown => applyUpdate(doc({ a }), { $push: { a: spec } }).doc.a;

describe('$push', () => {
  it('appends one value, creating the array when missing', () => {
    expect(push([1], 2)).toEqual([1, 2]);
    expect(applyUpdate(doc({}), { $push: { a: 1 } }).doc.a).toEqual([1]);
    expect(push([1], [2, 3])).toEqual([1, [2, 3]]);
  });

  it('pushes an object that has modifier-like fields but no $each as a value', () => {
    expect(push([], { $slice: 1 })).toEqual([{ $slice: 1 }]);
  });

  it('inserts $each at $position, counting from the end when negative', () => {
    expect(push([1, 2, 3], { $each: [9], $position: 0 })).toEqual([9, 1, 2, 3]);
    expect(push([1, 2, 3], { $each: [9, 8], $position: 1 })).toEqual([1, 9, 8, 2, 3]);
    expect(push([1, 2, 3], { $each: [9], $position: -1 })).toEqual([1, 2, 9, 3]);
    expect(push([1, 2, 3], { $each: [9], $position: -10 })).toEqual([9, 1, 2, 3]);
    expect(push([1, 2, 3], { $each: [9], $position: 10 })).toEqual([1, 2, 3, 9]);
  });

  it('sorts whole elements or by fields, then slices', () => {
    expect(push([3, 1], { $each: [2], $sort: 1 })).toEqual([1, 2, 3]);
    expect(push([3, 1], { $each: [2], $sort: -1, $slice: 2 })).toEqual([3, 2]);
    expect(push([3, 1], { $each: [2], $sort: 1, $slice: -2 })).toEqual([2, 3]);
    expect(push([1, 2], { $each: [], $slice: 0 })).toEqual([]);
    const sorted = push([{ s: 2, n: 'b' }, { s: 1, n: 'a' }, { n: 'none' }, 5], {
      $each: [{ s: 1, n: 'c' }],
      $sort: { s: -1, n: 1 },
    });
    // Missing sort fields (and non-documents) sort as null: 5 has n: null, before 'none'.
    expect(sorted).toEqual([{ s: 2, n: 'b' }, { s: 1, n: 'a' }, { s: 1, n: 'c' }, 5, { n: 'none' }]);
    expect(push([{ a: { b: 2 } }, { a: { b: 1 } }], { $each: [], $sort: { 'a.b': 1 } })).toEqual([
      { a: { b: 1 } },
      { a: { b: 2 } },
    ]);
  });

  it('accepts integral doubles and longs for $slice and $position', () => {
    expect(push([1, 2, 3], { $each: [4], $slice: new Double(2) })).toEqual([1, 2]);
    expect(push([1, 2, 3], { $each: [4], $position: Long.fromNumber(0) })).toEqual([4, 1, 2, 3]);
  });

  it.each<[string, unknown]>([
    ['a non-array $each', { $each: 1 }],
    ['an unknown clause', { $each: [], $foo: 1 }],
    ['a fractional $slice', { $each: [], $slice: 1.5 }],
    ['a string $position', { $each: [], $position: 'x' }],
    ['a $sort of 2', { $each: [], $sort: 2 }],
    ['an empty $sort pattern', { $each: [], $sort: {} }],
    ['a $sort pattern value of 0', { $each: [], $sort: { a: 0 } }],
    ['a $sort of a string', { $each: [], $sort: 'a' }],
  ])('rejects %s (BadValue)', (_name, spec) => {
    expect(codeOf(() => push([], spec))).toBe(2);
  });

  it('refuses a non-array field (BadValue)', () => {
    expect(() => applyUpdate(doc({ a: 1 }), { $push: { a: 2 } })).toThrow(
      "The field 'a' must be an array but is of type int in document {_id: 1}",
    );
  });
});

describe('$addToSet', () => {
  it('adds values not already present (MongoDB equality), creating the array when missing', () => {
    expect(applyUpdate(doc({ a: [1, 2] }), { $addToSet: { a: 3 } }).doc.a).toEqual([1, 2, 3]);
    expect(applyUpdate(doc({ a: [1, 2] }), { $addToSet: { a: new Double(2) } }).modified).toBe(false);
    expect(applyUpdate(doc({ a: [1] }), { $addToSet: { a: Long.fromNumber(1) } }).modified).toBe(false);
    expect(applyUpdate(doc({}), { $addToSet: { a: 1 } }).doc.a).toEqual([1]);
  });

  it('adds each $each value once, keeping their order', () => {
    const r = applyUpdate(doc({ a: [2] }), { $addToSet: { a: { $each: [1, 2, 3, 1, new Int32(3)] } } });
    expect(r.doc.a).toEqual([2, 1, 3]);
    expect(applyUpdate(doc({}), { $addToSet: { a: { $each: [1, 1] } } }).doc.a).toEqual([1]);
  });

  it('compares documents with field order', () => {
    expect(
      applyUpdate(doc({ a: [{ x: 1, y: 2 }] }), { $addToSet: { a: { y: 2, x: 1 } } }).doc.a,
    ).toHaveLength(2);
    expect(applyUpdate(doc({ a: [{ x: 1, y: 2 }] }), { $addToSet: { a: { x: 1, y: 2 } } }).modified).toBe(
      false,
    );
  });

  it('treats an object not starting with $each as a value', () => {
    expect(applyUpdate(doc({ a: [] }), { $addToSet: { a: { b: 1, $each: [1] } } }).doc.a).toEqual([
      { b: 1, $each: [1] },
    ]);
  });

  it('rejects a bad $each and a non-array field', () => {
    expect(codeOf(() => applyUpdate(doc({}), { $addToSet: { a: { $each: 1 } } }))).toBe(14);
    expect(codeOf(() => applyUpdate(doc({}), { $addToSet: { a: { $each: [], x: 1 } } }))).toBe(2);
    expect(codeOf(() => applyUpdate(doc({ a: 'x' }), { $addToSet: { a: 1 } }))).toBe(2);
  });
});

describe('$pop', () => {
  it('removes the last (1) or first (-1) element; ignores missing fields', () => {
    expect(applyUpdate(doc({ a: [1, 2, 3] }), { $pop: { a: 1 } }).doc.a).toEqual([1, 2]);
    expect(applyUpdate(doc({ a: [1, 2, 3] }), { $pop: { a: -1 } }).doc.a).toEqual([2, 3]);
    expect(applyUpdate(doc({ a: [1, 2, 3] }), { $pop: { a: new Double(-1) } }).doc.a).toEqual([2, 3]);
    expect(applyUpdate(doc({}), { $pop: { a: 1 } }).modified).toBe(false);
  });

  it('rejects arguments other than 1/-1 (FailedToParse) and non-arrays (TypeMismatch)', () => {
    expect(codeOf(() => applyUpdate(doc({ a: [] }), { $pop: { a: 2 } }))).toBe(9);
    expect(codeOf(() => applyUpdate(doc({ a: [] }), { $pop: { a: 'x' } }))).toBe(9);
    expect(codeOf(() => applyUpdate(doc({ a: 1 }), { $pop: { a: 1 } }))).toBe(14);
  });
});

describe('$pull', () => {
  it('removes values equal to the argument (MongoDB equality)', () => {
    expect(applyUpdate(doc({ a: [1, 2, 1, new Double(1), 3] }), { $pull: { a: 1 } }).doc.a).toEqual([2, 3]);
    expect(applyUpdate(doc({ a: [[1], [2]] }), { $pull: { a: [1] } }).doc.a).toEqual([[2]]);
  });

  it('removes values meeting a condition', () => {
    expect(applyUpdate(doc({ a: [1, 5, 6, 9] }), { $pull: { a: { $gte: 6 } } }).doc.a).toEqual([1, 5]);
    expect(applyUpdate(doc({ a: ['x', 'apple', 'b'] }), { $pull: { a: { $in: ['x', 'b'] } } }).doc.a).toEqual(
      ['apple'],
    );
    expect(applyUpdate(doc({ a: ['apple', 'banana'] }), { $pull: { a: /^a/ } }).doc.a).toEqual(['banana']);
  });

  it('removes documents matching a query; other elements never match one', () => {
    const a = [{ item: 'x', score: 8 }, { item: 'y', score: 2 }, 8, { item: 'z', score: 9, extra: 1 }];
    const r = applyUpdate(doc({ a }), { $pull: { a: { score: { $gt: 5 } } } });
    expect(r.doc.a).toEqual([{ item: 'y', score: 2 }, 8]);
    expect(applyUpdate(doc({ a: [{ b: 1 }, 2] }), { $pull: { a: {} } }).doc.a).toEqual([2]);
    const nested = applyUpdate(doc({ a: [{ r: [{ q: 1, s: 5 }] }, { r: [{ q: 2 }] }] }), {
      $pull: { a: { r: { $elemMatch: { q: 1, s: { $gte: 5 } } } } },
    });
    expect(nested.doc.a).toEqual([{ r: [{ q: 2 }] }]);
  });

  it('ignores missing fields and refuses non-arrays', () => {
    expect(applyUpdate(doc({}), { $pull: { a: 1 } }).modified).toBe(false);
    expect(() => applyUpdate(doc({ a: 1 }), { $pull: { a: 1 } })).toThrow(
      'Cannot apply $pull to a non-array value',
    );
  });

  it('rejects an invalid condition at parse time', () => {
    expect(codeOf(() => applyUpdate(doc({ a: [] }), { $pull: { a: { $foo: 1 } } }))).toBe(2);
  });
});

describe('$pullAll', () => {
  it('removes every listed value', () => {
    expect(applyUpdate(doc({ a: [0, 2, 5, 5, 1, 0] }), { $pullAll: { a: [0, 5] } }).doc.a).toEqual([2, 1]);
    expect(applyUpdate(doc({ a: [{ x: 1 }, 2] }), { $pullAll: { a: [{ x: 1 }] } }).doc.a).toEqual([2]);
  });

  it('requires an array argument and an array field', () => {
    expect(codeOf(() => applyUpdate(doc({ a: [] }), { $pullAll: { a: 1 } }))).toBe(2);
    expect(codeOf(() => applyUpdate(doc({ a: 1 }), { $pullAll: { a: [1] } }))).toBe(2);
  });
});
