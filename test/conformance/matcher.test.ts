import { Binary, BSONRegExp, Decimal128, Double, Int32, Long, ObjectId, Timestamp, UUID } from 'bson';

import { AssertionFailure, RunnerError } from './errors.js';
import {
  assertExactDocuments,
  assertMatches,
  assertMatchesRootDocuments,
  matches,
  matchesType,
  type MatchEnvironment,
} from './matcher.js';

const lsid = { id: new UUID('0123456789abcdef0123456789abcdef').toBinary() };
const env: MatchEnvironment = {
  entityValue: (name) => {
    if (name === 'savedId') return new ObjectId('64b7f0c2a1b2c3d4e5f60718');
    throw new RunnerError(`no entity ${name}`);
  },
  sessionLsid: (name) => {
    if (name === 'session0') return lsid;
    throw new RunnerError(`no session ${name}`);
  },
};

const ok = (expected: unknown, actual: unknown): boolean => matches(expected, actual, env);

describe('unified-format match rules', () => {
  it('lets a root document have extra keys but not a nested one', () => {
    expect(ok({ x: 1 }, { x: 1, y: 2 })).toBe(true);
    expect(ok({ x: { y: 1 } }, { x: { y: 1, z: 1 } })).toBe(false);
    expect(ok({ x: 1, y: 1 }, { x: 1 })).toBe(false);
  });

  it('ignores key order', () => {
    expect(ok({ a: 1, b: { c: 1, d: 2 } }, { b: { d: 2, c: 1 }, a: 1 })).toBe(true);
  });

  it('requires arrays of the same length, element by element', () => {
    expect(ok([1, 2, 3], [1, 2, 3])).toBe(true);
    expect(ok([1, 2, 3], [1, 2, 3, 4])).toBe(false);
    expect(ok([1, 2], [2, 1])).toBe(false);
    expect(ok({ a: [{ x: 1 }] }, { a: [{ x: 1, y: 1 }] })).toBe(false);
  });

  it('compares int, long and double by value, never decimal', () => {
    expect(ok(new Int32(1), 1.0)).toBe(true);
    expect(ok(new Long(5), 5)).toBe(true);
    expect(ok(new Double(2), new Int32(2))).toBe(true);
    expect(ok(Long.fromString('9007199254740993'), Long.fromString('9007199254740993'))).toBe(true);
    expect(ok(Long.fromString('9007199254740993'), Long.fromString('9007199254740992'))).toBe(false);
    expect(ok(new Int32(1), 1.5)).toBe(false);
    expect(ok(Decimal128.fromString('1'), 1)).toBe(false);
    expect(ok(Decimal128.fromString('1.0'), Decimal128.fromString('1.0'))).toBe(true);
    expect(ok(new Int32(1), '1')).toBe(false);
  });

  it('compares BSON values by type and content', () => {
    const oid = new ObjectId();
    expect(ok(oid, new ObjectId(oid.toHexString()))).toBe(true);
    expect(ok(oid, new ObjectId())).toBe(false);
    expect(ok(new Date(5), new Date(5))).toBe(true);
    expect(ok(new Timestamp({ t: 1, i: 2 }), new Timestamp({ t: 1, i: 2 }))).toBe(true);
    expect(ok(new Timestamp({ t: 1, i: 2 }), new Timestamp({ t: 1, i: 3 }))).toBe(false);
    expect(ok(new Binary(Buffer.from('ab'), 0), new Binary(Buffer.from('ab'), 0))).toBe(true);
    expect(ok(new Binary(Buffer.from('ab'), 0), new Binary(Buffer.from('ab'), 5))).toBe(false);
    expect(ok(new BSONRegExp('^a', 'im'), /^a/im)).toBe(true);
    expect(ok(null, null)).toBe(true);
    expect(ok(null, undefined)).toBe(false);
  });

  it('treats Maps (the driver uses them for sort and bulk results) as documents', () => {
    expect(ok({ sort: { x: new Int32(1) } }, { sort: new Map([['x', 1]]) })).toBe(true);
    expect(ok({ r: { '0': { insertedId: 1 } } }, { r: new Map([[0, { insertedId: 1 }]]) })).toBe(true);
  });

  describe('$$exists', () => {
    it('checks presence, null included', () => {
      expect(ok({ a: { $$exists: true } }, { a: null })).toBe(true);
      expect(ok({ a: { $$exists: true } }, {})).toBe(false);
      expect(ok({ a: { $$exists: false } }, {})).toBe(true);
      expect(ok({ a: { $$exists: false } }, { a: undefined })).toBe(true);
      expect(ok({ a: { $$exists: false } }, { a: 0 })).toBe(false);
    });
  });

  describe('$$type', () => {
    it('accepts one type name or a list', () => {
      expect(ok({ a: { $$type: 'string' } }, { a: 'x' })).toBe(true);
      expect(ok({ a: { $$type: ['int', 'long'] } }, { a: 5 })).toBe(true);
      expect(ok({ a: { $$type: 'objectId' } }, { a: 'x' })).toBe(false);
      expect(ok({ a: { $$type: 'string' } }, {})).toBe(false);
    });

    it('knows the BSON type aliases', () => {
      expect(matchesType(2 ** 40, 'int')).toBe(false);
      expect(matchesType(2 ** 40, 'long')).toBe(true);
      expect(matchesType(1.5, 'double')).toBe(true);
      expect(matchesType(new Timestamp({ t: 1, i: 1 }), 'timestamp')).toBe(true);
      expect(matchesType([1], 'array')).toBe(true);
      expect(matchesType([1], 'object')).toBe(false);
      expect(matchesType(new Binary(Buffer.alloc(1)), 'binData')).toBe(true);
      expect(matchesType(new Date(), 'date')).toBe(true);
      expect(() => matchesType(1, 'notAType')).toThrow(RunnerError);
    });
  });

  describe('$$unsetOrMatches', () => {
    it('accepts an absent value or a match', () => {
      expect(ok({ a: { $$unsetOrMatches: 1 } }, {})).toBe(true);
      expect(ok({ a: { $$unsetOrMatches: 1 } }, { a: 1 })).toBe(true);
      expect(ok({ a: { $$unsetOrMatches: 1 } }, { a: 2 })).toBe(false);
    });

    it('does not change whether the document is root-level', () => {
      const expected = { $$unsetOrMatches: { insertedId: { $$unsetOrMatches: 1 } } };
      expect(ok(expected, { insertedId: 1, acknowledged: true })).toBe(true);
      expect(ok(expected, undefined)).toBe(true);
      expect(ok({ a: { $$unsetOrMatches: { b: 1 } } }, { a: { b: 1, c: 2 } })).toBe(false);
    });
  });

  it('$$sessionLsid compares with the session entity lsid', () => {
    expect(ok({ lsid: { $$sessionLsid: 'session0' } }, { lsid: { id: lsid.id } })).toBe(true);
    const other = { id: new UUID().toBinary() };
    expect(ok({ lsid: { $$sessionLsid: 'session0' } }, { lsid: other })).toBe(false);
    expect(() => assertMatches({ lsid: { $$sessionLsid: 'nope' } }, { lsid }, env)).toThrow(RunnerError);
  });

  it('$$matchesEntity compares with a saved value', () => {
    expect(
      ok({ _id: { $$matchesEntity: 'savedId' } }, { _id: new ObjectId('64b7f0c2a1b2c3d4e5f60718') }),
    ).toBe(true);
    expect(ok({ _id: { $$matchesEntity: 'savedId' } }, { _id: new ObjectId() })).toBe(false);
  });

  it('$$lte compares numbers loosely', () => {
    expect(ok({ n: { $$lte: new Int32(5) } }, { n: 5.0 })).toBe(true);
    expect(ok({ n: { $$lte: 5 } }, { n: 0 })).toBe(true);
    expect(ok({ n: { $$lte: 5 } }, { n: 5.1 })).toBe(false);
    expect(ok({ n: { $$lte: 5 } }, { n: 'x' })).toBe(false);
  });

  it('supports $$matchesHexBytes, $$matchAsDocument and $$matchAsRoot', () => {
    expect(ok({ $$matchesHexBytes: '12ab' }, Buffer.from([0x12, 0xab]))).toBe(true);
    expect(ok({ $$matchesHexBytes: '12ab' }, Buffer.from([0x12]))).toBe(false);
    expect(ok({ a: { $$matchAsDocument: { x: 1 } } }, { a: '{"x": 1}' })).toBe(true);
    expect(ok({ a: { $$matchAsDocument: { x: 1 } } }, { a: '{"x": 1, "y": 2}' })).toBe(false);
    expect(ok({ a: { $$matchAsRoot: { x: 1 } } }, { a: { x: 1, y: 2 } })).toBe(true);
  });

  it('rejects unknown special operators as a runner problem, not a mismatch', () => {
    expect(() => assertMatches({ $$noSuchThing: 1 }, 1, env)).toThrow(RunnerError);
  });

  it('reports the path of the first mismatch', () => {
    expect(() =>
      assertMatches({ a: { b: [1, 2] } }, { a: { b: [1, 3] } }, env, { path: 'expectResult' }),
    ).toThrow(/expectResult\.a\.b\[1\]: expected 2, got 3/);
  });
});

describe('iterable results', () => {
  it('matches each element as a root-level document', () => {
    expect(() => assertMatchesRootDocuments([{ _id: 1 }], [{ _id: 1, x: 1 }], env)).not.toThrow();
    expect(() => assertMatchesRootDocuments([{ _id: 1 }], [{ _id: 1 }, { _id: 2 }], env)).toThrow(
      AssertionFailure,
    );
  });
});

describe('outcome comparison', () => {
  it('is exact apart from numeric types and key order', () => {
    expect(() =>
      assertExactDocuments([{ _id: new Int32(1), x: new Long(2) }], [{ x: 2, _id: 1 }]),
    ).not.toThrow();
    expect(() => assertExactDocuments([{ _id: 1 }], [{ _id: 1, x: 1 }])).toThrow(AssertionFailure);
    expect(() => assertExactDocuments([{ _id: 1 }], [])).toThrow(AssertionFailure);
    expect(() => assertExactDocuments([{ _id: 1, a: { $$exists: true } }], [{ _id: 1, a: 1 }])).toThrow(
      AssertionFailure,
    );
  });
});
