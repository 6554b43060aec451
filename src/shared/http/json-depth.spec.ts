import { jsonDepth, MAX_JSON_DEPTH, rejectDeepJson } from './json-depth.js';

const depth = (text: string): number => jsonDepth(Buffer.from(text, 'utf8'));

describe('jsonDepth', () => {
  it('counts nested objects and arrays', () => {
    expect(depth('1')).toBe(0);
    expect(depth('{}')).toBe(1);
    expect(depth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(depth('[[],[[]],[]]')).toBe(3);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(depth('{"a":"[[[[{{{{"}')).toBe(1);
    expect(depth('{"a":"\\"[[[[","b":[1]}')).toBe(2);
    expect(depth('["\\\\",[["x"]]]')).toBe(3);
  });

  it('rejectDeepJson lets MAX_JSON_DEPTH through and refuses one level more with 400 REQUEST.TOO_DEEP', () => {
    const nested = (n: number): Buffer => Buffer.from('['.repeat(n) + ']'.repeat(n));
    expect(() => rejectDeepJson(undefined, undefined, nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => rejectDeepJson(undefined, undefined, nested(MAX_JSON_DEPTH + 1))).toThrow(
      expect.objectContaining({ status: 400, code: 'REQUEST.TOO_DEEP' }),
    );
  });
});
