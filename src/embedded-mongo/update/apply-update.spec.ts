import { DBRef, Double, Int32, Long, ObjectId } from 'bson';
import type { Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { deepClone } from '../values/clone.js';
import { applyUpdate, applyReplacement, isOperatorUpdate, isReplacement, validateUpdate } from './index.js';
import { identical } from './identical.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof MongoCommandError) return e.code;
    throw e;
  }
  return undefined;
}

function deepFreeze<T>(v: T): T {
  if (Array.isArray(v)) v.forEach((x: unknown) => deepFreeze(x));
  else if (v !== null && typeof v === 'object' && !('_bsontype' in v))
    Object.values(v).forEach((x) => deepFreeze(x));
  return Object.freeze(v);
}

describe('applyUpdate: operator updates', () => {
  it('sets fields, appending new ones in lexicographic order of their names', () => {
    const r = applyUpdate({ _id: 1, z: 0 }, { $set: { b: 1, a: 1 }, $inc: { aa: 1 } });
    expect(Object.keys(r.doc)).toEqual(['_id', 'z', 'a', 'aa', 'b']);
    expect(r.modified).toBe(true);
  });

  it('keeps existing fields in place when changing them', () => {
    const r = applyUpdate({ _id: 1, a: 1, b: 2 }, { $set: { a: 10 } });
    expect(Object.keys(r.doc)).toEqual(['_id', 'a', 'b']);
    expect(r.doc.a).toBe(10);
  });

  it('creates missing parents as documents, numeric components included', () => {
    expect(applyUpdate({ _id: 1 }, { $set: { 'a.b.c': 1 } }).doc).toEqual({ _id: 1, a: { b: { c: 1 } } });
    expect(applyUpdate({ _id: 1 }, { $set: { 'a.0': 1 } }).doc).toEqual({ _id: 1, a: { '0': 1 } });
  });

  it('pads an array with nulls when setting an index past its end', () => {
    const r = applyUpdate({ _id: 1, a: [1, 2] }, { $set: { 'a.5': 'x' } });
    expect(r.doc.a).toEqual([1, 2, null, null, null, 'x']);
  });

  it('creates a document inside an array element', () => {
    const r = applyUpdate({ _id: 1, a: [{ b: 1 }, 5] }, { $set: { 'a.0.c': 2, 'a.3.d': 1 } });
    expect(r.doc.a).toEqual([{ b: 1, c: 2 }, 5, null, { d: 1 }]);
  });

  it('refuses to pad an array by more than 1500000 elements (CannotBackfillArray)', () => {
    expect(codeOf(() => applyUpdate({ _id: 1, a: [] }, { $set: { 'a.1500001': 1 } }))).toBe(34);
  });

  it('never mutates the input document and shares unchanged subtrees', () => {
    const input = deepFreeze({ _id: 1, a: { b: [1, { c: 2 }], d: [] }, keep: { deep: [1, 2] } });
    const before = deepClone(input);
    const r = applyUpdate(input, {
      $set: { 'a.b.1.c': 3, x: 1 },
      $push: { 'a.d': 4 },
      $unset: { 'a.b.0': 1 },
    });
    expect(r.doc.a).toEqual({ b: [null, { c: 3 }], d: [4] });
    expect(identical(input, before)).toBe(true);
    expect(r.doc).not.toBe(input);
    expect(r.doc.keep).toBe(input.keep);
  });

  it.each<[string, Document, Document]>([
    ['$set to the same value', { _id: 1, a: 1 }, { $set: { a: 1 } }],
    ['$set of an equal document', { _id: 1, a: { b: 1, c: [1] } }, { $set: { a: { b: 1, c: [1] } } }],
    ['$inc by 0', { _id: 1, a: 5 }, { $inc: { a: 0 } }],
    ['$unset of a missing field', { _id: 1 }, { $unset: { a: '' } }],
    ['$min with a larger value', { _id: 1, a: 1 }, { $min: { a: 2 } }],
    ['$max with an equal value of another type', { _id: 1, a: 1 }, { $max: { a: new Double(1) } }],
    ['$addToSet of a present value', { _id: 1, a: [1, 2] }, { $addToSet: { a: 2 } }],
    ['$pull of an absent value', { _id: 1, a: [1, 2] }, { $pull: { a: 3 } }],
    ['$pop of an empty array', { _id: 1, a: [] }, { $pop: { a: 1 } }],
    ['$setOnInsert outside an upsert', { _id: 1 }, { $setOnInsert: { a: 1 } }],
    ['$rename of a missing field', { _id: 1 }, { $rename: { a: 'b' } }],
    ['an empty $set', { _id: 1 }, { $set: {} }],
  ])('reports no modification for %s', (_name, doc, update) => {
    const r = applyUpdate(doc, update);
    expect(r.modified).toBe(false);
    expect(r.doc).toBe(doc);
    expect(r.updateDescription).toEqual({ updatedFields: {}, removedFields: [], truncatedArrays: [] });
  });

  it('counts a change of numeric type as a modification', () => {
    const r = applyUpdate({ _id: 1, a: 1 }, { $set: { a: new Double(1) } });
    expect(r.modified).toBe(true);
    expect(r.doc.a).toBeInstanceOf(Double);
  });

  it('counts a change of field order inside a document as a modification', () => {
    expect(applyUpdate({ _id: 1, a: { x: 1, y: 2 } }, { $set: { a: { y: 2, x: 1 } } }).modified).toBe(true);
  });
});

describe('applyUpdate: parse errors', () => {
  it.each<[string, unknown, number]>([
    ['an unknown modifier', { $foo: { a: 1 } }, 9],
    ['a modifier argument that is not a document', { $set: 1 }, 9],
    ['a non-$ field after a modifier', { $set: { a: 1 }, b: 1 }, 9],
    ['$v', { $v: 2, $set: { a: 1 } }, 9],
    ['an empty path', { $set: { '': 1 } }, 56],
    ['an empty path component', { $set: { 'a..b': 1 } }, 56],
    ['two modifiers on one path', { $set: { a: 1 }, $inc: { a: 1 } }, 40],
    ['a path below another', { $set: { a: 1, 'a.b': 2 } }, 40],
    ['a path above another', { $set: { 'a.b': 1 }, $unset: { a: 1 } }, 40],
    ['a positional first component', { $set: { '$.a': 1 } }, 2],
    ['two positional components', { $set: { 'a.$.b.$': 1 } }, 2],
    ['an array filter first component', { $set: { '$[].a': 1 } }, 2],
    ['an update that is neither document nor array', 5, 9],
  ])('rejects %s', (_name, update, code) => {
    expect(codeOf(() => validateUpdate(update))).toBe(code);
  });

  it('names the unknown modifier like mongod', () => {
    expect(() => validateUpdate({ $foo: { a: 1 } })).toThrow(
      'Unknown modifier: $foo. Expected a valid update modifier or pipeline-style update specified as an array',
    );
  });

  it('names the conflicting paths like mongod', () => {
    expect(() => validateUpdate({ $set: { 'a.b': 1 }, $inc: { a: 1 } })).toThrow(
      "Updating the path 'a' would create a conflict at 'a'",
    );
    expect(() => validateUpdate({ $set: { a: 1 }, $inc: { 'a.b': 1 } })).toThrow(
      "Updating the path 'a.b' would create a conflict at 'a'",
    );
  });

  it('accepts sibling paths and a pipeline-free empty modifier', () => {
    expect(() => validateUpdate({ $set: { 'a.b': 1, 'a.c': 1 }, $unset: {} })).not.toThrow();
  });
});

describe('applyUpdate: path viability', () => {
  it('cannot create a field inside a scalar (PathNotViable)', () => {
    expect(() => applyUpdate({ _id: 1, a: 1 }, { $set: { 'a.b': 1 } })).toThrow(
      "Cannot create field 'b' in element {a: 1}",
    );
    expect(codeOf(() => applyUpdate({ _id: 1, a: 1 }, { $set: { 'a.b.c': 1 } }))).toBe(28);
  });

  it('cannot create a named field in an array', () => {
    expect(codeOf(() => applyUpdate({ _id: 1, a: [1] }, { $inc: { 'a.b': 1 } }))).toBe(28);
  });

  it('ignores $unset of a path that cannot exist', () => {
    expect(applyUpdate({ _id: 1, a: 1 }, { $unset: { 'a.b': 1 } }).modified).toBe(false);
  });

  it('rejects $pop/$pull on a path that cannot exist, though they ignore missing fields', () => {
    expect(codeOf(() => applyUpdate({ _id: 1, a: 1 }, { $pop: { 'a.b': 1 } }))).toBe(28);
    expect(codeOf(() => applyUpdate({ _id: 1, a: 1 }, { $pull: { 'a.b': 1 } }))).toBe(28);
    expect(applyUpdate({ _id: 1, a: {} }, { $pop: { 'a.b': 1 } }).modified).toBe(false);
  });
});

describe('applyUpdate: _id and $-prefixed fields', () => {
  it('rejects modifying _id (ImmutableField)', () => {
    expect(() => applyUpdate({ _id: 1 }, { $set: { _id: 2 } })).toThrow(
      "Performing an update on the path '_id' would modify the immutable field '_id'",
    );
    expect(codeOf(() => applyUpdate({ _id: { a: 1 } }, { $set: { '_id.a': 2 } }))).toBe(66);
    expect(codeOf(() => applyUpdate({ _id: 1 }, { $unset: { _id: 1 } }))).toBe(66);
    expect(codeOf(() => applyUpdate({ _id: 1 }, { $rename: { _id: 'x' } }))).toBe(66);
    expect(codeOf(() => applyUpdate({ _id: 1, x: 2 }, { $rename: { x: '_id' } }))).toBe(66);
    expect(codeOf(() => applyUpdate({ _id: 1 }, { $set: { _id: new Double(1) } }))).toBe(66);
  });

  it('allows setting _id to its current value', () => {
    expect(applyUpdate({ _id: 1, a: 1 }, { $set: { _id: 1, a: 2 } }).doc).toEqual({ _id: 1, a: 2 });
  });

  it('rejects creating a top-level $-prefixed field in an existing document, but not in an upsert', () => {
    expect(codeOf(() => applyUpdate({ _id: 1 }, { $set: { $hotel: 1 } }))).toBe(52);
    expect(applyUpdate({}, { $set: { $hotel: 1 } }, { isUpsertInsert: true }).doc).toEqual({ $hotel: 1 });
    expect(applyUpdate({ _id: 1, a: {} }, { $set: { 'a.$b': 1 } }).doc).toEqual({ _id: 1, a: { $b: 1 } });
    expect(applyUpdate({ _id: 1 }, { $set: { a: { $b: 1 } } }).doc).toEqual({ _id: 1, a: { $b: 1 } });
  });
});

describe('update classification', () => {
  it('decides on the first field, as mongod does', () => {
    expect(isOperatorUpdate({ $set: { a: 1 } })).toBe(true);
    expect(isOperatorUpdate({ a: 1, $set: { a: 1 } })).toBe(false);
    expect(isReplacement({ a: 1 })).toBe(true);
    expect(isReplacement({})).toBe(true);
    expect(isReplacement([{ $set: { a: 1 } }])).toBe(false);
  });

  it('applies a replacement document given to applyUpdate', () => {
    const r = applyUpdate({ _id: 1, a: 1 }, { b: 2 });
    expect(r).toMatchObject({ doc: { _id: 1, b: 2 }, modified: true, kind: 'replacement' });
  });
});

describe('applyReplacement', () => {
  it('keeps _id first when the replacement has none', () => {
    const r = applyReplacement({ _id: 7, a: 1 }, { b: 2, c: 3 });
    expect(Object.keys(r.doc)).toEqual(['_id', 'b', 'c']);
    expect(r.modified).toBe(true);
  });

  it('accepts the same _id (equal value) and reports identical documents as not modified', () => {
    expect(applyReplacement({ _id: 1, a: 1 }, { a: 1 }).modified).toBe(false);
    expect(applyReplacement({ _id: 1, a: 1 }, { _id: 1, a: 1 }).modified).toBe(false);
    expect(applyReplacement({ _id: new Int32(1), a: 1 }, { _id: new Long(1), a: 1 }).doc._id).toBeInstanceOf(
      Long,
    );
  });

  it('rejects changing _id (ImmutableField)', () => {
    expect(() => applyReplacement({ _id: 1 }, { _id: 2 })).toThrow(
      "After applying the update, the (immutable) field '_id' was found to have been altered to _id: 2",
    );
  });

  it('rejects top-level $-prefixed fields (DollarPrefixedFieldName) but allows nested and dotted ones', () => {
    expect(codeOf(() => applyReplacement({ _id: 1 }, { a: 1, $b: 1 }))).toBe(52);
    expect(applyReplacement({ _id: 1 }, { a: { $b: 1 }, 'c.d': 1 }).doc).toEqual({
      _id: 1,
      a: { $b: 1 },
      'c.d': 1,
    });
    expect(applyReplacement({}, { a: 1, $b: 1 }, { isUpsertInsert: true }).doc).toEqual({ a: 1, $b: 1 });
  });

  it('rejects an _id that cannot be stored (InvalidIdField)', () => {
    expect(codeOf(() => applyReplacement({}, { _id: [1] }, { isUpsertInsert: true }))).toBe(53);
    expect(codeOf(() => applyReplacement({}, { _id: /x/ }, { isUpsertInsert: true }))).toBe(53);
  });

  it('does not mutate the original document', () => {
    const original = deepFreeze({ _id: new ObjectId(), a: [1] });
    expect(() => applyReplacement(original, { b: 1 })).not.toThrow();
  });
});

describe('applyUpdate: DBRef values', () => {
  it('updates a DBRef as the document of its $ref/$id/$db fields', () => {
    const oid = new ObjectId();
    const r = applyUpdate({ _id: 1, ref: new DBRef('things', oid) }, { $set: { 'ref.$db': 'other' } });
    expect(r.doc.ref).toEqual({ $ref: 'things', $id: oid, $db: 'other' });
    expect(
      applyUpdate({ _id: 1, ref: new DBRef('things', oid) }, { $set: { 'ref.$ref': 'things' } }).modified,
    ).toBe(false);
  });
});
