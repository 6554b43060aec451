import { Decimal128, Double, Int32, Long, ObjectId, Timestamp, type Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { bsonTypeOf } from '../values/index.js';
import { compileExpression, evaluateExpression } from './expressions.js';

/** Evaluates `expr` against `doc`. */
function ev(expr: unknown, doc: Document = {}, vars: Record<string, unknown> = {}): unknown {
  return compileExpression(expr)(doc, vars);
}

/** The BSON type and text of a value, to assert exact numeric types. */
function typed(v: unknown): [string, string] {
  const t = bsonTypeOf(v);
  if (t === 'decimal' || t === 'long') return [t, String(v)];
  if (t === 'double') return [t, String(typeof v === 'number' ? v : (v as Double).value)];
  return [t, String(v)];
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof MongoCommandError) return e.code;
    throw e;
  }
  return undefined;
}

const dec = (s: string) => Decimal128.fromString(s);

describe('field paths and variables', () => {
  it('reads nested fields and maps paths over arrays of documents', () => {
    const doc = { a: { b: 1 }, arr: [{ x: 1 }, { y: 2 }, 5, { x: [3] }] };
    expect(ev('$a.b', doc)).toBe(1);
    expect(ev('$arr.x', doc)).toEqual([1, [3]]);
    expect(ev('$nope', doc)).toBeUndefined();
    expect(ev('$arr.0', doc)).toEqual([]);
  });

  it('resolves $$ROOT, $$CURRENT, $$REMOVE and user variables', () => {
    const doc = { a: 1 };
    expect(ev('$$ROOT', doc)).toBe(doc);
    expect(ev('$$CURRENT.a', doc)).toBe(1);
    expect(ev({ x: '$$REMOVE', y: 1 }, doc)).toEqual({ y: 1 });
    expect(ev('$$v.k', doc, { v: { k: 'val' } })).toBe('val');
    expect(ev('$$NOW', doc, { NOW: new Date(5) })).toEqual(new Date(5));
  });

  it('rejects undefined variables at parse time when the scope is known (17276)', () => {
    expect(codeOf(() => compileExpression('$$nope', { variables: ['x'] }))).toBe(17276);
    expect(codeOf(() => compileExpression('$$x', { variables: ['x'] }))).toBeUndefined();
    expect(codeOf(() => ev('$$nope'))).toBe(17276);
  });

  it('treats $literal values as constants', () => {
    expect(ev({ $literal: '$notAPath' })).toBe('$notAPath');
    expect(ev({ $literal: { $add: [1] } })).toEqual({ $add: [1] });
  });

  it('turns missing array elements into null and drops missing object fields', () => {
    expect(ev(['$a', '$missing'], { a: 1 })).toEqual([1, null]);
    expect(ev({ k: '$missing', j: '$a' }, { a: 2 })).toEqual({ j: 2 });
  });

  it('reports unknown operators (168) and malformed operator objects (15983)', () => {
    expect(codeOf(() => compileExpression({ $foo: 1 }))).toBe(168);
    expect(codeOf(() => compileExpression({ $add: [1], $sum: [1] }))).toBe(15983);
    expect(codeOf(() => compileExpression({ a: 1, $b: 2 }))).toBe(16410);
  });

  it('evaluateExpression caches per expression object', () => {
    const expr = { $add: ['$a', 1] };
    expect(evaluateExpression(expr, { a: 1 })).toBe(2);
    expect(evaluateExpression(expr, { a: 41 })).toBe(42);
  });
});

describe('arithmetic', () => {
  it('$add keeps the widest type and widens int overflow to long', () => {
    expect(typed(ev({ $add: [1, new Int32(2)] }))).toEqual(['int', '3']);
    expect(typed(ev({ $add: [2147483647, 1] }))).toEqual(['long', '2147483648']);
    expect(typed(ev({ $add: [1, Long.fromNumber(2)] }))).toEqual(['long', '3']);
    expect(typed(ev({ $add: [1, new Double(2)] }))).toEqual(['double', '3']);
    expect(typed(ev({ $add: [dec('0.10'), dec('0.20')] }))).toEqual(['decimal', '0.30']);
  });

  it('$add with a date adds milliseconds; two dates fail (16612)', () => {
    expect(ev({ $add: [new Date(1000), 500] })).toEqual(new Date(1500));
    expect(codeOf(() => ev({ $add: [new Date(0), new Date(1)] }))).toBe(16612);
  });

  it('$add propagates null and rejects strings with TypeMismatch', () => {
    expect(ev({ $add: [1, null] })).toBeNull();
    expect(ev({ $add: [1, '$missing'] })).toBeNull();
    expect(codeOf(() => ev({ $add: [1, 'x'] }))).toBe(14);
  });

  it('$subtract handles numbers and dates', () => {
    expect(typed(ev({ $subtract: [5, 3] }))).toEqual(['int', '2']);
    expect(typed(ev({ $subtract: [new Date(5000), new Date(2000)] }))).toEqual(['long', '3000']);
    expect(ev({ $subtract: [new Date(5000), 1000] })).toEqual(new Date(4000));
    expect(codeOf(() => ev({ $subtract: [1, new Date(0)] }))).toBe(14);
  });

  it('$multiply and $divide', () => {
    expect(typed(ev({ $multiply: [3, 4] }))).toEqual(['int', '12']);
    expect(typed(ev({ $multiply: [dec('1.10'), 2] }))).toEqual(['decimal', '2.20']);
    expect(typed(ev({ $divide: [7, 2] }))).toEqual(['double', '3.5']);
    expect(typed(ev({ $divide: [dec('10'), 4] }))).toEqual(['decimal', '2.5']);
    expect(codeOf(() => ev({ $divide: [1, '$zero'] }, { zero: 0 }))).toBe(2);
    expect(codeOf(() => compileExpression({ $divide: [1, 0] }))).toBe(2);
  });

  it('$mod, $abs, $ceil, $floor, $sqrt, $pow', () => {
    expect(ev({ $mod: [7, 3] })).toBe(1);
    expect(ev({ $mod: [-7, 3] })).toBe(-1);
    expect(codeOf(() => ev({ $mod: [7, '$z'] }, { z: 0 }))).toBe(16610);
    expect(ev({ $abs: -5 })).toBe(5);
    expect(typed(ev({ $abs: -2147483648 }))).toEqual(['long', '2147483648']);
    expect(typed(ev({ $ceil: new Double(1.2) }))).toEqual(['double', '2']);
    expect(typed(ev({ $floor: dec('-1.5') }))).toEqual(['decimal', '-2']);
    expect(typed(ev({ $sqrt: 16 }))).toEqual(['double', '4']);
    expect(codeOf(() => ev({ $sqrt: '$v' }, { v: -1 }))).toBe(28714);
    expect(typed(ev({ $pow: [2, 10] }))).toEqual(['int', '1024']);
    expect(typed(ev({ $pow: [2, 40] }))).toEqual(['long', '1099511627776']);
    expect(codeOf(() => ev({ $abs: 'x' }))).toBe(28765);
  });

  it('$round and $trunc', () => {
    expect(typed(ev({ $round: [new Double(2.5), 0] }))).toEqual(['double', '2']);
    expect(typed(ev({ $round: [new Double(1.2345), 2] }))).toEqual(['double', '1.23']);
    expect(typed(ev({ $round: [dec('1.255'), 2] }))).toEqual(['decimal', '1.26']);
    expect(typed(ev({ $round: [1234, -2] }))).toEqual(['int', '1200']);
    expect(typed(ev({ $trunc: [new Double(-1.99), 1] }))).toEqual(['double', '-1.9']);
    expect(codeOf(() => ev({ $round: [1, 101] }))).toBe(51083);
  });

  it('$log family validates arguments', () => {
    expect(typed(ev({ $log10: 1000 }))).toEqual(['double', '3']);
    expect(codeOf(() => ev({ $ln: '$v' }, { v: 0 }))).toBe(28766);
    expect(codeOf(() => ev({ $log: [8, '$b'] }, { b: 1 }))).toBe(28759);
  });
});

describe('comparison, boolean, conditional', () => {
  it('compares across numeric types and types', () => {
    expect(ev({ $eq: [1, new Double(1)] })).toBe(true);
    expect(ev({ $eq: [Long.fromNumber(1), dec('1.0')] })).toBe(true);
    expect(ev({ $gt: ['a', 1] })).toBe(true);
    expect(ev({ $lt: [null, 0] })).toBe(true);
    expect(ev({ $cmp: [2, 1] })).toBe(1);
    expect(codeOf(() => compileExpression({ $eq: [1] }))).toBe(16020);
  });

  it('$and / $or / $not use MongoDB truthiness', () => {
    expect(ev({ $and: [1, 'x', []] })).toBe(true);
    expect(ev({ $and: [1, 0] })).toBe(false);
    expect(ev({ $or: [null, '$missing', false] })).toBe(false);
    expect(ev({ $not: [0] })).toBe(true);
  });

  it('$cond, $ifNull, $switch', () => {
    expect(ev({ $cond: [{ $gt: ['$a', 1] }, 'big', 'small'] }, { a: 2 })).toBe('big');
    expect(ev({ $cond: { if: false, then: 1, else: 2 } })).toBe(2);
    expect(codeOf(() => compileExpression({ $cond: { if: 1, then: 2 } }))).toBe(17082);
    expect(ev({ $ifNull: ['$a', '$b', 'd'] }, { b: 3 })).toBe(3);
    expect(ev({ $ifNull: ['$a', '$b'] }, {})).toBeUndefined();
    expect(
      ev({ $switch: { branches: [{ case: { $eq: ['$a', 1] }, then: 'one' }], default: 'other' } }, { a: 2 }),
    ).toBe('other');
    expect(codeOf(() => ev({ $switch: { branches: [{ case: '$a', then: 1 }] } }, {}))).toBe(40066);
  });
});

describe('strings', () => {
  it('concatenates, slices bytes and code points', () => {
    expect(ev({ $concat: ['a', '$b', 'c'] }, { b: 'B' })).toBe('aBc');
    expect(ev({ $concat: ['a', '$missing'] })).toBeNull();
    expect(codeOf(() => ev({ $concat: ['a', 1] }))).toBe(16702);
    expect(ev({ $substrBytes: ['héllo', 0, 3] })).toBe('hé');
    expect(codeOf(() => ev({ $substrBytes: ['héllo', 0, 2] }))).toBe(28657);
    expect(ev({ $substrCP: ['héllo', 1, 3] })).toBe('éll');
    expect(ev({ $substr: [12345, 1, 2] })).toBe('23');
  });

  it('changes ASCII case only and compares case-insensitively', () => {
    expect(ev({ $toUpper: 'abcé' })).toBe('ABCé');
    expect(ev({ $toLower: null })).toBe('');
    expect(ev({ $strcasecmp: ['ABC', 'abc'] })).toBe(0);
    expect(ev({ $strcasecmp: ['a', 'B'] })).toBe(-1);
  });

  it('measures, splits, trims, finds and replaces', () => {
    expect(ev({ $strLenBytes: 'é' })).toBe(2);
    expect(ev({ $strLenCP: 'é😀' })).toBe(2);
    expect(codeOf(() => ev({ $strLenCP: null }))).toBe(34471);
    expect(ev({ $split: ['a,b,,c', ','] })).toEqual(['a', 'b', '', 'c']);
    expect(ev({ $trim: { input: '  x y \n' } })).toBe('x y');
    expect(ev({ $ltrim: { input: 'xxaxx', chars: 'x' } })).toBe('axx');
    expect(ev({ $indexOfBytes: ['héllo', 'l'] })).toBe(3);
    expect(ev({ $indexOfCP: ['héllo', 'l'] })).toBe(2);
    expect(ev({ $indexOfCP: ['abc', 'z'] })).toBe(-1);
    expect(ev({ $replaceOne: { input: 'aaa', find: 'a', replacement: 'b' } })).toBe('baa');
    expect(ev({ $replaceAll: { input: 'aaa', find: 'a', replacement: 'b' } })).toBe('bbb');
  });

  it('regular expressions report matches with code point indexes and captures', () => {
    expect(ev({ $regexMatch: { input: 'Hello', regex: '^h', options: 'i' } })).toBe(true);
    expect(ev({ $regexFind: { input: 'é-abc', regex: '(b)(x)?' } })).toEqual({
      match: 'b',
      idx: 3,
      captures: ['b', null],
    });
    expect(ev({ $regexFindAll: { input: 'a1b22', regex: '\\d+' } })).toEqual([
      { match: '1', idx: 1, captures: [] },
      { match: '22', idx: 3, captures: [] },
    ]);
    expect(ev({ $regexFind: { input: null, regex: 'a' } })).toBeNull();
    expect(codeOf(() => ev({ $regexMatch: { input: 1, regex: 'a' } }))).toBe(51104);
  });
});

describe('arrays and sets', () => {
  it('element access, concatenation, slices and ranges', () => {
    expect(ev({ $arrayElemAt: [[1, 2, 3], -1] })).toBe(3);
    expect(ev({ $arrayElemAt: [[1, 2, 3], 5] })).toBeUndefined();
    expect(codeOf(() => ev({ $arrayElemAt: ['x', 0] }))).toBe(28689);
    expect(ev({ $first: [[7, 8]] })).toBe(7);
    expect(ev({ $last: '$a' }, { a: [7, 8] })).toBe(8);
    expect(ev({ $concatArrays: [[1], [2, 3]] })).toEqual([1, 2, 3]);
    expect(ev({ $slice: [[1, 2, 3, 4], -2] })).toEqual([3, 4]);
    expect(ev({ $slice: [[1, 2, 3, 4], 1, 2] })).toEqual([2, 3]);
    expect(ev({ $range: [0, 10, 3] })).toEqual([0, 3, 6, 9]);
    expect(ev({ $reverseArray: [[1, 2]] })).toEqual([2, 1]);
    expect(ev({ $size: [[1, 2]] })).toBe(2);
    expect(codeOf(() => ev({ $size: '$missing' }))).toBe(17124);
  });

  it('$map, $filter and $reduce bind their variables', () => {
    expect(ev({ $map: { input: '$a', as: 'x', in: { $multiply: ['$$x', 2] } } }, { a: [1, 2] })).toEqual([
      2, 4,
    ]);
    expect(ev({ $map: { input: '$a', in: '$$this.k' } }, { a: [{ k: 1 }, {}] })).toEqual([1, null]);
    expect(ev({ $filter: { input: [1, 2, 3, 4], cond: { $gt: ['$$this', 2] } } })).toEqual([3, 4]);
    expect(ev({ $filter: { input: [1, 2, 3, 4], as: 'n', cond: true, limit: 2 } })).toEqual([1, 2]);
    expect(ev({ $reduce: { input: [1, 2, 3], initialValue: 0, in: { $add: ['$$value', '$$this'] } } })).toBe(
      6,
    );
    expect(
      codeOf(() => compileExpression({ $map: { input: [], as: 'x', in: '$$y' } }, { variables: [] })),
    ).toBe(17276);
  });

  it('$in, $indexOfArray, $zip, $arrayToObject, $objectToArray, $sortArray', () => {
    expect(ev({ $in: [2, [1, new Double(2)]] })).toBe(true);
    expect(codeOf(() => ev({ $in: [1, 'x'] }))).toBe(40081);
    expect(ev({ $indexOfArray: [[1, 2, 1], 1, 1] })).toBe(2);
    expect(ev({ $zip: { inputs: [[1, 2], ['a']], useLongestLength: true, defaults: [0, 'z'] } })).toEqual([
      [1, 'a'],
      [2, 'z'],
    ]);
    expect(
      ev({
        $arrayToObject: [
          [
            ['a', 1],
            ['b', 2],
          ],
        ],
      }),
    ).toEqual({ a: 1, b: 2 });
    expect(ev({ $arrayToObject: [[{ k: 'a', v: 1 }]] })).toEqual({ a: 1 });
    expect(ev({ $objectToArray: { a: 1 } })).toEqual([{ k: 'a', v: 1 }]);
    expect(ev({ $sortArray: { input: [3, 1, 2], sortBy: -1 } })).toEqual([3, 2, 1]);
    expect(ev({ $sortArray: { input: [{ a: 2 }, { a: 1 }], sortBy: { a: 1 } } })).toEqual([
      { a: 1 },
      { a: 2 },
    ]);
  });

  it('set operators use MongoDB equality and return ordered sets', () => {
    expect(
      ev({
        $setUnion: [
          [3, 1],
          [1, new Double(2)],
        ],
      }),
    ).toEqual([1, new Double(2), 3]);
    expect(
      ev({
        $setIntersection: [
          [1, 2, 3],
          [3, 1],
        ],
      }),
    ).toEqual([1, 3]);
    expect(ev({ $setDifference: [[1, 2, 2, 3], [3]] })).toEqual([1, 2]);
    expect(
      ev({
        $setEquals: [
          [1, 2],
          [2, 1, 1],
        ],
      }),
    ).toBe(true);
    expect(ev({ $setIsSubset: [[1], [1, 2]] })).toBe(true);
    expect(ev({ $anyElementTrue: [[0, null, 1]] })).toBe(true);
    expect(ev({ $allElementsTrue: [[1, []]] })).toBe(true);
  });

  it('accumulator expressions over arrays', () => {
    expect(ev({ $sum: '$a' }, { a: [1, 2, 'x'] })).toBe(3);
    expect(ev({ $sum: [1, 2] })).toBe(3);
    expect(typed(ev({ $avg: [1, 2] }))).toEqual(['double', '1.5']);
    expect(ev({ $max: [[1, 5, null]] })).toBe(5);
    expect(ev({ $min: [] })).toBeNull();
    expect(ev({ $maxN: { n: 2, input: [1, 5, 3, null] } })).toEqual([5, 3]);
    expect(ev({ $firstN: { n: 2, input: [1, 5, 3] } })).toEqual([1, 5]);
    expect(ev({ $lastN: { n: 2, input: [1, 5, 3] } })).toEqual([5, 3]);
    expect(codeOf(() => ev({ $minN: { n: 0, input: [1] } }))).toBe(5787908);
  });
});

describe('types and conversion', () => {
  it('$type names', () => {
    expect(ev({ $type: '$a' }, { a: 1 })).toBe('int');
    expect(ev({ $type: '$a' }, { a: new Double(1) })).toBe('double');
    expect(ev({ $type: '$a' }, {})).toBe('missing');
    expect(ev({ $type: '$a' }, { a: Long.fromNumber(1) })).toBe('long');
    expect(ev({ $isNumber: ['x'] })).toBe(false);
  });

  it('$convert and its shorthands', () => {
    expect(ev({ $toInt: '42' })).toBe(42);
    expect(typed(ev({ $toLong: '42' }))).toEqual(['long', '42']);
    expect(typed(ev({ $toDouble: '2.5' }))).toEqual(['double', '2.5']);
    expect(typed(ev({ $toDecimal: '1.10' }))).toEqual(['decimal', '1.10']);
    expect(ev({ $toString: new Double(2.5) })).toBe('2.5');
    expect(ev({ $toString: new Double(0.1) })).toBe('0.1');
    expect(ev({ $toString: new Double(1 / 3) })).toBe('0.3333333333333333');
    expect(ev({ $toString: new Double(1e6) })).toBe('1000000');
    expect(ev({ $toString: new Double(1e16) })).toBe('1e+16');
    expect(ev({ $toString: new Double(-1.5e-7) })).toBe('-1.5e-07');
    expect(ev({ $toString: new Double(0.0001) })).toBe('0.0001');
    expect(ev({ $toString: new Double(12.0) })).toBe('12');
    expect(ev({ $toString: new Date(Date.UTC(2018, 2, 27, 16, 58, 51, 538)) })).toBe(
      '2018-03-27T16:58:51.538Z',
    );
    expect(ev({ $toBool: 0 })).toBe(false);
    expect(ev({ $toBool: '' })).toBe(true);
    expect(ev({ $toDate: Long.fromNumber(1000) })).toEqual(new Date(1000));
    expect(ev({ $toInt: null })).toBeNull();
    const oid = new ObjectId();
    expect(ev({ $toObjectId: oid.toHexString() })).toEqual(oid);
    expect(codeOf(() => ev({ $toInt: 'abc' }))).toBe(241);
    expect(ev({ $convert: { input: 'abc', to: 'int', onError: -1 } })).toBe(-1);
    expect(ev({ $convert: { input: null, to: 'int', onNull: 0 } })).toBe(0);
    expect(codeOf(() => ev({ $convert: { input: 1, to: 'date' } }))).toBe(241);
    expect(codeOf(() => ev({ $convert: { input: 1 } }))).toBe(9);
  });
});

describe('dates (UTC and zones)', () => {
  const d = new Date(Date.UTC(2014, 0, 1, 8, 15, 39, 736));

  it('extracts date parts in UTC', () => {
    const doc = { d };
    expect(ev({ $year: '$d' }, doc)).toBe(2014);
    expect(ev({ $month: '$d' }, doc)).toBe(1);
    expect(ev({ $dayOfMonth: '$d' }, doc)).toBe(1);
    expect(ev({ $hour: '$d' }, doc)).toBe(8);
    expect(ev({ $minute: '$d' }, doc)).toBe(15);
    expect(ev({ $second: '$d' }, doc)).toBe(39);
    expect(ev({ $millisecond: '$d' }, doc)).toBe(736);
    expect(ev({ $dayOfYear: '$d' }, doc)).toBe(1);
    expect(ev({ $dayOfWeek: '$d' }, doc)).toBe(4);
    expect(ev({ $week: '$d' }, doc)).toBe(0);
    expect(ev({ $isoWeek: '$d' }, doc)).toBe(1);
    expect(ev({ $isoDayOfWeek: '$d' }, doc)).toBe(3);
    expect(typed(ev({ $isoWeekYear: '$d' }, doc))).toEqual(['long', '2014']);
    expect(ev({ $year: '$missing' }, doc)).toBeNull();
    expect(codeOf(() => ev({ $year: 'x' }))).toBe(16006);
  });

  it('applies timezones given as offsets or Olson names', () => {
    const doc = { d };
    expect(ev({ $hour: { date: '$d', timezone: '+05:30' } }, doc)).toBe(13);
    expect(ev({ $hour: { date: '$d', timezone: 'America/New_York' } }, doc)).toBe(3);
    expect(ev({ $dayOfMonth: { date: '$d', timezone: '-0900' } }, doc)).toBe(31);
    expect(codeOf(() => ev({ $hour: { date: '$d', timezone: 'Mars/Base' } }, doc))).toBe(40485);
  });

  it('$dateToString formats every specifier', () => {
    const doc = { d };
    expect(ev({ $dateToString: { date: '$d' } }, doc)).toBe('2014-01-01T08:15:39.736Z');
    expect(ev({ $dateToString: { format: '%Y-%m-%d %H:%M:%S.%L', date: '$d' } }, doc)).toBe(
      '2014-01-01 08:15:39.736',
    );
    expect(ev({ $dateToString: { format: '%j %w %u %U %V %G %%', date: '$d' } }, doc)).toBe(
      '001 4 3 00 01 2014 %',
    );
    expect(ev({ $dateToString: { format: '%H:%M %z %Z', date: '$d', timezone: '+04:30' } }, doc)).toBe(
      '12:45 +0430 +270',
    );
    expect(ev({ $dateToString: { format: '%Y', date: '$missing', onNull: 'none' } }, doc)).toBe('none');
    expect(codeOf(() => compileExpression({ $dateToString: { format: '%Q', date: new Date() } }))).toBe(
      18536,
    );
    expect(codeOf(() => compileExpression({ $dateToString: { format: '%', date: new Date() } }))).toBe(18535);
  });

  it('$dateFromString, $dateFromParts and $dateToParts', () => {
    expect(ev({ $dateFromString: { dateString: '2017-02-08T12:10:40.787Z' } })).toEqual(
      new Date(Date.UTC(2017, 1, 8, 12, 10, 40, 787)),
    );
    expect(ev({ $dateFromString: { dateString: '2017-02-08', timezone: '+01:00' } })).toEqual(
      new Date(Date.UTC(2017, 1, 7, 23, 0, 0)),
    );
    expect(ev({ $dateFromString: { dateString: '15-06-2018', format: '%d-%m-%Y' } })).toEqual(
      new Date(Date.UTC(2018, 5, 15)),
    );
    expect(ev({ $dateFromString: { dateString: 'garbage', onError: 'bad' } })).toBe('bad');
    expect(codeOf(() => ev({ $dateFromString: { dateString: 'garbage' } }))).toBe(241);
    expect(ev({ $dateFromParts: { year: 2017, month: 14, day: 1 } })).toEqual(new Date(Date.UTC(2018, 1, 1)));
    expect(ev({ $dateFromParts: { isoWeekYear: 2017, isoWeek: 1, isoDayOfWeek: 1 } })).toEqual(
      new Date(Date.UTC(2017, 0, 2)),
    );
    expect(ev({ $dateToParts: { date: d } })).toEqual({
      year: 2014,
      month: 1,
      day: 1,
      hour: 8,
      minute: 15,
      second: 39,
      millisecond: 736,
    });
  });

  it('$dateAdd, $dateSubtract, $dateDiff and $dateTrunc', () => {
    const jan31 = new Date(Date.UTC(2021, 0, 31, 12));
    expect(ev({ $dateAdd: { startDate: jan31, unit: 'month', amount: 1 } })).toEqual(
      new Date(Date.UTC(2021, 1, 28, 12)),
    );
    expect(ev({ $dateSubtract: { startDate: jan31, unit: 'day', amount: 31 } })).toEqual(
      new Date(Date.UTC(2020, 11, 31, 12)),
    );
    expect(
      typed(ev({ $dateDiff: { startDate: new Date(Date.UTC(2020, 11, 31)), endDate: jan31, unit: 'year' } })),
    ).toEqual(['long', '1']);
    expect(
      typed(
        ev({ $dateDiff: { startDate: new Date(Date.UTC(2021, 0, 1, 23)), endDate: jan31, unit: 'day' } }),
      ),
    ).toEqual(['long', '30']);
    expect(ev({ $dateTrunc: { date: jan31, unit: 'month' } })).toEqual(new Date(Date.UTC(2021, 0, 1)));
    expect(ev({ $dateTrunc: { date: jan31, unit: 'hour', binSize: 6 } })).toEqual(
      new Date(Date.UTC(2021, 0, 31, 12)),
    );
    expect(ev({ $dateTrunc: { date: jan31, unit: 'week' } })).toEqual(new Date(Date.UTC(2021, 0, 31)));
  });

  it('coerces timestamps and ObjectIds to dates', () => {
    expect(ev({ $year: new Timestamp({ t: 1500000000, i: 1 }) })).toBe(2017);
    const oid = ObjectId.createFromTime(1500000000);
    expect(ev({ $year: [oid] })).toBe(2017);
  });
});

describe('objects and misc', () => {
  it('$mergeObjects, $getField, $setField, $unsetField', () => {
    expect(ev({ $mergeObjects: [{ a: 1, b: 1 }, null, { b: 2 }] })).toEqual({ a: 1, b: 2 });
    expect(codeOf(() => ev({ $mergeObjects: [1] }))).toBe(40400);
    expect(ev({ $getField: 'a.b' }, { 'a.b': 5 })).toBe(5);
    expect(ev({ $getField: { field: 'x', input: { x: 1 } } })).toBe(1);
    expect(codeOf(() => compileExpression({ $getField: '$a' }))).toBe(5654600);
    expect(ev({ $setField: { field: 'a.b', input: { x: 1 }, value: 2 } })).toEqual({ x: 1, 'a.b': 2 });
    expect(ev({ $unsetField: { field: 'x', input: { x: 1, y: 2 } } })).toEqual({ y: 2 });
  });

  it('$let scopes variables; $rand is a double in [0, 1)', () => {
    expect(ev({ $let: { vars: { t: { $add: [1, 2] } }, in: { $multiply: ['$$t', 2] } } })).toBe(6);
    expect(codeOf(() => compileExpression({ $let: { vars: { Bad: 1 }, in: 1 } }))).toBe(16867);
    const r = ev({ $rand: {} });
    expect(bsonTypeOf(r)).toBe('double');
    expect((r as Double).value).toBeGreaterThanOrEqual(0);
    expect(codeOf(() => compileExpression({ $toHashedIndexKey: '$a' }))).toBe(238);
  });
});
