/**
 * The postings of a text index: term -> the records holding it in some version, with the term's
 * score read from the per-version analysis (document-terms.ts). Maintained by the index on every
 * write and rebuilt with the index (recovery, index builds), so `$text` reads the records of its
 * search terms instead of analyzing every document.
 *
 * Contract: for every record of the collection, every version still in its chain that holds a
 * term is in that term's set (a superset: entries whose versions are gone are dropped lazily when
 * a lookup meets them). Readers re-check the version visible to them with the full filter.
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
