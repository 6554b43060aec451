import {
  BSONRegExp,
  Binary,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
} from 'bson';
import type { Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { compileSort, parseSort, sortDocuments } from './sort.js';

function order(docs: Document[], sort: Document, options = {}): unknown[] {
  return sortDocuments(docs, sort, options).map((d) => d._id);
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

describe('sort: values', () => {
  it('orders numbers of every type by value', () => {
    const docs = [
      { _id: 'd', a: Decimal128.fromString('2.5') },
      { _id: 'l', a: Long.fromNumber(3) },
      { _id: 'i', a: new Int32(-1) },
      { _id: 'f', a: new Double(0.5) },
      { _id: 'n', a: 2 },
    ];
    expect(order(docs, { a: 1 })).toEqual(['i', 'f', 'n', 'd', 'l']);
    expect(order(docs, { a: -1 })).toEqual(['l', 'd', 'n', 'f', 'i']);
  });

  it("orders mixed types in MongoDB's type order, null and missing together", () => {
    const docs = [
      { _id: 'max', a: new MaxKey() },
      { _id: 'regex', a: new BSONRegExp('x') },
      { _id: 'ts', a: new Timestamp({ t: 1, i: 1 }) },
      { _id: 'date', a: new Date(0) },
      { _id: 'bool', a: false },
      { _id: 'oid', a: new ObjectId('000000000000000000000001') },
      { _id: 'bin', a: new Binary(Buffer.from('x')) },
      { _id: 'obj', a: { x: 1 } },
      { _id: 'str', a: 'a' },
      { _id: 'num', a: 1e9 },
      { _id: 'missing' },
      { _id: 'null', a: null },
      { _id: 'min', a: new MinKey() },
    ];
    expect(order(docs, { a: 1 })).toEqual([
      'min',
      'missing',
      'null',
      'num',
      'str',
      'obj',
      'bin',
      'oid',
      'bool',
      'date',
      'ts',
      'regex',
      'max',
    ]);
  });

  it('keeps input order for equal keys', () => {
    const docs = [
      { _id: 1, a: 1 },
      { _id: 2, a: 0 },
      { _id: 3, a: 1 },
      { _id: 4, a: new Double(1) },
    ];
    expect(order(docs, { a: 1 })).toEqual([2, 1, 3, 4]);
    expect(order(docs, { a: -1 })).toEqual([1, 3, 4, 2]);
    expect(order(docs, {})).toEqual([1, 2, 3, 4]);
  });

  it('sorts by several keys', () => {
    const docs = [
      { _id: 1, a: 1, b: 1 },
      { _id: 2, a: 1, b: 2 },
      { _id: 3, a: 0, b: 0 },
    ];
    expect(order(docs, { a: -1, b: -1 })).toEqual([2, 1, 3]);
    expect(order(docs, { a: 1, b: -1 })).toEqual([3, 2, 1]);
  });

  it('compares strings in binary (UTF-8) order', () => {
    expect(
      order(
        [
          { _id: 1, s: 'b' },
          { _id: 2, s: 'B' },
          { _id: 3, s: 'é' },
          { _id: 4, s: 'a' },
        ],
        { s: 1 },
      ),
    ).toEqual([2, 4, 1, 3]);
  });
});

describe('sort: arrays and paths', () => {
  it('sorts arrays by their smallest element ascending and largest descending', () => {
    const docs = [
      { _id: 'a', x: [1, 10] },
      { _id: 'b', x: 5 },
      { _id: 'c', x: [3, 4] },
    ];
    expect(order(docs, { x: 1 })).toEqual(['a', 'c', 'b']);
    expect(order(docs, { x: -1 })).toEqual(['a', 'b', 'c']);
  });

  it('puts an empty array below null ascending and last descending', () => {
    const docs = [
      { _id: 'empty', x: [] },
      { _id: 'null', x: null },
      { _id: 'one', x: [1] },
      { _id: 'min', x: new MinKey() },
    ];
    expect(order(docs, { x: 1 })).toEqual(['min', 'empty', 'null', 'one']);
    expect(order(docs, { x: -1 })).toEqual(['one', 'null', 'empty', 'min']);
  });

  it('compares nested arrays as arrays', () => {
    const docs = [
      { _id: 1, x: [[2, 0]] },
      { _id: 2, x: [[1, 9]] },
    ];
    expect(order(docs, { x: 1 })).toEqual([2, 1]);
  });

  it('follows dotted paths through arrays of documents, missing sub-fields counting as null', () => {
    const docs = [
      { _id: 1, a: [{ b: 5 }, { b: 1 }] },
      { _id: 2, a: { b: 3 } },
      { _id: 3, a: [{ b: 2 }, { c: 1 }] },
      { _id: 4, a: [{ b: 0 }, 7] },
    ];
    expect(order(docs, { 'a.b': 1 })).toEqual([3, 4, 1, 2]);
    expect(order(docs, { 'a.b': -1 })).toEqual([1, 2, 3, 4]);
  });

  it('uses numeric path components as array indexes', () => {
    const docs = [
      { _id: 1, a: [5, 1] },
      { _id: 2, a: [2, 9] },
    ];
    expect(order(docs, { 'a.1': 1 })).toEqual([1, 2]);
    expect(order(docs, { 'a.0': 1 })).toEqual([2, 1]);
  });

  it('rejects keys that traverse parallel arrays', () => {
    const p = parseSort({ a: 1, b: 1 });
    expect(codeOf(() => p.keyOf({ a: [1, 2], b: [1, 2] }))).toBe(2);
    expect(codeOf(() => p.keyOf({ a: [1, 2], b: 1 }))).toBeUndefined();
    const shared = parseSort({ 'a.b': 1, 'a.c': 1 });
    expect(codeOf(() => shared.keyOf({ a: [{ b: 1, c: 2 }] }))).toBeUndefined();
  });
});

describe('sort: specification', () => {
  it('accepts 1 and -1 of any numeric type (truncated)', () => {
    const docs = [
      { _id: 1, a: 2 },
      { _id: 2, a: 1 },
    ];
    expect(order(docs, { a: Long.fromNumber(1) })).toEqual([2, 1]);
    expect(order(docs, { a: new Double(-1) })).toEqual([1, 2]);
    expect(order(docs, { a: 1.5 })).toEqual([2, 1]);
  });

  it("rejects other values with MongoDB's codes", () => {
    expect(codeOf(() => compileSort({ a: 'asc' }))).toBe(15974);
    expect(codeOf(() => compileSort({ a: true }))).toBe(15974);
    expect(codeOf(() => compileSort({ a: 0 }))).toBe(15975);
    expect(codeOf(() => compileSort({ a: 2 }))).toBe(15975);
    expect(codeOf(() => compileSort({ a: { $foo: 1 } }))).toBe(17312);
    expect(codeOf(() => compileSort({ a: { $meta: 'textScore', x: 1 } }))).toBe(9);
    expect(codeOf(() => compileSort({ a: { $meta: 'nope' } }))).toBe(31138);
    expect(codeOf(() => compileSort({ a: { $meta: 'textScore' } }))).toBe(40218);
    expect(codeOf(() => compileSort({ 'a..b': 1 }))).toBe(15998);
    expect(codeOf(() => compileSort({ $a: 1 }))).toBe(16410);
  });

  it('sorts by text score, highest first', () => {
    const score: Record<number, number> = { 1: 0.5, 2: 2, 3: 1 };
    const docs = [{ _id: 1 }, { _id: 2 }, { _id: 3 }];
    expect(
      order(docs, { s: { $meta: 'textScore' } }, { textScore: (d: Document) => score[d._id as number] }),
    ).toEqual([2, 3, 1]);
  });

  it('compileSort gives a comparator usable with Array.prototype.sort', () => {
    const cmp = compileSort({ a: -1 });
    const docs = [{ a: 1 }, { a: 3 }, { a: 2 }];
    expect(docs.sort(cmp).map((d) => d.a)).toEqual([3, 2, 1]);
    expect(sortDocuments(docs, (x, y) => (x.a as number) - (y.a as number)).map((d) => d.a)).toEqual([
      1, 2, 3,
    ]);
  });
});

describe('sort: collation', () => {
  it('orders strings with the collation', () => {
    const docs = [
      { _id: 1, s: 'b' },
      { _id: 2, s: 'B' },
      { _id: 3, s: 'a' },
      { _id: 4, s: '10' },
      { _id: 5, s: '9' },
    ];
    expect(order(docs, { s: 1 })).toEqual([4, 5, 2, 3, 1]);
    expect(order(docs, { s: 1 }, { collation: { locale: 'en', strength: 2 } })).toEqual([4, 5, 3, 1, 2]);
    expect(order(docs, { s: 1 }, { collation: { locale: 'en', numericOrdering: true } })).toEqual([
      5, 4, 3, 1, 2,
    ]);
  });
});

describe('sort: $natural', () => {
  it('is reported as a scan direction, not compared', () => {
    expect(parseSort({ $natural: -1 }).natural).toBe(-1);
    expect(parseSort({ $natural: 1 }).length).toBe(0);
    expect(order([{ _id: 1 }, { _id: 2 }], { $natural: -1 })).toEqual([2, 1]);
    expect(codeOf(() => parseSort({ $natural: 0 }))).toBe(2);
  });
});
