/**
 * `$text` for the command layer: given a collection and a filter, the pieces a query needs.
 *
 *   const text = textSearchFor(coll, filter, ns);          // undefined: no $text in the filter
 *   const matcher = compileFilter(filter, { textMatcher: text?.textMatcher });
 *   text?.check({ hint, sort });                          // query- and plan-level rules
 *   compileSort(sort, { textScore: text?.score });        // and projections' {$meta: 'textScore'}
 *
 * The matcher fails like mongod when the collection or its text index is missing (IndexNotFound
 * 27) and for a bad `$text` argument or language. Every matcher built from the same `$text`
 * argument object shares one predicate, so a projection's positional filter and the scan agree,
 * and `score(doc)` answers for the documents the scan matched. Scores are kept per query (not on
 * the stored documents), so concurrent searches never see each other's.
 */
import type { Document } from '../bson.js';
import type { Collection } from '../catalog/collection.js';
import type { KeyIndex } from '../catalog/key-index.js';
import type { TextMatcherFactory } from '../query/matcher.js';
import { termCacheFor } from './document-terms.js';
import { requireLanguage } from './language.js';
import { checkTextPlan, checkTextQuery, hasText, parseTextArgument, type QueryShape } from './text-filter.js';
import { TextQuery } from './text-query.js';
import { textIndexRequired } from './text.errors.js';

export interface TextSearch {
  /** FilterOptions.textMatcher for compileFilter. */
  readonly textMatcher: TextMatcherFactory;
  /** The text score of a document the `$text` predicate matched; undefined for others. */
  score(doc: Document): number | undefined;
  /** Throws mongod's error when the query may not hold `$text` as it does (call after compiling). */
  check(shape: QueryShape): void;
  /**
   * ScanOptions.text (call after compiling): the text index and search terms whose postings hold
   * every document the filter can match; undefined when `$text` is not a top-level predicate.
   */
  plan(): { readonly index: KeyIndex; readonly terms: readonly string[] } | undefined;
}

/** The collection's text index (mongod allows one), hidden or not. */
export function findTextIndex(coll: Collection): KeyIndex | undefined {
  for (const ix of coll.indexes.values()) if (ix.desc.kind === 'text') return ix;
  return undefined;
}

function leadsUsableIndex(coll: Collection, path: string): boolean {
  for (const ix of coll.indexes.values()) {
    const d = ix.desc;
    if (!ix.holdsEntries || d.hidden || d.sparse || d.partialFilterExpression) continue;
    if (d.fields[0]?.path === path) return true;
  }
  return false;
}

/** Text search pieces for `filter` on `coll` (undefined when the filter has no `$text`). */
export function textSearchFor(
  coll: Collection | undefined,
  filter: Document,
  ns?: string,
): TextSearch | undefined {
  if (!hasText(filter)) return undefined;
  const ix = coll ? findTextIndex(coll) : undefined;
  const queries = new Map<Document, TextQuery>();
  let first: TextQuery | undefined;
  return {
    textMatcher: (arg) => {
      let q = queries.get(arg);
      if (!q) {
        const params = parseTextArgument(arg);
        if (!coll) throw textIndexRequired(ns);
        if (!ix) throw textIndexRequired();
        const language = params.language ? requireLanguage(params.language) : undefined;
        q = new TextQuery(termCacheFor(ix), { ...params, language });
        queries.set(arg, q);
        first ??= q;
      }
      const query = q;
      return (doc) => query.matches(doc);
    },
    score: (doc) => first?.score(doc),
    plan: () =>
      ix && first && Object.prototype.hasOwnProperty.call(filter, '$text')
        ? { index: ix, terms: first.parsed.boundsTerms }
        : undefined,
    check: (shape) => {
      checkTextQuery(filter, shape);
      if (!coll || !ix) return;
      const prefixFields = termCacheFor(ix).fts.prefixFields;
      checkTextPlan(filter, { leads: (path) => leadsUsableIndex(coll, path), prefixFields });
    },
  };
}
