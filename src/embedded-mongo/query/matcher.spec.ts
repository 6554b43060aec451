import { BSONRegExp, Binary, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId } from 'bson';
import type { Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { compileFilter, filterPaths, parseFilter, type FilterOptions, type MatchDetails } from './matcher.js';

function matches(filter: Document, doc: Document, options?: FilterOptions): boolean {
  return compileFilter(filter, options)(doc);
}

/** Which of `docs` (by index) match. */
function which(filter: Document, docs: Document[], options?: FilterOptions): number[] {
  const m = compileFilter(filter, options);
  return docs.flatMap((d, i) => (m(d) ? [i] : []));
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

describe('compileFilter: equality', () => {
  it('compares numbers exactly across int, long, double and decimal', () => {
    const ones = [
      { a: 1 },
      { a: new Int32(1) },
      { a: new Double(1) },
      { a: Long.fromNumber(1) },
      { a: Decimal128.fromString('1.0') },
    ];
    for (const rhs of [1, new Int32(1), new Double(1.0), Long.fromNumber(1), Decimal128.fromString('1.00')]) {
      expect(which({ a: rhs }, ones)).toEqual([0, 1, 2, 3, 4]);
    }
    expect(matches({ a: 1 }, { a: new Double(1.5) })).toBe(false);
    expect(matches({ a: Decimal128.fromString('1.5') }, { a: new Double(1.5) })).toBe(true);
  });

  it('keeps 64-bit integers exact beyond 2^53', () => {
    const big = Long.fromString('9007199254740993');
    expect(matches({ a: big }, { a: Long.fromString('9007199254740993') })).toBe(true);
    expect(matches({ a: big }, { a: new Double(9007199254740992) })).toBe(false);
    expect(matches({ a: new Double(9007199254740992) }, { a: Long.fromString('9007199254740992') })).toBe(
      true,
    );
  });

  it('does not equate numbers with strings or booleans', () => {
    expect(which({ a: 1 }, [{ a: '1' }, { a: true }, { a: 1 }])).toEqual([2]);
    expect(which({ a: true }, [{ a: 1 }, { a: true }, { a: false }])).toEqual([1]);
  });

  it('matches array elements and whole arrays, but not elements of nested arrays', () => {
    const docs = [{ a: [1, 2, 3] }, { a: [1, 2] }, { a: [[1, 2], 3] }, { a: [2, 1] }, { a: [[1]] }, { a: 2 }];
    expect(which({ a: 2 }, docs)).toEqual([0, 1, 3, 5]);
    expect(which({ a: [1, 2] }, docs)).toEqual([1, 2]);
    expect(which({ a: 1 }, docs)).toEqual([0, 1, 3]);
  });

  it('compares embedded documents field by field, in order', () => {
    expect(matches({ a: { b: 1, c: 2 } }, { a: { b: new Int32(1), c: Long.fromNumber(2) } })).toBe(true);
    expect(matches({ a: { b: 1, c: 2 } }, { a: { c: 2, b: 1 } })).toBe(false);
    expect(matches({ a: { b: 1 } }, { a: { b: 1, c: 2 } })).toBe(false);
    expect(matches({ a: {} }, { a: {} })).toBe(true);
  });

  it('matches ObjectId, Date and Binary by value', () => {
    const id = new ObjectId();
    expect(matches({ _id: id }, { _id: new ObjectId(id.toHexString()) })).toBe(true);
    expect(matches({ _id: id }, { _id: new ObjectId() })).toBe(false);
    expect(matches({ d: new Date(5) }, { d: new Date(5) })).toBe(true);
    expect(matches({ b: new Binary(Buffer.from('ab')) }, { b: new Binary(Buffer.from('ab')) })).toBe(true);
  });

  it('treats NaN as equal to NaN of any numeric type', () => {
    expect(matches({ a: NaN }, { a: new Double(NaN) })).toBe(true);
    expect(matches({ a: NaN }, { a: Decimal128.fromString('NaN') })).toBe(true);
    expect(matches({ a: NaN }, { a: 1 })).toBe(false);
  });

  it('is a whole-document AND of its fields', () => {
    expect(which({ a: 1, b: 2 }, [{ a: 1, b: 2 }, { a: 1 }, { a: 1, b: 3 }])).toEqual([0]);
    expect(matches({}, { x: 1 })).toBe(true);
  });

  it('ignores Object.prototype names in documents', () => {
    expect(matches({ constructor: 1 }, {})).toBe(false);
    expect(matches({ toString: null }, {})).toBe(true);
    expect(matches({ 'a.constructor': { $exists: true } }, { a: {} })).toBe(false);
  });

  it('looks into DBRefs through $ref / $id', () => {
    const ref = new DBRef('users', new ObjectId('5f0000000000000000000001'));
    expect(matches({ 'owner.$id': new ObjectId('5f0000000000000000000001') }, { owner: ref })).toBe(true);
    expect(matches({ 'owner.$ref': 'users' }, { owner: ref })).toBe(true);
  });
});

describe('compileFilter: null and missing', () => {
  const docs: Document[] = [
    {},
    { a: null },
    { a: 0 },
    { a: [] },
    { a: [1, null] },
    { a: [1, 2] },
    { a: { b: null } },
    { a: [{ b: 1 }, {}] },
    { a: 5 },
  ];

  it('null matches null, missing, and arrays holding null', () => {
    expect(which({ a: null }, docs)).toEqual([0, 1, 4]);
    expect(which({ a: { $eq: null } }, docs)).toEqual([0, 1, 4]);
  });

  it('$ne: null is the exact complement', () => {
    expect(which({ a: { $ne: null } }, docs)).toEqual([2, 3, 5, 6, 7, 8]);
  });

  it("dotted null matches missing sub-fields but not arrays of scalars (MongoDB's null semantics)", () => {
    expect(which({ 'a.b': null }, docs)).toEqual([0, 1, 2, 6, 7, 8]);
    expect(which({ 'a.b': { $exists: false } }, docs)).toEqual([0, 1, 2, 3, 4, 5, 8]);
  });

  it('$in with null matches missing; $nin with null does not', () => {
    expect(which({ a: { $in: [null, 5] } }, docs)).toEqual([0, 1, 4, 8]);
    expect(which({ a: { $nin: [null, 5] } }, docs)).toEqual([2, 3, 5, 6, 7]);
  });

  it('$exists looks at presence, not value', () => {
    expect(which({ a: { $exists: true } }, docs)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(which({ a: { $exists: false } }, docs)).toEqual([0]);
    expect(which({ a: { $exists: 0 } }, docs)).toEqual([0]);
  });

  it('range operators on null only match null and missing', () => {
    expect(which({ a: { $gte: null } }, docs)).toEqual([0, 1, 4]);
    expect(which({ a: { $gt: null } }, docs)).toEqual([]);
  });

  it('$elemMatch treats nested arrays as documents (null_query_semantics)', () => {
    expect(matches({ a: { $elemMatch: { b: null } } }, { a: [[]] })).toBe(true);
    expect(matches({ a: { $elemMatch: { b: null } } }, { a: [1] })).toBe(false);
  });
});

describe('compileFilter: comparisons and type bracketing', () => {
  const docs: Document[] = [
    { a: 6 },
    { a: Long.fromNumber(7) },
    { a: Decimal128.fromString('5.5') },
    { a: '6' },
    { a: true },
    { a: null },
    {},
    { a: [1, 10] },
    { a: new Double(5) },
  ];

  it('only compares within the same type class', () => {
    expect(which({ a: { $gt: 5 } }, docs)).toEqual([0, 1, 2, 7]);
    expect(which({ a: { $gte: 5 } }, docs)).toEqual([0, 1, 2, 7, 8]);
    expect(which({ a: { $lt: 5.5 } }, docs)).toEqual([7, 8]);
    expect(which({ a: { $gt: '5' } }, docs)).toEqual([3]);
  });

  it('any array element can satisfy each bound (without $elemMatch)', () => {
    expect(matches({ a: { $gt: 2, $lt: 4 } }, { a: [1, 10] })).toBe(true);
    expect(matches({ a: { $elemMatch: { $gt: 2, $lt: 4 } } }, { a: [1, 10] })).toBe(false);
    expect(matches({ a: { $elemMatch: { $gt: 2, $lt: 4 } } }, { a: [1, 3] })).toBe(true);
  });

  it('compares strings in binary order', () => {
    expect(which({ s: { $lt: 'b' } }, [{ s: 'a' }, { s: 'B' }, { s: 'ba' }, { s: 'é' }])).toEqual([0, 1]);
  });

  it('compares dates and ObjectIds within their types', () => {
    expect(
      which({ d: { $gte: new Date(10) } }, [{ d: new Date(9) }, { d: new Date(10) }, { d: 11 }]),
    ).toEqual([1]);
    const lo = new ObjectId('000000000000000000000001');
    expect(matches({ o: { $gt: lo } }, { o: new ObjectId('000000000000000000000002') })).toBe(true);
  });

  it('MinKey and MaxKey bound every type, missing included', () => {
    expect(which({ a: { $lt: new MaxKey() } }, [{}, { a: 'x' }, { a: new MaxKey() }])).toEqual([0, 1]);
    expect(which({ a: { $gt: new MinKey() } }, [{}, { a: 1 }, { a: new MinKey() }])).toEqual([0, 1]);
    expect(which({ a: { $lte: new MaxKey() } }, [{ a: new MaxKey() }])).toEqual([0]);
  });

  it('NaN is never greater or less than anything, and only $lte/$gte NaN match NaN', () => {
    const nan = [{ a: new Double(NaN) }, { a: 1 }, { a: Decimal128.fromString('NaN') }];
    expect(which({ a: { $lt: 5 } }, nan)).toEqual([1]);
    expect(which({ a: { $gt: NaN } }, nan)).toEqual([]);
    expect(which({ a: { $gte: NaN } }, nan)).toEqual([0, 2]);
  });

  it('compares arrays with array bounds and elements with element bounds', () => {
    expect(matches({ a: { $gt: [1, 1] } }, { a: [1, 2] })).toBe(true);
    expect(matches({ a: { $lt: [1, 1] } }, { a: [1, 2] })).toBe(false);
  });
});

describe('compileFilter: dotted paths', () => {
  it('reaches into arrays of documents', () => {
    expect(matches({ 'a.b': 1 }, { a: [{ b: 2 }, { b: 1 }] })).toBe(true);
    expect(matches({ 'a.b': 1 }, { a: { b: [0, 1] } })).toBe(true);
    expect(matches({ 'a.b': 1 }, { a: [{ b: [0, 1] }] })).toBe(true);
    expect(matches({ 'a.b.c': 1 }, { a: [{ b: [{ c: 0 }, { c: 1 }] }] })).toBe(true);
    expect(matches({ 'a.b': 1 }, { a: [[{ b: 1 }]] })).toBe(false);
  });

  it('uses numeric components as array indexes and as field names', () => {
    expect(matches({ 'a.0': 1 }, { a: [1, 2] })).toBe(true);
    expect(matches({ 'a.1': 1 }, { a: [1, 2] })).toBe(false);
    expect(matches({ 'a.0': 1 }, { a: { '0': 1 } })).toBe(true);
    expect(matches({ 'a.0.b': 1 }, { a: [{ b: 1 }] })).toBe(true);
    expect(matches({ 'a.1.b': 2 }, { a: [{ b: 1 }, { b: 2 }] })).toBe(true);
    expect(matches({ 'a.1.b': 1 }, { a: [{ b: 1 }, { b: 2 }] })).toBe(false);
    expect(matches({ 'a.0.b': 1 }, { a: [{ '0': { b: 1 } }] })).toBe(true);
  });

  it('indexes into nested arrays only positionally', () => {
    expect(matches({ 'a.0': 1 }, { a: [[1, 2]] })).toBe(false);
    expect(matches({ 'a.0': [1, 2] }, { a: [[1, 2]] })).toBe(true);
    expect(matches({ 'a.0.1': 2 }, { a: [[1, 2]] })).toBe(true);
  });

  it('applies $size and $elemMatch to arrays found through arrays of documents', () => {
    expect(matches({ 'a.b': { $size: 2 } }, { a: [{ b: [1, 2] }] })).toBe(true);
    expect(matches({ 'a.b': { $elemMatch: { $eq: 2 } } }, { a: [{ b: [1, 2] }] })).toBe(true);
  });
});

describe('compileFilter: array operators', () => {
  it('$elemMatch on documents needs one element to satisfy every condition', () => {
    const doc = {
      a: [
        { b: 1, c: 3 },
        { b: 2, c: 2 },
      ],
    };
    expect(matches({ 'a.b': 1, 'a.c': 2 }, doc)).toBe(true);
    expect(matches({ a: { $elemMatch: { b: 1, c: 2 } } }, doc)).toBe(false);
    expect(matches({ a: { $elemMatch: { b: 2, c: 2 } } }, doc)).toBe(true);
    expect(matches({ a: { $elemMatch: { $or: [{ b: 5 }, { c: 3 }] } } }, doc)).toBe(true);
  });

  it('$elemMatch only matches arrays', () => {
    expect(matches({ a: { $elemMatch: { $gt: 1 } } }, { a: 5 })).toBe(false);
    expect(matches({ a: { $elemMatch: { b: 1 } } }, { a: { b: 1 } })).toBe(false);
    expect(matches({ a: { $elemMatch: {} } }, { a: [1, { x: 1 }] })).toBe(true);
    expect(matches({ a: { $elemMatch: {} } }, { a: [1, 2] })).toBe(false);
  });

  it('$elemMatch value conditions see elements without further traversal', () => {
    expect(matches({ a: { $elemMatch: { $elemMatch: { $gt: 4 } } } }, { a: [[1], [5]] })).toBe(true);
    expect(matches({ a: { $elemMatch: { $gt: 4 } } }, { a: [[1], [5]] })).toBe(false);
    expect(matches({ a: { $elemMatch: { $not: { $gt: 4 } } } }, { a: [5, 1] })).toBe(true);
    expect(matches({ a: { $elemMatch: { $in: [3, 4] } } }, { a: [1, 4] })).toBe(true);
    expect(matches({ a: { $elemMatch: { $regex: '^x' } } }, { a: ['ax', 'xa'] })).toBe(true);
  });

  it('$all needs every value, each possibly from a different element', () => {
    expect(matches({ a: { $all: [2, 3] } }, { a: [1, 2, 3] })).toBe(true);
    expect(matches({ a: { $all: [2, 4] } }, { a: [1, 2, 3] })).toBe(false);
    expect(matches({ a: { $all: [[1, 2]] } }, { a: [[1, 2], 3] })).toBe(true);
    expect(matches({ a: { $all: [5] } }, { a: 5 })).toBe(true);
    expect(matches({ a: { $all: [] } }, { a: [] })).toBe(false);
    expect(matches({ a: { $all: [/^b/, 'c'] } }, { a: ['bx', 'c'] })).toBe(true);
  });

  it('$all with $elemMatch', () => {
    const doc = {
      a: [
        { x: 1, y: 1 },
        { x: 2, y: 5 },
      ],
    };
    expect(matches({ a: { $all: [{ $elemMatch: { x: 1 } }, { $elemMatch: { y: { $gt: 4 } } }] } }, doc)).toBe(
      true,
    );
    expect(matches({ a: { $all: [{ $elemMatch: { x: 1, y: 5 } }] } }, doc)).toBe(false);
  });

  it('$size counts the array itself, not nested ones', () => {
    expect(which({ a: { $size: 2 } }, [{ a: [1, 2] }, { a: [[1, 2]] }, { a: 2 }, {}, { a: [1] }])).toEqual([
      0,
    ]);
    expect(matches({ a: { $size: 0 } }, { a: [] })).toBe(true);
    expect(matches({ a: { $size: new Double(1) } }, { a: [9] })).toBe(true);
    expect(matches({ a: { $size: Long.fromNumber(1) } }, { a: [9] })).toBe(true);
  });
});

describe('compileFilter: $in and $nin', () => {
  it('matches any listed value, with exact numeric equality and arrays', () => {
    const docs = [
      { a: new Int32(2) },
      { a: Decimal128.fromString('3.0') },
      { a: [9, 4] },
      { a: 'x' },
      { a: [1, 2] },
      {},
    ];
    expect(which({ a: { $in: [2, 3, Long.fromNumber(4)] } }, docs)).toEqual([0, 1, 2, 4]);
    expect(which({ a: { $in: [[1, 2]] } }, docs)).toEqual([4]);
    expect(which({ a: { $nin: [2, 3] } }, docs)).toEqual([2, 3, 5]);
    expect(which({ a: { $in: [] } }, docs)).toEqual([]);
    expect(which({ a: { $nin: [] } }, docs)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('accepts regexes', () => {
    const docs = [{ a: 'apple' }, { a: 'Banana' }, { a: ['x', 'berry'] }, { a: 5 }];
    expect(which({ a: { $in: [/^b/i, 5] } }, docs)).toEqual([1, 2, 3]);
    expect(which({ a: { $nin: [/^b/] } }, docs)).toEqual([0, 1, 3]);
  });

  it('matches documents and other types by value', () => {
    const id = new ObjectId();
    expect(matches({ a: { $in: [{ b: 1 }, id] } }, { a: { b: new Double(1) } })).toBe(true);
    expect(matches({ a: { $in: [{ b: 1 }, id] } }, { a: new ObjectId(id.toHexString()) })).toBe(true);
    expect(matches({ a: { $in: [true] } }, { a: 1 })).toBe(false);
    expect(
      matches(
        { a: { $in: [Long.fromString('9007199254740993')] } },
        { a: Long.fromString('9007199254740993') },
      ),
    ).toBe(true);
  });
});

describe('compileFilter: regular expressions', () => {
  it('matches strings and array elements', () => {
    const docs = [{ a: 'abc' }, { a: ['x', 'abd'] }, { a: 'xab' }, { a: 5 }, {}];
    expect(which({ a: /^ab/ }, docs)).toEqual([0, 1]);
    expect(which({ a: { $regex: '^ab' } }, docs)).toEqual([0, 1]);
    expect(which({ a: new BSONRegExp('^AB', 'i') }, docs)).toEqual([0, 1]);
    expect(which({ a: { $regex: 'AB', $options: 'i' } }, docs)).toEqual([0, 1, 2]);
    expect(which({ a: { $options: 'i', $regex: '^AB' } }, docs)).toEqual([0, 1]);
  });

  it('$not with a regex matches everything the regex does not, missing included', () => {
    expect(which({ a: { $not: /^ab/ } }, [{ a: 'abc' }, { a: 'b' }, {}, { a: 3 }])).toEqual([1, 2, 3]);
    expect(which({ a: { $not: { $regex: '^ab' } } }, [{ a: 'abc' }, { a: 'b' }])).toEqual([1]);
  });

  it('$eq with a regex compares regex values instead of matching', () => {
    expect(matches({ a: { $eq: /x/ } }, { a: 'x' })).toBe(false);
    expect(matches({ a: { $eq: new BSONRegExp('x', 'i') } }, { a: new BSONRegExp('x', 'i') })).toBe(true);
    expect(matches({ a: new BSONRegExp('x', 'i') }, { a: new BSONRegExp('x', 'i') })).toBe(true);
  });

  it('follows PCRE options: m, s, x', () => {
    expect(matches({ a: { $regex: '^b', $options: 'm' } }, { a: 'a\nb' })).toBe(true);
    expect(matches({ a: { $regex: '^b' } }, { a: 'a\nb' })).toBe(false);
    expect(matches({ a: { $regex: 'a.b', $options: 's' } }, { a: 'a\nb' })).toBe(true);
    expect(matches({ a: { $regex: 'a.b' } }, { a: 'a\nb' })).toBe(false);
    expect(matches({ a: { $regex: 'a b # comment', $options: 'x' } }, { a: 'ab' })).toBe(true);
  });
});

describe('compileFilter: $type', () => {
  const docs: Document[] = [
    { a: new Int32(1) },
    { a: Long.fromNumber(1) },
    { a: new Double(1.5) },
    { a: Decimal128.fromString('1') },
    { a: 'x' },
    { a: [1, 'y'] },
    { a: [] },
    { a: null },
    {},
  ];

  it("'number' covers every numeric type, and arrays match by element type", () => {
    expect(which({ a: { $type: 'number' } }, docs)).toEqual([0, 1, 2, 3, 5]);
    expect(which({ a: { $type: 'string' } }, docs)).toEqual([4, 5]);
    expect(which({ a: { $type: 2 } }, docs)).toEqual([4, 5]);
    expect(which({ a: { $type: ['long', 'decimal'] } }, docs)).toEqual([1, 3]);
    expect(which({ a: { $type: 'int' } }, docs)).toEqual([0, 5]);
  });

  it("'array' matches arrays themselves, empty ones included", () => {
    expect(which({ a: { $type: 'array' } }, docs)).toEqual([5, 6]);
    expect(which({ a: { $type: 4 } }, docs)).toEqual([5, 6]);
  });

  it('null is a type; missing is not', () => {
    expect(which({ a: { $type: 'null' } }, docs)).toEqual([7]);
    expect(which({ a: { $type: 10 } }, docs)).toEqual([7]);
  });

  it('rejects unknown aliases and codes', () => {
    expect(codeOf(() => compileFilter({ a: { $type: 'foo' } }))).toBe(2);
    expect(codeOf(() => compileFilter({ a: { $type: 100 } }))).toBe(2);
    expect(codeOf(() => compileFilter({ a: { $type: 1.5 } }))).toBe(9);
    expect(codeOf(() => compileFilter({ a: { $type: {} } }))).toBe(14);
    expect(codeOf(() => compileFilter({ a: { $type: [] } }))).toBe(9);
  });
});

describe('compileFilter: $mod and bit operators', () => {
  it('$mod truncates doubles and decimals and follows the dividend sign', () => {
    const docs = [
      { a: 8 },
      { a: new Double(8.9) },
      { a: -8 },
      { a: Long.fromNumber(12) },
      { a: 9 },
      { a: '8' },
      { a: Decimal128.fromString('4.2') },
    ];
    expect(which({ a: { $mod: [4, 0] } }, docs)).toEqual([0, 1, 2, 3, 6]);
    expect(which({ a: { $mod: [4, 1] } }, docs)).toEqual([4]);
    expect(which({ a: { $mod: [4, -0] } }, [{ a: -4 }])).toEqual([0]);
    expect(which({ a: { $mod: [new Double(4.5), 1] } }, docs)).toEqual([4]);
  });

  it('$mod argument errors are BadValue', () => {
    for (const bad of [4, [], [4], ['a', 1], [4, 'b'], [4, 1, 2], [0, 1], [NaN, 1]]) {
      expect(codeOf(() => compileFilter({ a: { $mod: bad } }))).toBe(2);
    }
  });

  it('tests bits of numbers (two’s complement) and binary data', () => {
    const docs = [{ a: 54 }, { a: -1 }, { a: new Binary(Buffer.from([0x36])) }, { a: 2.5 }, { a: 'x' }];
    // 54 = 0b110110
    expect(which({ a: { $bitsAllSet: [1, 2] } }, docs)).toEqual([0, 1, 2]);
    expect(which({ a: { $bitsAllSet: 6 } }, docs)).toEqual([0, 1, 2]);
    expect(which({ a: { $bitsAnySet: [0, 3] } }, docs)).toEqual([1]);
    expect(which({ a: { $bitsAllClear: [0, 3] } }, docs)).toEqual([0, 2]);
    expect(which({ a: { $bitsAnyClear: [1, 5] } }, docs)).toEqual([]);
    expect(which({ a: { $bitsAllSet: [100] } }, docs)).toEqual([1]);
    expect(which({ a: { $bitsAllSet: new Binary(Buffer.from([0x06])) } }, docs)).toEqual([0, 1, 2]);
  });

  it('rejects bad bit arguments', () => {
    expect(codeOf(() => compileFilter({ a: { $bitsAllSet: 'x' } }))).toBe(2);
    expect(codeOf(() => compileFilter({ a: { $bitsAllSet: [-1] } }))).toBe(2);
    expect(codeOf(() => compileFilter({ a: { $bitsAllSet: [1.5] } }))).toBe(2);
    expect(codeOf(() => compileFilter({ a: { $bitsAllSet: -1 } }))).toBe(9);
  });
});

describe('compileFilter: logical operators', () => {
  const docs = [{ a: 1, b: 1 }, { a: 1, b: 2 }, { a: 2 }, {}];

  it('$and, $or and $nor', () => {
    expect(which({ $and: [{ a: 1 }, { b: 2 }] }, docs)).toEqual([1]);
    expect(which({ $or: [{ a: 2 }, { b: 1 }] }, docs)).toEqual([0, 2]);
    expect(which({ $nor: [{ a: 2 }, { b: 1 }] }, docs)).toEqual([1, 3]);
    expect(which({ a: 1, $or: [{ b: 2 }, { b: 3 }] }, docs)).toEqual([1]);
  });

  it('$not negates over all values of the path, so it matches missing fields and mixed arrays', () => {
    expect(which({ a: { $not: { $gt: 1 } } }, [{ a: 1 }, { a: 2 }, {}, { a: 'x' }, { a: [1, 5] }])).toEqual([
      0, 2, 3,
    ]);
  });

  it('$ne and $nin are negations over arrays', () => {
    expect(which({ a: { $ne: 2 } }, [{ a: [1, 2] }, { a: [1, 3] }, {}])).toEqual([1, 2]);
  });

  it('$comment is ignored and $alwaysTrue/$alwaysFalse are constants', () => {
    expect(matches({ $comment: 'hi', a: 1 }, { a: 1 })).toBe(true);
    expect(matches({ $alwaysFalse: 1 }, {})).toBe(false);
    expect(matches({ $alwaysTrue: 1 }, {})).toBe(true);
  });
});

describe('compileFilter: $expr, $text, $where, $jsonSchema, geo', () => {
  const evaluateExpr = (expr: unknown, doc: Document, vars?: Record<string, unknown>): unknown => {
    const e = expr as { $gt?: [string, string]; $eq?: [string, string] };
    if (e.$gt) return (doc[e.$gt[0].slice(1)] as number) > (doc[e.$gt[1].slice(1)] as number);
    if (e.$eq) return doc[e.$eq[0].slice(1)] === vars?.[e.$eq[1].slice(2)];
    return undefined;
  };

  it('$expr delegates to the expression evaluator and coerces the result to a boolean', () => {
    const m = compileFilter({ $expr: { $gt: ['$a', '$b'] } }, { evaluateExpr });
    expect([m({ a: 2, b: 1 }), m({ a: 1, b: 2 })]).toEqual([true, false]);
    const v = compileFilter({ $expr: { $eq: ['$a', '$$x'] } }, { evaluateExpr, variables: { x: 7 } });
    expect([v({ a: 7 }), v({ a: 8 })]).toEqual([true, false]);
    expect(matches({ $expr: 'anything' }, {}, { evaluateExpr: () => 0 })).toBe(false);
    expect(matches({ $expr: 'anything' }, {}, { evaluateExpr: () => '' })).toBe(true);
    expect(matches({ $expr: 'anything' }, {}, { evaluateExpr: () => null })).toBe(false);
  });

  it('$expr is rejected inside $elemMatch', () => {
    expect(codeOf(() => compileFilter({ a: { $elemMatch: { $expr: {} } } }))).toBe(2);
  });

  it('$text needs a text matcher (IndexNotFound without one)', () => {
    expect(codeOf(() => compileFilter({ $text: { $search: 'x' } }))).toBe(27);
    const m = compileFilter(
      { $text: { $search: 'cat' } },
      { textMatcher: (t) => (doc) => String(doc.body).includes(String(t.$search)) },
    );
    expect([m({ body: 'a cat' }), m({ body: 'a dog' })]).toEqual([true, false]);
  });

  it('$where and geo operators are rejected with BadValue', () => {
    expect(codeOf(() => compileFilter({ $where: 'this.a > 1' }))).toBe(2);
    expect(codeOf(() => compileFilter({ a: { $where: 'x' } }))).toBe(2);
    expect(codeOf(() => compileFilter({ loc: { $geoWithin: { $centerSphere: [[0, 0], 1] } } }))).toBe(2);
    expect(codeOf(() => compileFilter({ loc: { $near: [0, 0] } }))).toBe(2);
  });

  it('$jsonSchema validates the document', () => {
    const m = compileFilter({
      $jsonSchema: {
        bsonType: 'object',
        required: ['name'],
        properties: { age: { bsonType: 'int', minimum: 0 } },
      },
    });
    expect(m({ name: 'x', age: new Int32(3) })).toBe(true);
    expect(m({ name: 'x', age: new Int32(-1) })).toBe(false);
    expect(m({ name: 'x', age: 'old' })).toBe(false);
    expect(m({ age: new Int32(3) })).toBe(false);
    expect(codeOf(() => compileFilter({ $jsonSchema: 5 }))).toBe(14);
  });
});

describe('parseFilter: errors', () => {
  const cases: [string, Document, number][] = [
    ['unknown field operator', { a: { $foo: 1 } }, 2],
    ['unknown top level operator', { $foo: 1 }, 2],
    ['$not at the top level', { $not: { a: 1 } }, 2],
    ['non-operator key after an operator', { a: { $gt: 1, b: 2 } }, 2],
    ['$in needs an array', { a: { $in: 5 } }, 2],
    ['$nin needs an array', { a: { $nin: 5 } }, 2],
    ['$ in $in', { a: { $in: [{ $gt: 1 }] } }, 2],
    ['$and needs an array', { $and: {} }, 2],
    ['$or needs a nonempty array', { $or: [] }, 2],
    ['$nor entries are objects', { $nor: [1] }, 2],
    ['$regex has to be a string', { a: { $regex: 5 } }, 2],
    ['$options has to be a string', { a: { $regex: 'x', $options: 5 } }, 2],
    ['$options needs a $regex', { a: { $options: 'i' } }, 2],
    ['options in $regex then $options', { a: { $regex: /x/i, $options: 'm' } }, 51075],
    ['options in $options then $regex', { a: { $options: 'm', $regex: /x/i } }, 51074],
    ['invalid regex', { a: { $regex: '(' } }, 51091],
    ['invalid regex option', { a: { $regex: 'x', $options: 'q' } }, 51108],
    ['$elemMatch needs an object', { a: { $elemMatch: 1 } }, 2],
    ['$size needs a number', { a: { $size: 'x' } }, 2],
    ['$size negative', { a: { $size: -1 } }, 2],
    ['$size fractional', { a: { $size: 1.5 } }, 2],
    ['$not needs a regex or document', { a: { $not: 5 } }, 2],
    ['$not cannot be empty', { a: { $not: {} } }, 2],
    ['$ne with a regex', { a: { $ne: /x/ } }, 2],
    ['$gt with a regex', { a: { $gt: /x/ } }, 2],
    ['$all needs an array', { a: { $all: 1 } }, 2],
    ['$ expressions in $all', { a: { $all: [{ $gt: 1 }] } }, 2],
    ['$all/$elemMatch consistency', { a: { $all: [{ $elemMatch: { x: 1 } }, 5] } }, 2],
    ['$alwaysTrue with 2', { $alwaysTrue: 2 }, 9],
  ];
  it.each(cases)('%s', (_name, filter, code) => {
    expect(codeOf(() => parseFilter(filter))).toBe(code);
  });

  it('accepts DBRef-shaped documents as values, not operators', () => {
    expect(matches({ r: { $ref: 'c', $id: 1 } }, { r: { $ref: 'c', $id: 1 } })).toBe(true);
  });

  it('rejects a non-object filter', () => {
    expect(codeOf(() => compileFilter(5 as unknown as Document))).toBe(2);
  });
});

describe('compileFilter: MatchDetails (the matched array offset)', () => {
  function key(filter: Document, doc: Document): string | undefined {
    const details: MatchDetails = {};
    expect(compileFilter(filter)(doc, details)).toBe(true);
    return details.elemMatchKey;
  }

  it('reports the offset of the matching element', () => {
    expect(key({ a: 2 }, { a: [1, 2, 3] })).toBe('1');
    expect(key({ 'a.b': 2 }, { a: [{ b: 1 }, { b: 2 }] })).toBe('1');
    expect(key({ 'a.b': 5 }, { a: [{ b: [4, 5] }] })).toBe('0');
    expect(key({ a: { $elemMatch: { b: 2 } } }, { a: [{ b: 1 }, { b: 2 }] })).toBe('1');
    expect(key({ a: { $gt: 2 } }, { a: [1, 2, 3] })).toBe('2');
  });

  it('reports nothing for scalars, $or and $not', () => {
    expect(key({ a: 2 }, { a: 2 })).toBeUndefined();
    expect(key({ $or: [{ a: 2 }, { b: 1 }] }, { a: [1, 2] })).toBeUndefined();
    expect(key({ $or: [{ a: 2 }] }, { a: [1, 2] })).toBe('1');
    expect(key({ a: { $not: { $gt: 5 } } }, { a: [1, 2] })).toBeUndefined();
    compileFilter({ a: { $elemMatch: { $gt: 1 } } })({ a: [0, 5] }, {});
    expect(key({ a: { $size: 2 } }, { a: [1, 2] })).toBeUndefined();
  });

  it('the last array predicate of an AND wins', () => {
    expect(key({ a: 1, b: 5 }, { a: [0, 1], b: [5] })).toBe('0');
  });
});

describe('filterPaths', () => {
  it('lists predicate paths through logical operators', () => {
    expect(filterPaths({ a: 1, $or: [{ 'b.c': 1 }, { $and: [{ d: 1 }] }], $expr: {} })).toEqual([
      'a',
      'b.c',
      'd',
    ]);
  });
});

describe('compileFilter: collation', () => {
  const caseInsensitive = { collation: { locale: 'en_US', strength: 2 } };
  const baseLetters = { collation: { locale: 'fr', strength: 1 } };

  it('compares strings with the collation for equality, ranges and $in', () => {
    const docs = [{ x: 'PING' }, { x: 'ping' }, { x: 'pong' }, { x: ['Ping'] }];
    expect(which({ x: 'ping' }, docs, caseInsensitive)).toEqual([0, 1, 3]);
    expect(which({ x: { $in: ['PONG', 'zz'] } }, docs, caseInsensitive)).toEqual([2]);
    expect(which({ x: { $ne: 'ping' } }, docs, caseInsensitive)).toEqual([2]);
    expect(which({ x: { $gt: 'PING' } }, docs, caseInsensitive)).toEqual([2]);
    expect(which({ x: 'ping' }, docs)).toEqual([1]);
    expect(which({ x: 'ping' }, docs, { collation: { locale: 'simple' } })).toEqual([1]);
  });

  it('strength 1 also ignores accents; regexes ignore the collation', () => {
    expect(matches({ x: 'cote' }, { x: 'Côté' }, baseLetters)).toBe(true);
    expect(matches({ x: 'cote' }, { x: 'Côté' }, caseInsensitive)).toBe(false);
    expect(matches({ x: /^PING$/ }, { x: 'ping' }, caseInsensitive)).toBe(false);
  });

  it('rejects a collation without a locale', () => {
    expect(codeOf(() => compileFilter({}, { collation: { strength: 2 } }))).toBe(2);
  });
});

describe('exact decimal/double comparison', () => {
  it('a decimal equals a double only when their exact values are equal', () => {
    expect(matches({ a: 0.5 }, { a: Decimal128.fromString('0.500') })).toBe(true);
    expect(matches({ a: 0.1 }, { a: Decimal128.fromString('0.1') })).toBe(false);
    expect(matches({ a: Decimal128.fromString('0.1') }, { a: new Double(0.1) })).toBe(false);
    expect(
      matches({ a: Decimal128.fromString('0.1000000000000000055511151231257827') }, { a: new Double(0.1) }),
    ).toBe(false);
    expect(matches({ a: { $in: [Decimal128.fromString('0.1'), 7] } }, { a: new Double(0.1) })).toBe(false);
    expect(matches({ a: { $in: [Decimal128.fromString('7.0')] } }, { a: new Int32(7) })).toBe(true);
    // The double nearest 0.1 is slightly above it.
    expect(matches({ a: { $gte: 0.1 } }, { a: Decimal128.fromString('0.1') })).toBe(false);
    expect(matches({ a: { $lt: 0.1 } }, { a: Decimal128.fromString('0.1') })).toBe(true);
    expect(matches({ a: { $gt: Decimal128.fromString('0.1') } }, { a: new Double(0.1) })).toBe(true);
  });
});
