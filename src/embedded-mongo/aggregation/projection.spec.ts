import type { Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { compileExpression } from './expressions.js';
import { parseAddFieldsSpec, parseProjectSpec, parseUnsetSpec } from './projection.js';

const compile = (e: unknown) => compileExpression(e);
const project = (spec: Document, doc: Document) => parseProjectSpec(spec, compile).apply(doc, {});
const addFields = (spec: Document, doc: Document) => parseAddFieldsSpec(spec, compile).apply(doc, {});

describe('$project', () => {
  const doc = { _id: 7, a: 1, b: { c: 2, d: 3 }, arr: [{ x: 1, y: 1 }, 5, [{ x: 2 }]] };

  it('keeps included fields in document order, _id first unless excluded', () => {
    expect(Object.keys(project({ b: 1, a: 1 }, doc))).toEqual(['_id', 'a', 'b']);
    expect(project({ _id: 0, 'b.d': true }, doc)).toEqual({ b: { d: 3 } });
    expect(project({ _id: 1 }, doc)).toEqual({ _id: 7 });
  });

  it('applies sub-projections to array elements (inclusion drops scalars, exclusion keeps them)', () => {
    expect(project({ _id: 0, 'arr.x': 1 }, doc)).toEqual({ arr: [{ x: 1 }, [{ x: 2 }]] });
    expect(project({ 'arr.x': 0, b: 0, a: 0, _id: 0 }, doc)).toEqual({ arr: [{ y: 1 }, 5, [{}]] });
  });

  it('computes fields, including nested ones over arrays and scalars', () => {
    expect(project({ _id: 0, n: { $add: ['$a', 1] }, 'b.e': '$a' }, doc)).toEqual({ n: 2, b: { e: 1 } });
    expect(project({ _id: 0, 'a.z': 'lit' }, doc)).toEqual({ a: { z: 'lit' } });
    expect(project({ _id: 0, v: [1, '$a'] }, doc)).toEqual({ v: [1, 1] });
  });

  it('an exclusion-only {_id: 0} keeps everything else', () => {
    expect(project({ _id: 0 }, { _id: 1, a: 1 })).toEqual({ a: 1 });
  });

  it('rejects mixed and colliding specs', () => {
    expect(() => parseProjectSpec({ a: 0, n: '$a' }, compile)).toThrow(MongoCommandError);
    expect(() => parseProjectSpec({ a: { b: 1 }, 'a.b': 1 }, compile)).toThrow(MongoCommandError);
    expect(() => parseProjectSpec({ a: {} }, compile)).toThrow(MongoCommandError);
    expect(() => parseProjectSpec({ $a: 1 }, compile)).toThrow(MongoCommandError);
  });
});

describe('$addFields', () => {
  it('replaces existing fields in place and appends new ones', () => {
    expect(Object.keys(addFields({ z: 1, a: 2 }, { a: 1, b: 2 }))).toEqual(['a', 'b', 'z']);
  });

  it('sets embedded fields in every array element, replacing scalars', () => {
    expect(addFields({ 'a.b': 1 }, { a: [{ c: 1 }, 2] })).toEqual({ a: [{ c: 1, b: 1 }, { b: 1 }] });
  });

  it('$$REMOVE and missing values remove the field', () => {
    expect(addFields({ a: '$$REMOVE', b: '$nope' }, { a: 1, b: 2, c: 3 })).toEqual({ c: 3 });
  });
});

describe('$unset', () => {
  it('removes top-level and embedded paths, also through arrays', () => {
    const p = parseUnsetSpec(['a', 'b.c']);
    expect(p.apply({ a: 1, b: [{ c: 1, d: 1 }, 3], e: 1 }, {})).toEqual({ b: [{ d: 1 }, 3], e: 1 });
  });
});
