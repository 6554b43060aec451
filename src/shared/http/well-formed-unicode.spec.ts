import { hasLoneSurrogate } from './well-formed-unicode.js';

describe('hasLoneSurrogate', () => {
  it('finds a lone high or low surrogate in strings and keys at any depth', () => {
    expect(hasLoneSurrogate('\uD800')).toBe(true);
    expect(hasLoneSurrogate('x\uDFFFy')).toBe(true);
    expect(hasLoneSurrogate({ a: [{ b: 'ok' }, { c: '\uDBFF' }] })).toBe(true);
    expect(hasLoneSurrogate(JSON.parse('{"\\ud800": 1}'))).toBe(true);
  });

  it('accepts surrogate pairs (emoji, astral letters) and non-string values', () => {
    expect(hasLoneSurrogate('😀 𝒳 مرحبا \u202E\u200B')).toBe(false);
    expect(hasLoneSurrogate({ n: 1, b: true, z: null, a: ['𝒳'] })).toBe(false);
    expect(hasLoneSurrogate(undefined)).toBe(false);
  });
});
