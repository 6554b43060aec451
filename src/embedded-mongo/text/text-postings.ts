/**
 * The postings of a text index: term -> the records holding it in some version, with the term's
 * score read from the per-version analysis (document-terms.ts). Maintained by the index on every
 * write and rebuilt with the index (recovery, index builds), so `$text` reads the records of its
 * search terms instead of analyzing every document.
 *
 * Contract: for every record of the collection, every version still in its chain that holds a
 * term is in that term's set. Entries leave when the versions holding the term are pruned or
 * rolled back (`remove`); a lookup also drops any it meets whose record left the collection or no
 * longer holds the term. Readers re-check the version visible to them with the full filter.
 */
import type { Document } from '../bson.js';
import type { DocRecord, Version } from '../catalog/mvcc.js';
import { findTerm, type TextTermCache } from './document-terms.js';

export class TextPostings {
  private readonly byTerm = new Map<string, Set<DocRecord>>();

  constructor(private readonly cache: () => TextTermCache) {}

  /** Records `doc` (a version of `rec`) under each of its terms. */
  add(rec: DocRecord, doc: Document): void {
    const cache = this.cache();
    const t = cache.termsOf(doc);
    for (const id of t.ids) {
      const term = cache.termText(id);
      let set = this.byTerm.get(term);
      if (!set) {
        set = new Set();
        this.byTerm.set(term, set);
      }
      set.add(rec);
    }
  }

  /** `rec` lost the versions `dropped`: it leaves the terms none of `kept` holds. */
  remove(rec: DocRecord, dropped: readonly Document[], kept: readonly Document[]): void {
    const cache = this.cache();
    const keep = new Set<string>();
    for (const d of kept) for (const id of cache.termsOf(d).ids) keep.add(cache.termText(id));
    for (const d of dropped) {
      for (const id of cache.termsOf(d).ids) {
        const term = cache.termText(id);
        if (keep.has(term)) continue;
        const set = this.byTerm.get(term);
        if (!set) continue;
        set.delete(rec);
        if (set.size === 0) this.byTerm.delete(term);
      }
    }
  }

  /** How many records the postings hold for `term` (stale entries included). */
  postingCount(term: string): number {
    return this.byTerm.get(term)?.size ?? 0;
  }

  clear(): void {
    this.byTerm.clear();
  }

  /**
   * Records that may hold any of `terms` (in record-id order, i.e. natural order), for which
   * `live(rec)` says the record still belongs to the collection. Entries no version of which
   * holds the term any more are dropped on the way.
   */
  candidates(terms: readonly string[], live: (rec: DocRecord) => boolean): DocRecord[] {
    const out = new Set<DocRecord>();
    for (const term of terms) {
      const set = this.byTerm.get(term);
      if (!set) continue;
      for (const rec of set) {
        if (!live(rec) || !this.holds(rec, term)) {
          set.delete(rec);
          continue;
        }
        out.add(rec);
      }
      if (set.size === 0) this.byTerm.delete(term);
    }
    return [...out].sort((a, b) => a.rid - b.rid);
  }

  private holds(rec: DocRecord, term: string): boolean {
    const cache = this.cache();
    for (let v: Version | null = rec.head; v; v = v.prev) {
      if (!v.doc) continue;
      const t = cache.termsOf(v.doc);
      // termId after termsOf: an analysis may start the vocabulary over (new ids).
      if (findTerm(t, cache.termId(term)) >= 0) return true;
    }
    return false;
  }
}
