import { findLanguage, requireLanguage } from './language.js';
import { MongoCommandError } from '../errors.js';
import { tokenize } from './tokenizer.js';

const english = requireLanguage('english');
const none = requireLanguage('none');

describe('tokenize', () => {
  it('folds, drops stop words and stems, as index keys are made', () => {
    expect(tokenize('The Runners were running, quickly!', english, { filterStopWords: true })).toEqual([
      'runner',
      'run',
      'quick',
    ]);
  });

  it('keeps stop words when matching a document (no filter)', () => {
    expect(tokenize('the runners', english)).toEqual(['the', 'runner']);
  });

  it('keeps English contractions whole, so they are stop words', () => {
    expect(tokenize("don't stop", english, { filterStopWords: true })).toEqual(['stop']);
    expect(tokenize("o'neill's", english)).toEqual(["o'neil"]);
  });

  it('stems before removing diacritics, and can keep case or diacritics', () => {
    expect(tokenize('Cafés', english)).toEqual(['cafe']);
    expect(tokenize('Cafés', english, { diacriticSensitive: true })).toEqual(['café']);
    expect(tokenize('Cafés', english, { caseSensitive: true })).toEqual(['Cafe']);
    expect(tokenize('Cafés', english, { caseSensitive: true, diacriticSensitive: true })).toEqual(['Café']);
  });

  it('checks stop words on the folded word even when case matters', () => {
    expect(tokenize('The Cats', english, { filterStopWords: true, caseSensitive: true })).toEqual(['Cat']);
  });

  it('"none" neither stems nor drops stop words, and splits at apostrophes', () => {
    expect(tokenize("The running man's", none, { filterStopWords: true })).toEqual([
      'the',
      'running',
      'man',
      's',
    ]);
  });

  it('treats digits and underscores as word characters', () => {
    expect(tokenize('order_42 #7 v1.2', english)).toEqual(['order_42', '7', 'v1', '2']);
  });
});

describe('text languages', () => {
  it('accepts MongoDB names and codes in any case', () => {
    expect(findLanguage('EN')?.name).toBe('english');
    expect(findLanguage('Spanish')?.name).toBe('spanish');
    expect(findLanguage('none')?.name).toBe('none');
    expect(findLanguage('klingon')).toBeUndefined();
  });

  it('refuses an unknown language with BadValue', () => {
    let err: unknown;
    try {
      requireLanguage('klingon');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MongoCommandError);
    expect((err as MongoCommandError).code).toBe(2);
  });
});
