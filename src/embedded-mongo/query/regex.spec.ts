import { BSONRegExp } from 'bson';
import { MongoCommandError } from '../errors.js';
import { compileRegex, regexSpecOf } from './regex.js';

function test(pattern: string, options: string, subject: string): boolean {
  return compileRegex(pattern, options).test(subject);
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

describe('compileRegex: PCRE semantics', () => {
  it("'$' also matches before a final newline, '\\z' only at the end", () => {
    expect(test('abc$', '', 'abc\n')).toBe(true);
    expect(test('abc$', '', 'abc\nx')).toBe(false);
    expect(test('abc\\z', '', 'abc\n')).toBe(false);
    expect(test('abc\\Z', '', 'abc\n')).toBe(true);
    expect(test('\\Aabc', 'm', 'x\nabc')).toBe(false);
  });

  it("multiline '^' and '$' work at LF only", () => {
    expect(test('^b$', 'm', 'a\nb\nc')).toBe(true);
    expect(test('^b$', 'm', 'a\rb\rc')).toBe(false);
    expect(test('^b', '', 'a\nb')).toBe(false);
  });

  it("'.' matches '\\r' but not '\\n' unless 's'", () => {
    expect(test('a.b', '', 'a\rb')).toBe(true);
    expect(test('a.b', '', 'a\nb')).toBe(false);
    expect(test('a.b', 's', 'a\nb')).toBe(true);
  });

  it("'i' ignores case, also for non-ASCII letters", () => {
    expect(test('straße', 'i', 'STRAẞE')).toBe(true);
    expect(test('é', 'i', 'É')).toBe(true);
  });

  it("'x' drops whitespace and comments outside classes", () => {
    expect(test('a b c # comment\n d', 'x', 'abcd')).toBe(true);
    expect(test('a[ ]b', 'x', 'a b')).toBe(true);
    expect(test('a\\ b', 'x', 'a b')).toBe(true);
  });

  it('supports inline options, \\Q..\\E, POSIX classes and PCRE escapes', () => {
    expect(test('(?i)abc', '', 'ABC')).toBe(true);
    expect(test('(?s)a.b', '', 'a\nb')).toBe(true);
    expect(test('\\Qa.b*\\E', '', 'a.b*')).toBe(true);
    expect(test('\\Qa.b*\\E', '', 'axb')).toBe(false);
    expect(test('^[[:alpha:]]+[[:digit:]]$', '', 'abc1')).toBe(true);
    expect(test('a\\hb', '', 'a\tb')).toBe(true);
    expect(test('\\x{263A}', '', '☺')).toBe(true);
    expect(test('\\x41', '', 'A')).toBe(true);
    expect(test('\\101', '', 'A')).toBe(true);
    expect(test('[\\101]', '', 'A')).toBe(true);
    expect(test('(a)\\1', '', 'aa')).toBe(true);
    expect(test('\\8', '', '8')).toBe(true);
    expect(test('\\0101', '', 'A')).toBe(false);
    expect(test('\\012', '', '\n')).toBe(true);
    expect(test('\\pL\\p{Lu}', '', 'aB')).toBe(true);
    expect(test('\\p{Greek}', '', 'λ')).toBe(true);
    expect(test('(?P<w>a)(?P=w)', '', 'aa')).toBe(true);
    expect(test('\\s', '', '\u00a0')).toBe(false);
    expect(test('\\s', '', '\x0b')).toBe(true);
  });

  it('treats unbalanced braces and a leading ] in a class as literals', () => {
    expect(test('a{', '', 'a{')).toBe(true);
    expect(test('a{1,2}', '', 'aa')).toBe(true);
    expect(test('x{a}', '', 'x{a}')).toBe(true);
    expect(test('[]a]', '', ']')).toBe(true);
    expect(test('a]', '', 'a]')).toBe(true);
    expect(test('\\_\\@', '', '_@')).toBe(true);
  });

  it('matches code points, not UTF-16 units', () => {
    expect(test('^.$', '', '😀')).toBe(true);
  });

  it('approximates possessive quantifiers and atomic groups', () => {
    expect(test('a++b', '', 'aab')).toBe(true);
    expect(test('(?>a+)b', '', 'aab')).toBe(true);
  });

  it('has no lastIndex state between tests', () => {
    const re = compileRegex('a', '');
    expect([re.test('a'), re.test('a')]).toEqual([true, true]);
  });
});

describe('compileRegex: errors', () => {
  it('rejects unknown options with 51108', () => {
    expect(codeOf(() => compileRegex('a', 'g'))).toBe(51108);
    expect(codeOf(() => compileRegex('a', 'imsxu'))).toBeUndefined();
  });

  it('rejects invalid patterns with 51091', () => {
    expect(codeOf(() => compileRegex('(', ''))).toBe(51091);
    expect(codeOf(() => compileRegex('[a', ''))).toBe(51091);
    expect(codeOf(() => compileRegex('*a', ''))).toBe(51091);
    expect(codeOf(() => compileRegex('a\\K', ''))).toBe(51091);
    expect(codeOf(() => compileRegex('(?R)', ''))).toBe(51091);
  });

  it('rejects embedded NUL with BadValue', () => {
    expect(codeOf(() => compileRegex('a\0b', ''))).toBe(2);
  });
});

describe('regexSpecOf', () => {
  it('reads BSONRegExp and JS RegExp values', () => {
    expect(regexSpecOf(new BSONRegExp('a.b', 'i'))).toEqual({ pattern: 'a.b', options: 'i' });
    expect(regexSpecOf(/a.b/gim)).toEqual({ pattern: 'a.b', options: 'im' });
    expect(regexSpecOf('a.b')).toBeUndefined();
  });
});
