/**
 * A text index as $text sees it (mongod's FTSSpec), read from the catalog's stored spec
 * (`{key: {..., _fts: 'text', _ftsx: 1, ...}, weights, default_language, language_override}`),
 * and the walk over a document's indexed strings (mongod's FTSElementIterator).
 *
 * The walk, as mongod's: fields are visited in document order; a string is indexed when its dotted
 * path is a weighted field (or the index is a wildcard `$**` one); sub-documents are entered when a
 * weighted path goes through them, arrays when their parent is not an array (wildcard: always);
 * array elements keep the array's path. Each sub-document may switch the language with the
 * language override field (a string naming a known language; anything else keeps the enclosing
 * language, where mongod would have refused the document at insert). With a wildcard index the
 * override field itself is not indexed. Weights come from mongod's lookup: the first weighted path
 * not below the field's path in byte order, so in a wildcard index an unlisted field takes the
 * weight of the next listed path after it (a quirk of mongod's, kept for identical scores).
 */
import type { Document } from '../bson.js';
import { bsonTypeOf } from '../values/types.js';
import { findLanguage, requireLanguage, type TextLanguage } from './language.js';
import { compareUtf8 } from './search-query.js';

export interface FtsSpec {
  readonly indexName: string;
  /** Weighted paths (the wildcard excluded), in byte order, and their weights. */
  readonly paths: readonly string[];
  readonly weights: readonly number[];
  readonly wildcard: boolean;
  readonly defaultLanguage: TextLanguage;
  readonly languageOverride: string;
  /** Scalar key fields before the text fields (a compound text index's prefix). */
  readonly prefixFields: readonly string[];
}

/** One indexed string of a document. */
export interface TextValue {
  readonly text: string;
  readonly language: TextLanguage;
  readonly weight: number;
}

const WILDCARD = '$**';

export function ftsSpecOf(name: string, spec: Document): FtsSpec {
  const weights = (spec.weights ?? {}) as Document;
  const entries = Object.entries(weights)
    .filter(([p]) => p !== WILDCARD)
    .map(([p, w]): [string, number] => [p, Number(w)])
    .sort(([a], [b]) => compareUtf8(a, b));
  const prefixFields: string[] = [];
  for (const k of Object.keys((spec.key ?? {}) as Document)) {
    if (k === '_fts' || k === '_ftsx') break;
    prefixFields.push(k);
  }
  const lang = typeof spec.default_language === 'string' ? spec.default_language : 'english';
  return {
    indexName: name,
    paths: entries.map(([p]) => p),
    weights: entries.map(([, w]) => w),
    wildcard: Object.prototype.hasOwnProperty.call(weights, WILDCARD),
    defaultLanguage: requireLanguage(lang),
    languageOverride: typeof spec.language_override === 'string' ? spec.language_override : 'language',
    prefixFields,
  };
}

/** Index of the first path >= key (std::map::lower_bound). */
function lowerBound(paths: readonly string[], key: string): number {
  let lo = 0;
  let hi = paths.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareUtf8(paths[mid], key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function frameLanguage(fts: FtsSpec, obj: Document, parent: TextLanguage): TextLanguage {
  if (!Object.prototype.hasOwnProperty.call(obj, fts.languageOverride)) return parent;
  const v = obj[fts.languageOverride];
  return typeof v === 'string' ? (findLanguage(v) ?? parent) : parent;
}

function walk(
  fts: FtsSpec,
  entries: Iterable<[string, unknown]>,
  parentPath: string,
  inArray: boolean,
  language: TextLanguage,
  out: TextValue[],
): void {
  for (const [field, value] of entries) {
    if (fts.wildcard && field === fts.languageOverride) continue;
    const path = parentPath === '' ? field : inArray ? parentPath : `${parentPath}.${field}`;
    const type = bsonTypeOf(value);
    const i = lowerBound(fts.paths, type === 'object' ? `${path}.` : path);
    const candidate = i < fts.paths.length ? fts.paths[i] : undefined;
    if (
      !fts.wildcard &&
      (candidate === undefined || !(candidate === path || candidate.startsWith(`${path}.`)))
    )
      continue;
    const exact = candidate === path;
    const weight = candidate === undefined ? 1 : fts.weights[i];
    if (type === 'string') {
      if (exact || fts.wildcard) out.push({ text: value as string, language, weight });
    } else if (type === 'object') {
      if (!exact || fts.wildcard) {
        const doc = value as Document;
        walk(fts, Object.entries(doc), path, false, frameLanguage(fts, doc, language), out);
      }
    } else if (type === 'array') {
      if (!inArray || fts.wildcard) {
        const arr = value as unknown[];
        walk(
          fts,
          arr.map((v, k): [string, unknown] => [String(k), v]),
          path,
          true,
          language,
          out,
        );
      }
    }
  }
}

/** The document's indexed strings, in mongod's order, with their language and weight. */
export function textValuesOf(fts: FtsSpec, doc: Document): TextValue[] {
  const out: TextValue[] = [];
  walk(fts, Object.entries(doc), '', false, frameLanguage(fts, doc, fts.defaultLanguage), out);
  return out;
}
