import { requireLanguage } from './language.js';
import { parseSearch } from './search-query.js';

const english = requireLanguage('english');
const plain = { caseSensitive: false, diacriticSensitive: false };

function parse(search: string, options = plain): Record<string, unknown> {
  const p = parseSearch(search, english, options);
  return {
    terms: [...p.positiveTerms].sort(),
    negated: [...p.negatedTerms].sort(),
    phrases: p.positivePhrases,
    negatedPhrases: p.negatedPhrases,
  };
}

describe('parseSearch', () => {
  it('stems terms and drops stop words', () => {
    expect(parse('the running dogs')).toMatchObject({ terms: ['dog', 'run'], negated: [] });
  });

  it('takes quoted phrases verbatim and their words as terms', () => {
    expect(parse('java "Coffee Shop"')).toEqual({
      terms: ['coffe', 'java', 'shop'],
      negated: [],
      phrases: ['Coffee Shop'],
      negatedPhrases: [],
    });
  });

  it('negates words and phrases after whitespace, until the next whitespace', () => {
    expect(parse('coffee -tea -"green leaf"')).toEqual({
      terms: ['coffe'],
      negated: ['tea'],
      phrases: [],
      negatedPhrases: ['green leaf'],
    });
    expect(parse('-foo-bar baz')).toMatchObject({ terms: ['baz'], negated: ['bar', 'foo'] });
    expect(parse('-"a b"-"c d"')).toMatchObject({ negatedPhrases: ['a b', 'c d'] });
  });

  it('does not negate inside words, after a space, or inside phrases', () => {
    expect(parse('e-mail')).toMatchObject({ terms: ['e', 'mail'], negated: [] });
    expect(parse('- tea')).toMatchObject({ terms: ['tea'], negated: [] });
    expect(parse('"hot -tea"')).toMatchObject({ terms: ['hot', 'tea'], phrases: ['hot -tea'] });
  });

  it('keeps the words of an unterminated phrase as terms', () => {
    expect(parse('"open ended')).toMatchObject({ terms: ['end', 'open'], phrases: [] });
  });

  it('splits only at space-like characters: a tab stays inside a negation', () => {
    expect(parse('-milk\tcoffee tea')).toMatchObject({ terms: ['tea'], negated: ['coffe', 'milk'] });
  });

  it('keeps the insensitive terms for the index and sensitive ones for matching', () => {
    const p = parseSearch('Café -Thé', english, { caseSensitive: true, diacriticSensitive: true });
    expect(p.boundsTerms).toEqual(['cafe']);
    expect([...p.positiveTerms]).toEqual(['Café']);
    expect([...p.negatedTerms]).toEqual(['Thé']);
  });

  it('sorts the index terms byte-wise, as mongod does', () => {
    expect(parseSearch('zebra apple Zulu', english, plain).boundsTerms).toEqual(['appl', 'zebra', 'zulu']);
  });
});
