import { Double, Int32, Long } from 'bson';
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

describe('$bit', () => {
  it('applies and / or / xor in order', () => {
    expect(applyUpdate({ _id: 1, a: 13 }, { $bit: { a: { and: 10 } } }).doc.a).toBe(8);
    expect(applyUpdate({ _id: 1, a: 13 }, { $bit: { a: { or: 2 } } }).doc.a).toBe(15);
    expect(applyUpdate({ _id: 1, a: 13 }, { $bit: { a: { xor: 5 } } }).doc.a).toBe(8);
    expect(applyUpdate({ _id: 1, a: 1 }, { $bit: { a: { or: 6, and: 3 } } }).doc.a).toBe(3);
  });

  it('yields a long when either side is a long, and wraps int32', () => {
    expect(
      applyUpdate({ _id: 1, a: new Int32(1) }, { $bit: { a: { or: Long.fromNumber(2) } } }).doc.a,
    ).toEqual(Long.fromNumber(3));
    expect(applyUpdate({ _id: 1, a: 0x7fffffff }, { $bit: { a: { xor: -1 } } }).doc.a).toBe(-2147483648);
  });

  it('starts a missing field from int 0', () => {
    expect(applyUpdate({ _id: 1 }, { $bit: { a: { or: 5 } } }).doc.a).toBe(5);
  });

  it('is a no-op when nothing changes', () => {
    expect(applyUpdate({ _id: 1, a: 5 }, { $bit: { a: { or: 1 } } }).modified).toBe(false);
  });

  it.each<[string, unknown]>([
    ['a non-document argument', 5],
    ['no operation', {}],
    ['an unknown operation', { not: 1 }],
    ['a double operand', { and: new Double(1) }],
    ['a fractional operand', { and: 1.5 }],
  ])('rejects %s (BadValue)', (_name, arg) => {
    expect(codeOf(() => applyUpdate({ _id: 1, a: 1 }, { $bit: { a: arg } }))).toBe(2);
  });

  it('refuses a non-integral field (BadValue)', () => {
    expect(codeOf(() => applyUpdate({ _id: 1, a: new Double(1) }, { $bit: { a: { and: 1 } } }))).toBe(2);
  });
});
