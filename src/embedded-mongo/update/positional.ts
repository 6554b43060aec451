/**
 * Where the positional `$` points: the index of the first array element that satisfied the
 * query. mongod records it while matching (MatchDetails' elemMatchKey); callers that ran the
 * matcher that way pass `matchedArrayIndex`. Otherwise the query is run again here and the
 * matcher's elemMatchKey used. When the matcher reports none (a matcher without that ability,
 * or a match through $or), a fallback looks for one:
 *
 * equality-style predicates of the query (top level and `$and` branches) are tried in order; a
 * predicate whose path first meets an array at the same path as the update's `$` wins, otherwise
 * the first predicate that meets any array and matches one of its elements does. The index is
 * that of the first matching element. Negations ($ne, $nin, $not, $exists, $size) never set it.
 */
import type { Document } from '../bson.js';
import { isPlainObject } from '../values/types.js';
import type { CompileFilter } from './operators/index.js';

interface Predicate {
  readonly path: string;
  readonly condition: unknown;
}

const NON_POSITIONAL = new Set(['$ne', '$nin', '$not', '$exists', '$size', '$type']);

function collect(query: Document, out: Predicate[]): void {
  for (const [key, condition] of Object.entries(query)) {
    if (key === '$and' && Array.isArray(condition)) {
      for (const branch of condition) if (isPlainObject(branch)) collect(branch, out);
    } else if (!key.startsWith('$')) {
      if (isPlainObject(condition) && Object.keys(condition).some((k) => NON_POSITIONAL.has(k))) continue;
      out.push({ path: key, condition });
    }
  }
}

const WRAP = 'x';

function elementMatches(
  element: unknown,
  rest: readonly string[],
  condition: unknown,
  compile: CompileFilter,
): boolean {
  if (rest.length > 0) {
    return isPlainObject(element) && compile({ [rest.join('.')]: condition })(element);
  }
  if (isPlainObject(condition) && Object.keys(condition)[0] === '$elemMatch') {
    return compile({ [WRAP]: condition })({ [WRAP]: [element] });
  }
  return compile({ [WRAP]: condition })({ [WRAP]: element });
}

/** Walks `path` in `doc` to the first array reached by a field name; returns its path and the rest. */
function firstArray(
  doc: Document,
  parts: readonly string[],
): { arrayPath: string; array: unknown[]; rest: string[] } | undefined {
  let cur: unknown = doc;
  for (let i = 0; i < parts.length; i++) {
    if (Array.isArray(cur)) {
      if (/^[0-9]+$/.test(parts[i])) {
        cur = cur[Number(parts[i])];
        continue;
      }
      return { arrayPath: parts.slice(0, i).join('.'), array: cur, rest: parts.slice(i) };
    }
    if (!isPlainObject(cur)) return undefined;
    cur = Object.prototype.hasOwnProperty.call(cur, parts[i]) ? cur[parts[i]] : undefined;
  }
  return Array.isArray(cur) ? { arrayPath: parts.join('.'), array: cur, rest: [] } : undefined;
}

/** Compiled queries, per matcher and query object (an updateMany re-runs one query per document). */
const compiled = new WeakMap<CompileFilter, WeakMap<Document, ReturnType<CompileFilter>>>();

function compileQuery(compile: CompileFilter, query: Document): ReturnType<CompileFilter> {
  let byQuery = compiled.get(compile);
  if (!byQuery) {
    byQuery = new WeakMap();
    compiled.set(compile, byQuery);
  }
  let matcher = byQuery.get(query);
  if (!matcher) {
    matcher = compile(query);
    byQuery.set(query, matcher);
  }
  return matcher;
}

export function findMatchedArrayIndex(
  doc: Document,
  query: Document,
  preferredArrayPaths: readonly string[],
  compile: CompileFilter,
): number | undefined {
  const details: { elemMatchKey?: string } = {};
  if (
    compileQuery(compile, query)(doc, details) &&
    details.elemMatchKey !== undefined &&
    /^[0-9]+$/.test(details.elemMatchKey)
  ) {
    return Number(details.elemMatchKey);
  }
  const predicates: Predicate[] = [];
  collect(query, predicates);
  let fallback: number | undefined;
  for (const { path, condition } of predicates) {
    const found = firstArray(doc, path.split('.'));
    if (!found) continue;
    const index = found.array.findIndex((el) => elementMatches(el ?? null, found.rest, condition, compile));
    if (index < 0) continue;
    if (preferredArrayPaths.includes(found.arrayPath)) return index;
    fallback ??= index;
  }
  return fallback;
}
