/**
 * One secondary (or the `_id_`) index of a collection: an ordered set of entries (key tuple,
 * record), compared field by field with MongoDB's value order times the field's direction, then
 * by record id.
 *
 * MVCC contract: the index holds the keys of EVERY version still kept in a record's chain
 * (committed or not), so a reader at any open snapshot finds what it needs. Entries can therefore
 * be stale for a given reader; every read re-checks the version visible to it (see planner.ts).
 * Entries leave when the last version generating them is pruned or rolled back.
 */
import type { Document } from '../bson.js';
import { compareValues } from '../values/compare.js';
import type { IndexDescriptor } from './index-spec.js';
import { KeyGenerator, tuplesEqual, type DocumentKeys, type KeyTuple } from './keys.js';
import type { DocRecord } from './mvcc.js';
import { SortedList } from './sorted-list.js';
import { termCacheFor } from '../text/document-terms.js';
import { TextPostings } from '../text/text-postings.js';

export interface IndexEntry {
  readonly key: KeyTuple;
  readonly rec: DocRecord;
}

const NO_KEYS: DocumentKeys = { keys: [], arrayFields: [] };

export type FilterCompiler = (filter: Document) => (doc: Document) => boolean;

export class KeyIndex {
  readonly gen: KeyGenerator;
  readonly entries: SortedList<IndexEntry>;
  readonly dirs: readonly (1 | -1)[];
  /** Per field: an array was ever met (mongod's multiKeyPaths; never reset, as in mongod). */
  readonly multikeyFields: boolean[];
  multikey = false;
  /** Text indexes: term -> records, maintained by add/collect and read by `$text`. */
  readonly postings: TextPostings | undefined;

  constructor(
    public desc: IndexDescriptor,
    compileFilter: FilterCompiler,
  ) {
    const partial = desc.partialFilterExpression ? compileFilter(desc.partialFilterExpression) : undefined;
    this.gen = new KeyGenerator(desc.fields, desc.sparse, partial);
    this.dirs = desc.fields.map((f) => f.dir);
    this.multikeyFields = desc.fields.map(() => false);
    this.entries = new SortedList<IndexEntry>((a, b) => this.compareEntries(a, b));
    this.postings = desc.kind === 'text' ? new TextPostings(() => termCacheFor(this)) : undefined;
  }

  get name(): string {
    return this.desc.name;
  }

  /** Text indexes hold postings (see `postings`), not B-tree entries. */
  get holdsEntries(): boolean {
    return this.desc.kind === 'btree';
  }

  compareKeys(a: KeyTuple, b: KeyTuple): number {
    const dirs = this.dirs;
    for (let i = 0; i < dirs.length; i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return dirs[i] === 1 ? c : -c;
    }
    return 0;
  }

  compareEntries(a: IndexEntry, b: IndexEntry): number {
    return this.compareKeys(a.key, b.key) || a.rec.rid - b.rec.rid;
  }

  /** Key tuples of a document ([] when the index does not hold it). Throws CannotIndexParallelArrays. */
  keysOf(doc: Document): KeyTuple[] {
    if (!this.holdsEntries) return [];
    return this.gen.keysOf(doc).keys;
  }

  /** Key tuples of a document and where it met arrays (empty when the index does not hold it). */
  generate(doc: Document): DocumentKeys {
    return this.holdsEntries ? this.gen.keysOf(doc) : NO_KEYS;
  }

  /**
   * Adds the entries of `doc` (a version of `rec`); returns the keys. `generated` is
   * `generate(doc)` when the caller has it already.
   */
  add(rec: DocRecord, doc: Document, generated?: DocumentKeys): KeyTuple[] {
    if (!this.holdsEntries) {
      this.postings?.add(rec, doc);
      return [];
    }
    const { keys, arrayFields } = generated ?? this.gen.keysOf(doc);
    for (let i = 0; i < arrayFields.length; i++) {
      if (arrayFields[i] && !this.multikeyFields[i]) {
        this.multikeyFields[i] = true;
        this.multikey = true;
      }
    }
    if (keys.length > 1) this.multikey = true;
    for (const key of keys) this.entries.insert({ key, rec });
    return keys;
  }

  /** Removes entries (key, rec) for the given keys. */
  remove(rec: DocRecord, keys: readonly KeyTuple[]): void {
    for (const key of keys) this.entries.delete({ key, rec });
  }

  /** Entries whose key equals `key` (any record). */
  equal(key: KeyTuple): IndexEntry[] {
    const out: IndexEntry[] = [];
    let p = this.entries.seek((e) => this.compareKeys(e.key, key) >= 0);
    for (let e = this.entries.at(p); e && this.compareKeys(e.key, key) === 0; e = this.entries.at(p)) {
      out.push(e);
      const n = this.entries.next(p);
      if (!n) break;
      p = n;
    }
    return out;
  }

  /** Whether `doc` (if non-null) generates `key` in this index. */
  generates(doc: Document | null, key: KeyTuple): boolean {
    if (!doc) return false;
    return this.keysOf(doc).some((k) => tuplesEqual(k, key));
  }

  /** Replaces the whole content (recovery, index builds): entries need not be sorted. */
  load(entries: IndexEntry[]): void {
    if (!this.holdsEntries) return;
    entries.sort((a, b) => this.compareEntries(a, b));
    const unique: IndexEntry[] = [];
    for (const e of entries) {
      if (unique.length === 0 || this.compareEntries(unique[unique.length - 1], e) !== 0) unique.push(e);
    }
    this.entries.loadSorted(unique);
  }

  /** Generates the entries of a document for a bulk load, tracking multikey. */
  collect(rec: DocRecord, doc: Document, into: IndexEntry[]): KeyTuple[] {
    if (!this.holdsEntries) {
      this.postings?.add(rec, doc);
      return [];
    }
    const { keys, arrayFields } = this.gen.keysOf(doc);
    for (let i = 0; i < arrayFields.length; i++) {
      if (arrayFields[i]) {
        this.multikeyFields[i] = true;
        this.multikey = true;
      }
    }
    if (keys.length > 1) this.multikey = true;
    for (const key of keys) into.push({ key, rec });
    return keys;
  }

  /** mongod's multiKeyPaths explain field: `{a: ['a'], b: []}`. */
  multiKeyPaths(): Document {
    const out: Document = {};
    this.desc.fields.forEach((f, i) => {
      out[f.path] = this.multikeyFields[i] ? [f.path] : [];
    });
    return out;
  }
}
