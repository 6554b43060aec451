import { foldCase, isDelimiter, normalizeText, stripDiacritics } from './unicode.js';

const cp = (s: string): number => s.codePointAt(0) as number;

describe('text unicode rules', () => {
  it('separates words at whitespace, dashes, quotes and punctuation, not at _ or digits', () => {
    for (const d of [
      ' ',
      '\t',
      '\n',
      '-',
      '"',
      '.',
      ',',
      '!',
      '?',
      '(',
      '/',
      '@',
      '#',
      '\u2014',
      '\u00a0',
      '\u3002',
    ])
      expect(isDelimiter(cp(d), true)).toBe(true);
    for (const w of ['a', 'Z', '0', '_', 'é', 'ß', '中']) expect(isDelimiter(cp(w), true)).toBe(false);
  });

  it('keeps the apostrophe inside English words only', () => {
    expect(isDelimiter(cp("'"), true)).toBe(false);
    expect(isDelimiter(cp("'"), false)).toBe(true);
  });

  it('folds case one code point to one code point', () => {
    expect(foldCase('CoFFeE')).toBe('coffee');
    expect(foldCase('ÉCOLE')).toBe('école');
    expect(foldCase('ΣΑΣ')).toBe('σασ');
    expect(foldCase('İ')).toBe('İ');
    expect(foldCase('µ')).toBe('μ');
  });

  it('removes diacritics, marks alone included', () => {
    expect(stripDiacritics('café naïve Ångström')).toBe('cafe naive Angstrom');
    expect(stripDiacritics('e\u0301')).toBe('e');
    expect(stripDiacritics('plain')).toBe('plain');
    expect(stripDiacritics('ø')).toBe('ø');
  });

  it('normalizes for phrase matching as asked', () => {
    expect(normalizeText('Café', false, false)).toBe('cafe');
    expect(normalizeText('Café', true, false)).toBe('Cafe');
    expect(normalizeText('Café', false, true)).toBe('café');
    expect(normalizeText('Café', true, true)).toBe('Café');
  });
});
