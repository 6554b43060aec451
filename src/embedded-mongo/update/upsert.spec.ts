import { ObjectId } from 'bson';
import { MongoCommandError } from '../errors.js';
import { applyReplacement, applyUpdate, buildUpsertSeed, finalizeUpsertDocument } from './index.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof MongoCommandError) return e.code;
    throw e;
  }
  return undefined;
}

describe('buildUpsertSeed', () => {
  it('takes equality conditions, in path order, with dotted paths as subdocuments', () => {
    const seed = buildUpsertSeed({
      z: 1,
      'b.c': 2,
      gt: { $gt: 1 },
      e: { $eq: 3 },
      $and: [{ f: 4 }, { g: { $in: [5] } }],
      h: /x/,
      $or: [{ o: 1 }, { p: 2 }],
      _id: 7,
      n: null,
      doc: { x: 1 },
      t: { $all: ['only'] },
    });
    expect(seed).toEqual({ _id: 7, b: { c: 2 }, doc: { x: 1 }, e: 3, f: 4, g: 5, n: null, t: 'only', z: 1 });
    expect(Object.keys(seed)).toEqual(['_id', 'b', 'doc', 'e', 'f', 'g', 'n', 't', 'z']);
  });

  it('takes a single-branch $or, and skips $expr, $elemMatch and ranges', () => {
    expect(buildUpsertSeed({ $or: [{ a: 1 }] })).toEqual({ a: 1 });
    expect(
      buildUpsertSeed({ $expr: { $eq: ['$a', 1] }, b: { $elemMatch: { c: 1 } }, c: { $lt: 2 } }),
    ).toEqual({});
  });

  it('rejects a path matched twice or under another (NotSingleValueField)', () => {
    expect(() => buildUpsertSeed({ $and: [{ a: 1 }, { a: 2 }] })).toThrow(
      "cannot infer query fields to set, path 'a' is matched twice",
    );
    expect(() => buildUpsertSeed({ 'a.b': 1, a: { b: 1 } })).toThrow(
      "cannot infer query fields to set, both paths 'a.b' and 'a' are matched",
    );
    expect(codeOf(() => buildUpsertSeed({ t: { $all: [1, 2] } }))).toBe(54);
  });

  it('takes only _id for replacement-style upserts, and requires it whole', () => {
    expect(buildUpsertSeed({ _id: 1, a: 1 }, { replacementStyle: true })).toEqual({ _id: 1 });
    expect(codeOf(() => buildUpsertSeed({ '_id.a': 1 }, { replacementStyle: true }))).toBe(111);
  });
});

describe('upsert documents', () => {
  it('applies the update to the seed with $setOnInsert, then puts _id first', () => {
    const seed = buildUpsertSeed({ name: 'x', _id: 4 });
    const r = applyUpdate(
      seed,
      { $set: { a: 1 }, $setOnInsert: { created: true }, $inc: { n: 1 } },
      { isUpsertInsert: true },
    );
    const inserted = finalizeUpsertDocument(r.doc);
    expect(inserted).toEqual({ _id: 4, a: 1, created: true, n: 1, name: 'x' });
    expect(Object.keys(inserted)[0]).toBe('_id');
  });

  it('generates an ObjectId _id when the update produced none', () => {
    const inserted = finalizeUpsertDocument(
      applyUpdate({}, { $set: { a: 1 } }, { isUpsertInsert: true }).doc,
    );
    expect(inserted._id).toBeInstanceOf(ObjectId);
    expect(Object.keys(inserted)).toEqual(['_id', 'a']);
    expect(finalizeUpsertDocument({ a: 1 }, () => 'fixed')).toEqual({ _id: 'fixed', a: 1 });
  });

  it('lets the update set _id when the query did not, but not change the query one', () => {
    expect(applyUpdate({}, { $set: { _id: 5 } }, { isUpsertInsert: true }).doc).toEqual({ _id: 5 });
    expect(codeOf(() => applyUpdate({ _id: 1 }, { $set: { _id: 2 } }, { isUpsertInsert: true }))).toBe(66);
    expect(applyUpdate({ _id: 1 }, { $setOnInsert: { _id: 1, a: 1 } }, { isUpsertInsert: true }).doc).toEqual(
      { _id: 1, a: 1 },
    );
  });

  it('rejects an _id that cannot be stored (InvalidIdField)', () => {
    expect(codeOf(() => finalizeUpsertDocument({ _id: [1] }))).toBe(53);
    expect(codeOf(() => finalizeUpsertDocument({ _id: { $x: 1 } }))).toBe(52);
  });

  it('builds replacement-style upserts from the query _id', () => {
    const seed = buildUpsertSeed({ _id: 9, a: 1 }, { replacementStyle: true });
    const r = applyReplacement(seed, { b: 2 }, { isUpsertInsert: true });
    expect(finalizeUpsertDocument(r.doc)).toEqual({ _id: 9, b: 2 });
    expect(codeOf(() => applyReplacement(seed, { _id: 10 }, { isUpsertInsert: true }))).toBe(66);
  });
});
