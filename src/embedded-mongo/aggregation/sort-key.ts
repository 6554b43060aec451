/**
 * Sort specifications ({a: 1, 'b.c': -1}) as $sort, $top/$bottom and $setWindowFields use them:
 * validation with MongoDB's error codes and a document comparator with sort-key semantics (an
 * array sorts by its smallest element ascending and its largest descending; missing sorts as
 * null). `{$meta: 'textScore'}` keys read document metadata (see metadata.ts).
 */
import { type Document } from '../bson.js';
import { compareValues, getPathValues, isPlainObject, numberValueOf, splitPath } from '../values/index.js';
import { fail } from './expressions/core.js';
import { getDocumentMetadata } from './metadata.js';

export interface SortKeyPart {
  readonly path: string;
  readonly parts: readonly string[];
  /** 1 ascending, -1 descending. */
  readonly dir: 1 | -1;
  /** Sort by a metadata value ({$meta: 'textScore'}) instead of a field. */
  readonly meta?: string;
}

/** Validates a sort specification (errors as the $sort stage reports them). */
export function parseSortSpec(spec: unknown): SortKeyPart[] {
  if (!isPlainObject(spec)) fail(15973, 'the $sort key specification must be an object');
  const out: SortKeyPart[] = [];
  for (const [path, v] of Object.entries(spec)) {
    if (v === undefined) continue;
    if (isPlainObject(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$meta') {
        const m = v.$meta;
        if (m !== 'textScore' && m !== 'randVal' && m !== 'searchScore') {
          fail(31138, `Illegal $meta sort: $meta: ${JSON.stringify(m)}`);
        }
        out.push({ path, parts: splitPath(path), dir: -1, meta: m });
        continue;
      }
      fail(17312, `$meta is the only expression supported by $sort right now`);
    }
    const n = numberValueOf(v);
    if (n === undefined) {
      fail(15974, `Illegal key in $sort specification: ${path}: ${JSON.stringify(v)}`);
    }
    if (n !== 1 && n !== -1)
      fail(15975, '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
    if (path === '') fail(40352, 'FieldPath cannot be constructed with empty string');
    if (path.startsWith('$')) fail(16410, "FieldPath field names may not start with '$'.");
    out.push({ path, parts: splitPath(path), dir: n });
  }
  if (out.length === 0) fail(15976, '$sort stage must have at least one sort key');
  return out;
}

/** The value a document sorts by for one key. */
export function sortKeyValue(doc: Document, part: SortKeyPart): unknown {
  if (part.meta !== undefined) {
    const m = getDocumentMetadata(doc);
    return part.meta === 'textScore' ? m?.textScore : part.meta === 'randVal' ? m?.randVal : m?.searchScore;
  }
  const values = getPathValues(doc, part.parts as string[]);
  if (values.length === 0) {
    return null;
  }
  if (values.length === 1) return values[0];
  let best = values[0];
  for (let i = 1; i < values.length; i++) {
    const c = compareValues(values[i], best);
    if (part.dir === 1 ? c < 0 : c > 0) best = values[i];
  }
  return best;
}

/** Sort keys of a document, one per part. */
export function sortKeys(doc: Document, parts: readonly SortKeyPart[]): unknown[] {
  return parts.map((p) => sortKeyValue(doc, p));
}

/** Compares precomputed sort keys. */
export function compareSortKeys(
  a: readonly unknown[],
  b: readonly unknown[],
  parts: readonly SortKeyPart[],
): number {
  for (let i = 0; i < parts.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c * parts[i].dir;
  }
  return 0;
}

/** A document comparator for a validated sort specification. */
export function documentComparator(parts: readonly SortKeyPart[]): (a: Document, b: Document) => number {
  return (a, b) => compareSortKeys(sortKeys(a, parts), sortKeys(b, parts), parts);
}
