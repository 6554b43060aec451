/**
 * Collations (`{locale, strength, caseLevel, caseFirst, numericOrdering, alternate}`) as string
 * comparators, through ICU (Intl.Collator). `locale: 'simple'` (and no collation) means binary
 * comparison, which callers get as `undefined` so they keep their fast paths.
 *
 * Scope: the comparator applies where a query compares two strings directly (equality, ranges,
 * `$in`, sort keys); strings nested inside compared documents or arrays compare binary.
 */
import { mongoError } from '../errors.js';
import { bsonTypeOf, isNumericType, isPlainObject, toDec } from '../values/index.js';

export type StringComparator = (a: string, b: string) => number;

const cache = new Map<string, StringComparator>();

/** The comparator for a collation document, or undefined for binary (simple) comparison. */
export function collatorFor(collation: unknown): StringComparator | undefined {
  if (collation === undefined || collation === null) return undefined;
  if (!isPlainObject(collation)) throw mongoError('TypeMismatch', 'collation must be an object');
  const locale = collation.locale;
  if (typeof locale !== 'string')
    throw mongoError('BadValue', "Required field 'locale' is missing or not a string");
  if (locale === 'simple') return undefined;
  const key = JSON.stringify([
    locale,
    String(collation.strength ?? 3),
    collation.caseLevel ?? false,
    collation.caseFirst ?? 'off',
    collation.numericOrdering ?? false,
    collation.alternate ?? 'non-ignorable',
  ]);
  const hit = cache.get(key);
  if (hit) return hit;
  let strength = 3;
  if (collation.strength !== undefined) {
    if (!isNumericType(bsonTypeOf(collation.strength)))
      throw mongoError('TypeMismatch', "'strength' must be a number");
    strength = toDec(collation.strength).toNumber();
    if (![1, 2, 3, 4, 5].includes(strength))
      throw mongoError('BadValue', `unsupported collation strength ${strength}`);
  }
  let supported: string[];
  try {
    supported = Intl.Collator.supportedLocalesOf([locale.replace(/_/g, '-')]);
  } catch {
    supported = [];
  }
  if (supported.length === 0 && locale !== '')
    throw mongoError('BadValue', `Field 'locale' is invalid in: ${key}`);
  const options: Intl.CollatorOptions = {
    usage: 'sort',
    sensitivity:
      strength === 1
        ? collation.caseLevel === true
          ? 'case'
          : 'base'
        : strength === 2
          ? 'accent'
          : 'variant',
    numeric: collation.numericOrdering === true,
    ignorePunctuation: collation.alternate === 'shifted',
  };
  if (collation.caseFirst === 'upper' || collation.caseFirst === 'lower')
    options.caseFirst = collation.caseFirst;
  const intl = new Intl.Collator(supported[0] ?? 'und', options);
  const cmp: StringComparator = (a, b) => {
    const c = intl.compare(a, b);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  };
  cache.set(key, cmp);
  return cmp;
}
