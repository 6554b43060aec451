import { Decimal128, Double, Int32, Long, Timestamp } from 'bson';
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

describe('$inc', () => {
  it('adds exactly in Decimal128 (money stays exact)', () => {
    const r = applyUpdate(doc({ price: Decimal128.fromString('0.10') }), {
      $inc: { price: Decimal128.fromString('0.20') },
    });
    expect(r.doc.price).toBeInstanceOf(Decimal128);
    expect(String(r.doc.price)).toBe('0.30');
  });

  it('widens int32 overflow to a long', () => {
    const r = applyUpdate(doc({ n: new Int32(2147483647) }), { $inc: { n: 1 } });
    expect(r.doc.n).toBeInstanceOf(Long);
    expect(String(r.doc.n)).toBe('2147483648');
  });

  it('fails on int64 overflow (BadValue) instead of losing precision', () => {
    expect(() => applyUpdate(doc({ n: Long.MAX_VALUE }), { $inc: { n: 1 } })).toThrow(
      'Failed to apply $inc operations to current value ((NumberLong)9223372036854775807) for document {_id: 1}',
    );
    expect(codeOf(() => applyUpdate(doc({ n: 42 }), { $inc: { n: Long.MAX_VALUE } }))).toBe(2);
  });

  it('promotes to the wider type: int + long = long, int + double = double', () => {
    expect(applyUpdate(doc({ n: 1 }), { $inc: { n: Long.fromNumber(2) } }).doc.n).toEqual(Long.fromNumber(3));
    const d = applyUpdate(doc({ n: 1 }), { $inc: { n: new Double(0.5) } }).doc.n;
    expect(d).toBeInstanceOf(Double);
    expect((d as Double).value).toBe(1.5);
    expect(String(applyUpdate(doc({ n: 1 }), { $inc: { n: Decimal128.fromString('1.5') } }).doc.n)).toBe(
      '2.5',
    );
  });

  it('sets a missing field to the increment, keeping its type', () => {
    expect(applyUpdate(doc({}), { $inc: { n: Long.fromNumber(5) } }).doc.n).toEqual(Long.fromNumber(5));
    expect(applyUpdate(doc({}), { $inc: { 'a.b': -1 } }).doc).toEqual(doc({ a: { b: -1 } }));
  });

  it('rejects a non-numeric argument and a non-numeric field (TypeMismatch)', () => {
    expect(codeOf(() => applyUpdate(doc({}), { $inc: { n: 'x' } }))).toBe(14);
    expect(() => applyUpdate(doc({ n: 'x' }), { $inc: { n: 1 } })).toThrow(
      "Cannot apply $inc to a value of non-numeric type. {_id: 1} has the field 'n' of non-numeric type string",
    );
    expect(codeOf(() => applyUpdate(doc({ n: null }), { $inc: { n: 1 } }))).toBe(14);
  });
});

describe('$mul', () => {
  it('multiplies with type promotion and exact decimals', () => {
    expect(applyUpdate(doc({ n: 3 }), { $mul: { n: 4 } }).doc.n).toBe(12);
    expect(String(applyUpdate(doc({ n: Decimal128.fromString('1.10') }), { $mul: { n: 3 } }).doc.n)).toBe(
      '3.30',
    );
    expect(applyUpdate(doc({ n: new Int32(65536) }), { $mul: { n: 65536 } }).doc.n).toEqual(
      Long.fromNumber(4294967296),
    );
  });

  it('sets a missing field to zero of the argument type', () => {
    expect(applyUpdate(doc({}), { $mul: { n: 5 } }).doc.n).toBe(0);
    expect(applyUpdate(doc({}), { $mul: { n: Long.fromNumber(5) } }).doc.n).toEqual(Long.fromNumber(0));
    const d = applyUpdate(doc({}), { $mul: { n: new Double(2.5) } }).doc.n;
    expect(d).toBeInstanceOf(Double);
    expect(String(applyUpdate(doc({}), { $mul: { n: Decimal128.fromString('2.5') } }).doc.n)).toBe('0.0');
  });

  it('rejects non-numeric arguments and fields', () => {
    expect(codeOf(() => applyUpdate(doc({}), { $mul: { n: true } }))).toBe(14);
    expect(codeOf(() => applyUpdate(doc({ n: [1] }), { $mul: { n: 2 } }))).toBe(14);
    expect(codeOf(() => applyUpdate(doc({ n: Long.MAX_VALUE }), { $mul: { n: 2 } }))).toBe(2);
  });
});

describe('$min / $max', () => {
  it('replace only when the argument is smaller / larger in BSON order', () => {
    expect(applyUpdate(doc({ a: 5 }), { $min: { a: 3 } }).doc.a).toBe(3);
    expect(applyUpdate(doc({ a: 5 }), { $max: { a: 3 } }).modified).toBe(false);
    expect(applyUpdate(doc({ a: 5 }), { $max: { a: 'x' } }).doc.a).toBe('x');
    expect(applyUpdate(doc({ a: null }), { $min: { a: 0 } }).modified).toBe(false);
    const d1 = new Date(1000);
    const d2 = new Date(2000);
    expect(applyUpdate(doc({ a: d1 }), { $max: { a: d2 } }).doc.a).toBe(d2);
  });

  it('set a missing field', () => {
    expect(applyUpdate(doc({}), { $min: { a: 1 }, $max: { b: 2 } }).doc).toEqual(doc({ a: 1, b: 2 }));
  });
});

describe('$unset', () => {
  it('removes fields and ignores its argument', () => {
    const r = applyUpdate(doc({ a: 1, b: { c: 1, d: 2 } }), { $unset: { a: 0, 'b.c': '' } });
    expect(r.doc).toEqual(doc({ b: { d: 2 } }));
  });

  it('sets an array element to null rather than removing it', () => {
    expect(applyUpdate(doc({ a: [1, 2, 3] }), { $unset: { 'a.1': 1 } }).doc.a).toEqual([1, null, 3]);
    expect(applyUpdate(doc({ a: [1, 2] }), { $unset: { 'a.5': 1 } }).modified).toBe(false);
  });
});

describe('$setOnInsert', () => {
  it('applies only when the update produces an upsert insert', () => {
    expect(applyUpdate({}, { $setOnInsert: { a: 1 }, $set: { b: 1 } }, { isUpsertInsert: true }).doc).toEqual(
      { a: 1, b: 1 },
    );
    expect(applyUpdate(doc({}), { $setOnInsert: { a: 1 }, $set: { b: 1 } }).doc).toEqual(doc({ b: 1 }));
  });

  it('still conflicts with other modifiers on the same path', () => {
    expect(codeOf(() => applyUpdate(doc({}), { $setOnInsert: { a: 1 }, $set: { a: 1 } }))).toBe(40);
  });
});

describe('$currentDate', () => {
  const now = new Date('2024-05-06T07:08:09.123Z');

  it('sets a Date by default or with $type date, and a Timestamp with $type timestamp', () => {
    const ts = new Timestamp({ t: 5, i: 6 });
    const r = applyUpdate(
      doc({}),
      { $currentDate: { a: true, b: { $type: 'date' }, c: { $type: 'timestamp' } } },
      {
        now: () => now,
        currentTimestamp: () => ts,
      },
    );
    expect(r.doc.a).toEqual(now);
    expect(r.doc.b).toEqual(now);
    expect(r.doc.c).toBe(ts);
  });

  it('makes timestamps from the clock when no cluster time is given', () => {
    const r = applyUpdate(doc({}), { $currentDate: { c: { $type: 'timestamp' } } }, { now: () => now });
    expect(r.doc.c).toBeInstanceOf(Timestamp);
    expect((r.doc.c as Timestamp).t).toBe(Math.floor(now.getTime() / 1000));
  });

  it.each<[unknown]>([[1], [{ $type: 'x' }], [{ $type: 'date', x: 1 }], ['date']])(
    'rejects %j (BadValue)',
    (arg) => {
      expect(codeOf(() => applyUpdate(doc({}), { $currentDate: { a: arg } }))).toBe(2);
    },
  );
});

describe('$rename', () => {
  it('moves a value, including into new subdocuments', () => {
    const r = applyUpdate(doc({ a: 1, b: { c: [1, 2] } }), { $rename: { a: 'x.y', 'b.c': 'd' } });
    expect(r.doc).toEqual(doc({ b: {}, d: [1, 2], x: { y: 1 } }));
  });

  it('overwrites an existing destination in place', () => {
    const r = applyUpdate(doc({ a: 1, b: 2, c: 3 }), { $rename: { a: 'c' } });
    expect(r.doc).toEqual(doc({ b: 2, c: 1 }));
    expect(Object.keys(r.doc)).toEqual(['_id', 'b', 'c']);
  });

  it.each<[string, Document, Document]>([
    ['a non-string target', doc({}), { $rename: { a: 1 } }],
    ['the same source and target', doc({}), { $rename: { a: 'a' } }],
    ['nested source and target', doc({}), { $rename: { a: 'a.b' } }],
    ['a positional source', doc({}), { $rename: { 'a.$': 'b' } }],
    ['a positional target', doc({}), { $rename: { a: 'b.$[]' } }],
    ['a source inside an array', doc({ a: [{ b: 1 }] }), { $rename: { 'a.0.b': 'c' } }],
    ['a target inside an array', doc({ a: 1, b: [{}] }), { $rename: { a: 'b.0.c' } }],
    ['a target through an array', doc({ a: 1, b: [] }), { $rename: { a: 'b.c' } }],
  ])('rejects %s (BadValue)', (_name, d, update) => {
    expect(codeOf(() => applyUpdate(d, update))).toBe(2);
  });

  it('rejects a source path through a scalar (PathNotViable) and conflicts with other modifiers', () => {
    expect(codeOf(() => applyUpdate(doc({ a: 1 }), { $rename: { 'a.b': 'c' } }))).toBe(28);
    expect(codeOf(() => applyUpdate(doc({ a: 1 }), { $rename: { a: 'b' }, $set: { b: 1 } }))).toBe(40);
    expect(codeOf(() => applyUpdate(doc({ a: 1 }), { $rename: { a: 'b' }, $set: { a: 1 } }))).toBe(40);
  });
});
