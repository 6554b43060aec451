import { stemEnglish } from './english-stemmer.js';

/** Pairs from the Snowball English sample vocabulary (and libstemmer's output for them). */
const SAMPLES: ReadonlyArray<readonly [string, string]> = [
  ['consign', 'consign'],
  ['consigned', 'consign'],
  ['consignment', 'consign'],
  ['consistency', 'consist'],
  ['consistently', 'consist'],
  ['consolation', 'consol'],
  ['consolatory', 'consolatori'],
  ['consolidating', 'consolid'],
  ['consolingly', 'consol'],
  ['conspicuously', 'conspicu'],
  ['conspiracy', 'conspiraci'],
  ['constable', 'constabl'],
  ['constancy', 'constanc'],
  ['knackeries', 'knackeri'],
  ['kneeled', 'kneel'],
  ['knightly', 'knight'],
  ['knitting', 'knit'],
  ['knives', 'knive'],
  ['knocker', 'knocker'],
  ['running', 'run'],
  ['runs', 'run'],
  ['generously', 'generous'],
  ['generate', 'generat'],
  ['communism', 'communism'],
  ['arsenal', 'arsenal'],
  ['happiness', 'happi'],
  ['happily', 'happili'],
  ['caresses', 'caress'],
  ['ponies', 'poni'],
  ['ties', 'tie'],
  ['cries', 'cri'],
  ['gas', 'gas'],
  ['gaps', 'gap'],
  ['agreed', 'agre'],
  ['feed', 'feed'],
  ['hopping', 'hop'],
  ['hoped', 'hope'],
  ['filing', 'file'],
  ['relational', 'relat'],
  ['hopeful', 'hope'],
  ['goodness', 'good'],
  ['replacement', 'replac'],
  ['adoption', 'adopt'],
  ['effective', 'effect'],
  ['controlling', 'control'],
  ['rolling', 'roll'],
];

describe('stemEnglish', () => {
  it.each(SAMPLES)('stems %s to %s', (word, stem) => {
    expect(stemEnglish(word)).toBe(stem);
  });

  it('applies the exceptional forms before anything else', () => {
    expect(['skies', 'dying', 'lying', 'gently', 'only', 'news', 'atlas'].map(stemEnglish)).toEqual([
      'sky',
      'die',
      'lie',
      'gentl',
      'onli',
      'news',
      'atlas',
    ]);
    // After Step 1a: "innings" → "inning" and stops there.
    expect(stemEnglish('innings')).toBe('inning');
    expect(stemEnglish('succeeded')).toBe('succeed');
  });

  it('leaves words of fewer than three letters alone', () => {
    expect(['a', 'is', 'as', 'ys'].map(stemEnglish)).toEqual(['a', 'is', 'as', 'ys']);
  });

  it('handles apostrophes and y as Snowball does', () => {
    expect(stemEnglish("john's")).toBe('john');
    expect(stemEnglish("'tis")).toBe('tis');
    expect(stemEnglish('cry')).toBe('cri');
    expect(stemEnglish('by')).toBe('by');
    expect(stemEnglish('say')).toBe('say');
    expect(stemEnglish('yes')).toBe('yes');
    expect(stemEnglish('enjoying')).toBe('enjoy');
  });

  it('treats letters outside a-z as consonants and counts characters, not UTF-16 units', () => {
    expect(stemEnglish('cafés')).toBe('café');
    expect(stemEnglish('naïvely')).toBe('naïv');
    expect(stemEnglish('Running')).toBe('Run');
    expect(stemEnglish('x2s')).toBe('x2s');
    // libstemmer's answers: 😀 is one consonant, so "ca😀" is a short word and takes an e.
    expect(stemEnglish('a😀s')).toBe('a😀');
    expect(stemEnglish('😀😀s')).toBe('😀😀s');
    expect(stemEnglish('ca😀ing')).toBe('ca😀e');
  });
});
