import { Decimal128, Double, Long, type Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { bsonTypeOf } from '../values/index.js';
import { parseAccumulatorStatement, startAccumulator, SumState } from './accumulators.js';
import { createCompileContext } from './expressions.js';

/** Runs one accumulator statement over documents, as one $group group would. */
function accumulate(spec: Document, docs: Document[], groupId: unknown = null): unknown {
  const acc = parseAccumulatorStatement('out', spec, createCompileContext([]));
  const state = startAccumulator(acc, groupId, {});
  for (const d of docs) state.process(acc.argument(d, {}));
  return state.value();
}

function sum(values: unknown[]): SumState {
  const s = new SumState();
  for (const v of values) s.add(v);
  return s;
}

const dec = (s: string) => Decimal128.fromString(s);

describe('SumState typing', () => {
  it('keeps ints while they fit, then long, then double', () => {
    expect(sum([1, 2]).value()).toBe(3);
    expect(sum([2147483647, 1]).value()).toEqual(Long.fromNumber(2147483648));
    expect(sum([Long.fromString('9223372036854775807'), 1]).value()).toEqual(new Double(9223372036854775808));
    expect(sum([Long.fromNumber(1), 2]).value()).toEqual(Long.fromNumber(3));
    expect(sum([]).value()).toBe(0);
  });

  it('sums decimals exactly with their scale, and absorbs other numbers', () => {
    expect(String(sum([dec('0.10'), dec('0.20'), dec('0.30')]).value())).toBe('0.60');
    expect(String(sum([dec('1.5'), 2, Long.fromNumber(3)]).value())).toBe('6.5');
    expect(String(sum([dec('-1.25'), dec('1.25')]).value())).toBe('0.00');
    expect(String(sum([dec('1E+2'), dec('1')]).value())).toBe('101');
    const many = Array.from({ length: 1000 }, () => dec('0.01'));
    expect(String(sum(many).value())).toBe('10.00');
    // More than 34 significant digits round to Decimal128's precision instead of failing.
    expect(String(sum([dec('1E+20'), dec('0.00000000000000001')]).value())).toBe(
      '100000000000000000000.0000000000000',
    );
  });

  it('compensates double rounding', () => {
    const tenths = Array.from({ length: 10 }, () => new Double(0.1));
    expect(sum(tenths).value()).toEqual(new Double(1));
  });

  it('ignores non-numeric values', () => {
    expect(sum(['1', null, undefined, true, 2]).value()).toBe(2);
  });

  it('averages to a double, or a decimal with decimals', () => {
    expect(sum([1, 2, 4]).average()).toEqual(new Double(7 / 3));
    expect(String(sum([dec('10.00'), dec('20.00')]).average())).toBe('15.00');
    expect(sum([]).average()).toBeNull();
  });
});

describe('accumulator statements', () => {
  const docs = [{ v: 5, k: 'b' }, { v: 1, k: 'a' }, { k: 'c' }, { v: 3, k: 'a' }];

  it('$min / $max skip null and missing', () => {
    expect(accumulate({ $min: '$v' }, docs)).toBe(1);
    expect(accumulate({ $max: '$v' }, docs)).toBe(5);
    expect(accumulate({ $max: '$nope' }, docs)).toBeNull();
  });

  it('$push and $addToSet skip missing values; $addToSet uses MongoDB equality', () => {
    expect(accumulate({ $push: '$v' }, docs)).toEqual([5, 1, 3]);
    expect(
      accumulate({ $addToSet: '$x' }, [{ x: 1 }, { x: new Double(1) }, { x: Long.fromNumber(2) }]),
    ).toEqual([1, Long.fromNumber(2)]);
  });

  it('$top / $bottom / $topN order by sortBy and keep the earlier document on ties', () => {
    expect(accumulate({ $top: { sortBy: { v: 1 }, output: '$k' } }, docs)).toBe('c');
    expect(accumulate({ $bottom: { sortBy: { v: 1 }, output: '$k' } }, docs)).toBe('b');
    expect(accumulate({ $topN: { n: 2, sortBy: { k: 1 }, output: '$v' } }, docs)).toEqual([1, 3]);
    expect(accumulate({ $bottomN: { n: 3, sortBy: { v: 1 }, output: ['$k', '$v'] } }, docs)).toEqual([
      ['a', 1],
      ['a', 3],
      ['b', 5],
    ]);
  });

  it('the n of the N-accumulators may depend on the group key', () => {
    expect(accumulate({ $firstN: { n: '$_id', input: '$v' } }, docs, 2)).toEqual([5, 1]);
    expect(accumulate({ $lastN: { n: 2, input: '$v' } }, docs)).toEqual([null, 3]);
    expect(accumulate({ $minN: { n: 2, input: '$v' } }, docs)).toEqual([1, 3]);
  });

  it('$stdDevSamp needs two values; $median and $percentile', () => {
    expect(accumulate({ $stdDevSamp: '$v' }, [{ v: 1 }])).toBeNull();
    expect((accumulate({ $stdDevSamp: '$v' }, [{ v: 1 }, { v: 3 }]) as Double).value).toBeCloseTo(Math.SQRT2);
    expect(accumulate({ $median: { input: '$v', method: 'approximate' } }, docs)).toEqual(new Double(3));
    expect(accumulate({ $percentile: { input: '$v', p: [0, 1], method: 'approximate' } }, docs)).toEqual([
      new Double(1),
      new Double(5),
    ]);
  });

  it('$mergeObjects rejects non-documents (40400)', () => {
    expect(() => accumulate({ $mergeObjects: '$v' }, docs)).toThrow(MongoCommandError);
    expect(bsonTypeOf(accumulate({ $mergeObjects: '$o' }, [{ o: { a: 1 } }]))).toBe('object');
  });

  it('rejects malformed statements with mongod codes', () => {
    const code = (spec: unknown) => {
      try {
        parseAccumulatorStatement('f', spec, createCompileContext([]));
      } catch (e) {
        return (e as MongoCommandError).code;
      }
      return undefined;
    };
    expect(code({ $sum: 1, $avg: 1 })).toBe(40238);
    expect(code({ $nope: 1 })).toBe(15952);
    expect(code('x')).toBe(40234);
    expect(code({ $topN: { sortBy: { a: 1 }, output: '$a' } })).toBe(5788003);
    expect(code({ $count: { x: 1 } })).toBe(40181);
    expect(code({ $accumulator: {} })).toBe(238);
  });
});
