import type { Document } from '../bson.js';
import { applyUpdate, type ApplyUpdateOptions } from './index.js';

function describeChange(doc: Document, update: Document, options?: ApplyUpdateOptions) {
  return applyUpdate(doc, update, options).updateDescription;
}

describe('updateDescription (as change stream update events report it)', () => {
  it('reports set and incremented fields by path, with their new values', () => {
    expect(
      describeChange({ _id: 1, a: 1, b: { c: 1 }, n: 5 }, { $set: { a: 2, 'b.c': 3 }, $inc: { n: 1 } }),
    ).toEqual({
      updatedFields: { a: 2, 'b.c': 3, n: 6 },
      removedFields: [],
      truncatedArrays: [],
    });
  });

  it('reports a created subtree once, at the first created field', () => {
    expect(describeChange({ _id: 1 }, { $set: { 'x.y.z': 1, 'x.y.w': 2 } }).updatedFields).toEqual({
      x: { y: { w: 2, z: 1 } },
    });
    expect(describeChange({ _id: 1, x: {} }, { $set: { 'x.y.z': 1 } }).updatedFields).toEqual({
      'x.y': { z: 1 },
    });
  });

  it('reports removed fields, and an unset array element as set to null', () => {
    expect(describeChange({ _id: 1, a: 1, b: { c: 1 } }, { $unset: { a: 1, 'b.c': 1, zz: 1 } })).toEqual({
      updatedFields: {},
      removedFields: ['a', 'b.c'],
      truncatedArrays: [],
    });
    expect(describeChange({ _id: 1, a: [1, 2] }, { $unset: { 'a.1': 1 } }).updatedFields).toEqual({
      'a.1': null,
    });
  });

  it('reports $push appends element by element, other array changes as the whole array', () => {
    expect(describeChange({ _id: 1, a: [1, 2] }, { $push: { a: { $each: [3, 4] } } }).updatedFields).toEqual({
      'a.2': 3,
      'a.3': 4,
    });
    expect(describeChange({ _id: 1, a: [] }, { $push: { a: 1 } }).updatedFields).toEqual({ a: [1] });
    expect(describeChange({ _id: 1 }, { $push: { a: 1 } }).updatedFields).toEqual({ a: [1] });
    expect(
      describeChange({ _id: 1, a: [2] }, { $push: { a: { $each: [1], $sort: 1 } } }).updatedFields,
    ).toEqual({ a: [1, 2] });
    expect(describeChange({ _id: 1, a: [1] }, { $addToSet: { a: 2 } }).updatedFields).toEqual({ a: [1, 2] });
    expect(describeChange({ _id: 1, a: [1, 2] }, { $pull: { a: 1 } }).updatedFields).toEqual({ a: [2] });
    expect(describeChange({ _id: 1, a: [1, 2] }, { $pop: { a: 1 } }).updatedFields).toEqual({ a: [1] });
  });

  it('reports an index set past the end by its path only', () => {
    expect(describeChange({ _id: 1, a: [1] }, { $set: { 'a.3': 'x' } }).updatedFields).toEqual({
      'a.3': 'x',
    });
  });

  it('reports $rename as a removal and an update', () => {
    expect(describeChange({ _id: 1, a: 1 }, { $rename: { a: 'b' } })).toEqual({
      updatedFields: { b: 1 },
      removedFields: ['a'],
      truncatedArrays: [],
    });
  });

  it('reports positional updates at the resolved index', () => {
    expect(
      describeChange({ _id: 1, g: [1, 2] }, { $set: { 'g.$': 5 } }, { query: { g: 2 } }).updatedFields,
    ).toEqual({
      'g.1': 5,
    });
  });

  it('reports array filter updates as mongod logs them: the element or the whole array', () => {
    const d = {
      _id: 1,
      y: [
        { b: 1, c: 0 },
        { b: 2, c: 0 },
        { b: 1, c: 1 },
      ],
    };
    // One matching element: the change itself.
    expect(
      describeChange(d, { $set: { 'y.$[i].c': 9 } }, { arrayFilters: [{ 'i.b': 2 }] }).updatedFields,
    ).toEqual({
      'y.1.c': 9,
    });
    // Several matching elements, one modified: that element.
    expect(
      describeChange(d, { $set: { 'y.$[i].c': 1 } }, { arrayFilters: [{ 'i.b': 1 }] }).updatedFields,
    ).toEqual({
      'y.0': { b: 1, c: 1 },
    });
    // Several modified: the array.
    expect(describeChange(d, { $inc: { 'y.$[].c': 1 } }).updatedFields).toEqual({
      y: [
        { b: 1, c: 1 },
        { b: 2, c: 1 },
        { b: 1, c: 2 },
      ],
    });
  });

  it('is empty for a no-op update', () => {
    expect(describeChange({ _id: 1, a: 1 }, { $set: { a: 1 } })).toEqual({
      updatedFields: {},
      removedFields: [],
      truncatedArrays: [],
    });
  });

  it('disambiguates numeric field names, giving array indexes as numbers', () => {
    expect(applyUpdate({ _id: 1, a: { '1': 1 } }, { $set: { 'a.1': 2 } }).disambiguatedPaths).toEqual({
      'a.1': ['a', '1'],
    });
    expect(applyUpdate({ _id: 1, a: [{ '1': 1 }] }, { $set: { 'a.0.1': 2 } }).disambiguatedPaths).toEqual({
      'a.0.1': ['a', 0, '1'],
    });
    expect(applyUpdate({ _id: 1, a: [1] }, { $set: { 'a.0': 2 } }).disambiguatedPaths).toEqual({});
  });
});
