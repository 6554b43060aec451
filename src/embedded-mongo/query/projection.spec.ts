import { Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import type { Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { loadDefaultExpressionEvaluator } from './expression-evaluator.js';
import { compileProjection, type ProjectionOptions } from './projection.js';

function project(projection: Document, doc: Document, options?: ProjectionOptions): Document {
  return compileProjection(projection, options)(doc);
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof MongoCommandError) return err.code;
    throw err;
  }
  return undefined;
}

/** A tiny stand-in for the aggregation evaluator: field paths, $literal and $add of field paths. */
function evaluateExpr(expr: unknown, doc: Document): unknown {
  if (typeof expr === 'string' && expr.startsWith('$')) return doc[expr.slice(1)];
  const e = expr as Record<string, unknown>;
  if ('$literal' in e) return e.$literal;
  if ('$add' in e) return (e.$add as string[]).reduce((s, p) => s + (doc[p.slice(1)] as number), 0);
  if ('$slice' in e) return 'agg-slice';
  throw new Error(`unexpected expression ${JSON.stringify(expr)}`);
}

const doc = { _id: 1, a: 1, b: { c: 2, d: 3 }, e: [{ f: 1, g: 2 }, { f: 3 }, 7, [{ f: 4, g: 5 }]], h: 'x' };

describe('compileProjection: inclusion and exclusion', () => {
  it('includes fields in document order, with _id unless excluded', () => {
    const out = project({ h: 1, a: 1 }, doc);
    expect(out).toEqual({ _id: 1, a: 1, h: 'x' });
    expect(Object.keys(out)).toEqual(['_id', 'a', 'h']);
    expect(project({ _id: 0, a: true }, doc)).toEqual({ a: 1 });
    expect(project({ a: Long.fromNumber(1), missing: 1 }, doc)).toEqual({ _id: 1, a: 1 });
    expect(project({ a: new Double(0.5) }, doc)).toEqual({ _id: 1, a: 1 });
  });

  it('excludes fields and keeps the rest in place', () => {
    expect(Object.keys(project({ a: 0, h: false }, doc))).toEqual(['_id', 'b', 'e']);
    expect(Object.keys(project({ _id: 0 }, doc))).toEqual(['a', 'b', 'e', 'h']);
    expect(project({ a: Decimal128.fromString('0'), b: new Int32(0), e: 0, h: 0 }, doc)).toEqual({ _id: 1 });
  });

  it('_id alone decides the type', () => {
    expect(project({ _id: 1 }, doc)).toEqual({ _id: 1 });
    expect(project({ _id: 1, a: 0 }, doc)).toEqual({ _id: 1, b: doc.b, e: doc.e, h: 'x' });
    expect(project({ '_id.x': 1 }, { _id: { x: 1, y: 2 }, a: 1 })).toEqual({ _id: { x: 1 } });
  });

  it('rejects mixing inclusion and exclusion (except _id)', () => {
    expect(codeOf(() => compileProjection({ a: 1, b: 0 }))).toBe(31254);
    expect(codeOf(() => compileProjection({ a: 0, b: 1 }))).toBe(31253);
    expect(codeOf(() => compileProjection({ 'b.c': 1, 'b.d': 0 }))).toBe(31254);
  });

  it('projects sub-paths into documents and, element by element, into arrays', () => {
    expect(project({ 'b.c': 1 }, doc)).toEqual({ _id: 1, b: { c: 2 } });
    expect(project({ b: { c: 1 } }, doc)).toEqual({ _id: 1, b: { c: 2 } });
    expect(project({ 'e.f': 1, _id: 0 }, doc)).toEqual({ e: [{ f: 1 }, { f: 3 }, [{ f: 4 }]] });
    expect(project({ 'e.g': 0, _id: 0, a: 0, b: 0, h: 0 }, doc)).toEqual({
      e: [{ f: 1 }, { f: 3 }, 7, [{ f: 4 }]],
    });
    expect(project({ 'a.x': 1, _id: 0 }, doc)).toEqual({});
    expect(project({ 'a.x': 0, _id: 0, b: 0, e: 0, h: 0 }, doc)).toEqual({ a: 1 });
  });

  it('returns the document unchanged for an empty projection and never modifies its input', () => {
    const input = { _id: 1, e: [{ f: 1, g: 2 }], n: { m: 1 } };
    const snapshot = JSON.stringify(input);
    expect(project({}, input)).toBe(input);
    project({ 'e.g': 0, 'n.m': 0 }, input);
    project({ 'e.f': 1, x: { $slice: 1 } }, input);
    project({ 'e.$': 1 }, input, { filter: { 'e.f': 1 } });
    expect(JSON.stringify(input)).toBe(snapshot);
  });

  it('reports path collisions and bad field paths', () => {
    expect(codeOf(() => compileProjection({ a: 1, 'a.b': 1 }))).toBe(31249);
    expect(codeOf(() => compileProjection({ 'a.b': 1, a: 1 }))).toBe(31250);
    expect(codeOf(() => compileProjection({ 'a..b': 1 }))).toBe(15998);
    expect(codeOf(() => compileProjection({ $a: 1 }))).toBe(16410);
    expect(codeOf(() => compileProjection({ a: {} }))).toBe(51270);
  });
});

describe('compileProjection: $slice', () => {
  const arr = { _id: 1, a: [1, 2, 3, 4, 5], b: 'x' };

  it('takes the first or last n elements, or [skip, limit]', () => {
    expect(project({ a: { $slice: 2 } }, arr).a).toEqual([1, 2]);
    expect(project({ a: { $slice: -2 } }, arr).a).toEqual([4, 5]);
    expect(project({ a: { $slice: 10 } }, arr).a).toEqual([1, 2, 3, 4, 5]);
    expect(project({ a: { $slice: [1, 2] } }, arr).a).toEqual([2, 3]);
    expect(project({ a: { $slice: [-2, 5] } }, arr).a).toEqual([4, 5]);
    expect(project({ a: { $slice: [-10, 2] } }, arr).a).toEqual([1, 2]);
    expect(project({ a: { $slice: [9, 2] } }, arr).a).toEqual([]);
    expect(project({ a: { $slice: new Int32(1) } }, arr).a).toEqual([1]);
  });

  it('alone it is an exclusion projection; with inclusions it includes the field', () => {
    expect(project({ a: { $slice: 1 } }, arr)).toEqual({ _id: 1, a: [1], b: 'x' });
    expect(project({ a: { $slice: 1 }, _id: 1 }, arr)).toEqual({ _id: 1, a: [1] });
    expect(project({ a: { $slice: 1 }, b: 1 }, arr)).toEqual({ _id: 1, a: [1], b: 'x' });
    expect(project({ a: { $slice: 1 }, b: 0 }, arr)).toEqual({ _id: 1, a: [1] });
  });

  it('slices arrays inside arrays of documents and leaves non-arrays alone', () => {
    const d = { _id: 1, a: [{ b: [1, 2, 3] }, { b: 5 }, 7], c: { b: [1, 2] } };
    expect(project({ 'a.b': { $slice: 1 } }, d)).toEqual({
      _id: 1,
      a: [{ b: [1] }, { b: 5 }, 7],
      c: { b: [1, 2] },
    });
    expect(project({ 'c.b': { $slice: -1 }, _id: 0 }, d)).toEqual({ a: d.a, c: { b: [2] } });
  });

  it('falls back to the aggregation $slice expression, and rejects other forms', () => {
    expect(project({ a: { $slice: ['$a', 1] } }, arr, { evaluateExpr }).a).toBe('agg-slice');
    expect(project({ a: { $slice: [1, 0] } }, arr, { evaluateExpr }).a).toBe('agg-slice');
    expect(codeOf(() => compileProjection({ a: { $slice: 'x' } }))).toBe(28667);
    expect(codeOf(() => compileProjection({ a: { $slice: [1, 2, 3, 4] } }))).toBe(28667);
  });
});

describe('compileProjection: $elemMatch', () => {
  const d = {
    _id: 1,
    a: [
      { x: 1, y: 1 },
      { x: 2, y: 2 },
      { x: 2, y: 3 },
    ],
    z: 1,
  };

  it('keeps the first matching element, after the other fields', () => {
    const out = project({ a: { $elemMatch: { x: 2 } }, z: 1 }, d);
    expect(out).toEqual({ _id: 1, z: 1, a: [{ x: 2, y: 2 }] });
    expect(Object.keys(out)).toEqual(['_id', 'z', 'a']);
    expect(project({ a: { $elemMatch: { x: 2, y: { $gt: 2 } } } }, d)).toEqual({
      _id: 1,
      a: [{ x: 2, y: 3 }],
    });
  });

  it('omits the field when nothing matches or it is not an array', () => {
    expect(project({ a: { $elemMatch: { x: 9 } } }, d)).toEqual({ _id: 1 });
    expect(project({ z: { $elemMatch: { x: 9 } } }, d)).toEqual({ _id: 1 });
  });

  it('works in exclusion projections', () => {
    expect(project({ z: 0, a: { $elemMatch: { y: 3 } } }, d)).toEqual({ _id: 1, a: [{ x: 2, y: 3 }] });
  });

  it('is top-level only and needs an object', () => {
    expect(codeOf(() => compileProjection({ 'a.b': { $elemMatch: { x: 1 } } }))).toBe(31275);
    expect(codeOf(() => compileProjection({ a: { b: { $elemMatch: { x: 1 } } } }))).toBe(31275);
    expect(codeOf(() => compileProjection({ a: { $elemMatch: 1 } }))).toBe(31274);
  });
});

describe('compileProjection: positional $', () => {
  it('keeps the array element the query matched', () => {
    const d = { _id: 1, a: [1, 3, 5], b: 2 };
    expect(project({ 'a.$': 1 }, d, { filter: { a: { $gt: 2 } } })).toEqual({ _id: 1, a: [3] });
    const e = {
      _id: 1,
      a: [
        { b: 1, c: 1 },
        { b: 2, c: 2 },
      ],
    };
    expect(project({ 'a.$': 1 }, e, { filter: { 'a.b': 2 } })).toEqual({ _id: 1, a: [{ b: 2, c: 2 }] });
    expect(project({ 'a.c.$': 1 }, e, { filter: { 'a.b': 2 } })).toEqual({ _id: 1, a: [{ c: 2 }] });
    expect(project({ 'a.$': 1 }, e, { filter: { a: { $elemMatch: { c: 2 } } } })).toEqual({
      _id: 1,
      a: [{ b: 2, c: 2 }],
    });
  });

  it('leaves non-array values as they are', () => {
    expect(project({ 'a.$': 1 }, { _id: 1, a: 5 }, { filter: { a: 5 } })).toEqual({ _id: 1, a: 5 });
  });

  it('fails at run time when the query recorded no array position', () => {
    const p = compileProjection({ 'a.$': 1 }, { filter: { $or: [{ a: 1 }, { b: 1 }] } });
    expect(codeOf(() => p({ _id: 1, a: [1, 2] }))).toBe(51246);
  });

  it('validates its use', () => {
    expect(codeOf(() => compileProjection({ 'a.$': 1 }, { filter: { b: 1 } }))).toBe(31277);
    expect(codeOf(() => compileProjection({ 'a.$': 1 }))).toBe(31277);
    expect(codeOf(() => compileProjection({ 'a.$': 1, 'b.$': 1 }, { filter: { a: 1, b: 1 } }))).toBe(31276);
    expect(
      codeOf(() => compileProjection({ 'a.$': 1, b: { $elemMatch: { x: 1 } } }, { filter: { a: 1 } })),
    ).toBe(31255);
    expect(
      codeOf(() => compileProjection({ b: { $elemMatch: { x: 1 } }, 'a.$': 1 }, { filter: { a: 1 } })),
    ).toBe(31256);
    expect(codeOf(() => compileProjection({ 'a.$': { x: 1 } }, { filter: { a: 1 } }))).toBe(31271);
    expect(codeOf(() => compileProjection({ 'a.$': 'x' }, { filter: { a: 1 } }))).toBe(31308);
    expect(codeOf(() => compileProjection({ 'a.$.b.$': 1 }, { filter: { a: 1 } }))).toBe(31287);
    expect(codeOf(() => compileProjection({ 'a.$': 1, b: 0 }, { filter: { a: 1 } }))).toBe(31254);
  });
});

describe('compileProjection: computed fields', () => {
  it('evaluates literals here and expressions through the evaluator, appended in projection order', () => {
    const out = project(
      { z: 'lit', a: 1, s: '$a', n: null, arr: [1, 'two'] },
      { _id: 1, a: 5 },
      { evaluateExpr },
    );
    expect(out).toEqual({ _id: 1, a: 5, z: 'lit', s: 5, n: null, arr: [1, 'two'] });
    expect(Object.keys(out)).toEqual(['_id', 'a', 'z', 's', 'n', 'arr']);
    expect(project({ t: { $add: ['$a', '$a'] } }, { _id: 1, a: 2 }, { evaluateExpr })).toEqual({
      _id: 1,
      t: 4,
    });
  });

  it('computes sub-paths in every element of arrays, replacing scalars by documents', () => {
    const d = { _id: 1, a: [{ b: 1 }, { b: 2 }, 3], k: 9 };
    expect(project({ 'a.c': { $literal: 0 }, _id: 0 }, d, { evaluateExpr })).toEqual({
      a: [{ c: 0 }, { c: 0 }, { c: 0 }],
    });
    expect(project({ 'a.b': 1, 'a.c': '$k', _id: 0 }, d, { evaluateExpr })).toEqual({
      a: [{ b: 1, c: 9 }, { b: 2, c: 9 }, { c: 9 }],
    });
    expect(project({ 'x.y': { $literal: 1 }, _id: 0 }, d, { evaluateExpr })).toEqual({ x: { y: 1 } });
  });

  it('drops a computed field whose value is missing', () => {
    expect(project({ s: '$nope' }, { _id: 1 }, { evaluateExpr })).toEqual({ _id: 1 });
  });

  it('only $meta may be computed in an exclusion projection', () => {
    expect(codeOf(() => compileProjection({ a: 0, b: 'x' }))).toBe(31310);
    expect(codeOf(() => compileProjection({ a: 0, b: { $literal: 1 } }))).toBe(31252);
  });

  it('uses the aggregation module once loaded, and rejects unknown operators', async () => {
    await expect(loadDefaultExpressionEvaluator()).resolves.toBe(true);
    expect(project({ t: { $add: ['$a', 1] } }, { _id: 1, a: 2 })).toEqual({ _id: 1, t: 3 });
    expect(codeOf(() => compileProjection({ t: { $noSuchOperator: 1 } }))).toBe(31325);
  });
});

describe('compileProjection: $meta', () => {
  const textScore = (d: Document): number => (d._id === 1 ? 1.5 : 0.5);

  it("adds the text score; alone (or with _id: 0) it's an exclusion projection", () => {
    expect(project({ score: { $meta: 'textScore' } }, { _id: 1, a: 1 }, { textScore })).toEqual({
      _id: 1,
      a: 1,
      score: 1.5,
    });
    expect(project({ score: { $meta: 'textScore' }, _id: 0 }, { _id: 2, a: 1 }, { textScore })).toEqual({
      a: 1,
      score: 0.5,
    });
    expect(project({ score: { $meta: 'textScore' }, a: 1 }, { _id: 1, a: 1, b: 2 }, { textScore })).toEqual({
      _id: 1,
      a: 1,
      score: 1.5,
    });
    expect(project({ a: { $meta: 'textScore' } }, { _id: 1, a: 'x', b: 2 }, { textScore })).toEqual({
      _id: 1,
      a: 1.5,
      b: 2,
    });
  });

  it('needs a text score and a known name', () => {
    expect(codeOf(() => compileProjection({ s: { $meta: 'textScore' } }))).toBe(40218);
    expect(codeOf(() => compileProjection({ s: { $meta: 'nope' } }))).toBe(17308);
    expect(typeof project({ r: { $meta: 'randVal' } }, { _id: new ObjectId() }).r).toBe('number');
  });
});
