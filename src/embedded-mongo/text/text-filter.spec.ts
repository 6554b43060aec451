import type { Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { checkTextPlan, checkTextQuery, hasText, parseTextArgument, type IndexFacts } from './text-filter.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof MongoCommandError) return err.code;
    throw err;
  }
  return undefined;
}

const T = { $search: 'x' };

describe('parseTextArgument', () => {
  it('reads the four fields with their defaults', () => {
    expect(parseTextArgument({ $search: 'a b' })).toEqual({
      search: 'a b',
      language: undefined,
      caseSensitive: false,
      diacriticSensitive: false,
    });
    expect(parseTextArgument({ $search: 'a', $language: 'es', $caseSensitive: true })).toMatchObject({
      language: 'es',
      caseSensitive: true,
    });
  });

  it("answers mongod's codes for a bad argument", () => {
    expect(codeOf(() => parseTextArgument({}))).toBe(4);
    expect(codeOf(() => parseTextArgument({ $search: 1 }))).toBe(14);
    expect(codeOf(() => parseTextArgument({ $search: 'a', $language: 1 }))).toBe(14);
    expect(codeOf(() => parseTextArgument({ $search: 'a', $diacriticSensitive: 'yes' }))).toBe(14);
    expect(codeOf(() => parseTextArgument({ $search: 'a', $foo: 1 }))).toBe(2);
  });
});

describe('checkTextQuery', () => {
  it('finds $text at the top level and under $and/$or/$nor only', () => {
    expect(hasText({ $and: [{ a: 1 }, { $or: [{ $text: T }] }] })).toBe(true);
    expect(hasText({ a: { $elemMatch: { $text: T } } })).toBe(false);
  });

  it('allows one $text, outside $nor, without hint or $natural sort (BadValue)', () => {
    expect(codeOf(() => checkTextQuery({ $text: T }, {}))).toBeUndefined();
    expect(codeOf(() => checkTextQuery({ $text: T, $or: [{ $text: T }] }, {}))).toBe(2);
    expect(codeOf(() => checkTextQuery({ $nor: [{ $and: [{ $text: T }] }] }, {}))).toBe(2);
    expect(codeOf(() => checkTextQuery({ $text: T }, { hint: 'a_1' }))).toBe(2);
    expect(codeOf(() => checkTextQuery({ $text: T }, { sort: { $natural: -1 } }))).toBe(2);
    expect(codeOf(() => checkTextQuery({ a: 1 }, { hint: 'a_1' }))).toBeUndefined();
  });
});

describe('checkTextPlan', () => {
  const facts = (prefixFields: string[] = []): IndexFacts => ({
    leads: (path) => path === '_id' || path === 'a',
    prefixFields,
  });
  const plan = (filter: Document, prefix: string[] = []): number | undefined =>
    codeOf(() => checkTextPlan(filter, facts(prefix)));

  it('needs every other $or branch to use an index (291)', () => {
    expect(plan({ $or: [{ $text: T }, { a: 5 }, { _id: { $in: [1, 2] } }] })).toBeUndefined();
    expect(plan({ $or: [{ $text: T }, { b: 5 }] })).toBe(291);
    expect(plan({ $or: [{ $text: T }, { a: { $ne: 5 } }] })).toBe(291);
    expect(plan({ $or: [{ $text: T }, { $and: [{ b: 1 }, { a: 1 }] }] })).toBeUndefined();
    expect(plan({ $or: [{ a: 1 }, { b: 1 }] })).toBeUndefined();
  });

  it('needs equality on every prefix field of a compound text index (291)', () => {
    expect(plan({ $text: T }, ['k'])).toBe(291);
    expect(plan({ $text: T, k: 'x' }, ['k'])).toBeUndefined();
    expect(plan({ $and: [{ $text: T }, { k: { $eq: 'x' } }] }, ['k'])).toBeUndefined();
    expect(plan({ $text: T, k: { $in: ['x'] } }, ['k'])).toBeUndefined();
    expect(plan({ $text: T, k: { $gt: 'x' } }, ['k'])).toBe(291);
    expect(plan({ $text: T, k: { $in: ['x', 'y'] } }, ['k'])).toBe(291);
  });
});
