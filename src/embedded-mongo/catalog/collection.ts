/**
 * A collection: its documents (multi-version records keyed by keyString(_id), in insertion
 * order for natural-order scans), its indexes, and the read API (findById, count, scan, explain).
 *
 * Writes are staged by a WriteUnit (write-unit.ts), which calls the @internal methods below:
 * they check write conflicts and unique indexes, add an uncommitted head version and its index
 * entries, and later commit (stamp) or roll it back. Stored documents are never mutated.
 */
import { ObjectId, type Binary, type Document, type Timestamp } from '../bson.js';
import { MongoCommandError, mongoError } from '../errors.js';
import { bsonSize } from '../bson.js';
import { keyString } from '../values/keystring.js';
import { bsonTypeOf } from '../values/types.js';
import { ID_INDEX_NAME, idIndexSpec, parseIndexSpec, type IndexDescriptor } from './index-spec.js';
import { KeyIndex, type FilterCompiler, type IndexEntry } from './key-index.js';
import { tupleKey, type DocumentKeys, type KeyTuple } from './keys.js';
import {
  committedHead,
  hasHistory,
  visibleDoc,
  type DocRecord,
  type ReadView,
  type Version,
  type WriterToken,
} from './mvcc.js';
import { explainScan, planScan, type ExplainVerbosity, type Scan, type ScanOptions } from './planner.js';
import type { Snapshot } from './snapshot.js';

/** What a collection needs from its catalog. */
export interface CollectionHost {
  readonly compileFilter: FilterCompiler;
  /** Sequence numbers pinned by open snapshots, highest first. */
  pinnedSeqs(): readonly number[];
}

/** A reader: nothing (latest committed), a snapshot, and/or a write unit (sees its own writes). */
export interface ReadOptions {
  readonly snapshot?: Snapshot;
  /** A write unit; its own uncommitted writes are visible, and its snapshot (if any) applies. */
  readonly unit?: { readonly token: WriterToken; readonly snapshot?: Snapshot };
}

export function viewOf(opts: ReadOptions | undefined): ReadView {
  if (!opts) return {};
  const snap = opts.snapshot ?? opts.unit?.snapshot;
  snap?.assertOpen();
  return { seq: snap?.seq, writer: opts.unit?.token };
}

/** A writer as the staging methods see it. */
export interface StagingWriter {
  readonly token: WriterToken;
  /** Snapshot sequence number for conflict detection (transactions); undefined for plain writes. */
  readonly snapshotSeq: number | undefined;
}

export function writeConflict(): MongoCommandError {
  return mongoError(
    'WriteConflict',
    'Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction.',
  );
}

/** mongod-style rendering of a key value inside an E11000 message. */
export function renderValue(v: unknown): string {
  switch (bsonTypeOf(v)) {
    case 'string':
      return JSON.stringify(v);
    case 'null':
    case 'missing':
    case 'undefined':
      return 'null';
    case 'objectId':
      return `ObjectId('${(v as ObjectId).toHexString()}')`;
    case 'date':
      return `new Date(${(v as Date).getTime()})`;
    case 'object': {
      const parts = Object.entries(v as Document).map(([k, x]) => `${k}: ${renderValue(x)}`);
      return parts.length ? `{ ${parts.join(', ')} }` : '{}';
    }
    case 'array':
      return `[ ${(v as unknown[]).map(renderValue).join(', ')} ]`;
    case 'decimal':
      return `Decimal128("${String(v)}")`;
    default:
      return String(v);
  }
}

export class Collection {
  /** Documents by keyString(_id); Map order = insertion order = natural order. */
  readonly records = new Map<string, DocRecord>();
  /** Indexes by name, `_id_` first, then in creation order. */
  readonly indexes = new Map<string, KeyIndex>();
  /** Records holding more than one version (pruned when snapshots go away). */
  readonly history = new Set<DocRecord>();
  /** Latest committed state. */
  liveCount = 0;
  dataSize = 0;
  dropped = false;
  private nextRid = 1;
  /** Recovery mode: index maintenance is deferred to endBulk() (one sort per index). */
  private bulk = false;

  constructor(
    private readonly host: CollectionHost,
    public db: string,
    public name: string,
    readonly uuid: Binary,
    public options: Document,
  ) {
    this.indexes.set(ID_INDEX_NAME, new KeyIndex(parseIndexSpec(idIndexSpec()), host.compileFilter));
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get compileFilter(): FilterCompiler {
    return this.host.compileFilter;
  }

  get idIndex(): KeyIndex {
    return this.indexes.get(ID_INDEX_NAME) as KeyIndex;
  }

  // --- reads ------------------------------------------------------------------------------------

  /** The document with this `_id` as the reader sees it, or null. */
  findById(id: unknown, opts?: ReadOptions): Document | null {
    const rec = this.records.get(keyString(id));
    return rec ? visibleDoc(rec, viewOf(opts)) : null;
  }

  /** Number of documents the reader sees (O(1) for a plain read, a walk for snapshots/units). */
  count(opts?: ReadOptions): number {
    const view = viewOf(opts);
    if (view.seq === undefined && view.writer === undefined) return this.liveCount;
    let n = 0;
    for (const rec of this.records.values()) if (visibleDoc(rec, view)) n++;
    return n;
  }

  /**
   * Documents matching `filter`, through the planner (an index when one fits, else a collection
   * scan; the full filter is always re-applied). Lazy: documents are produced as the caller pulls,
   * and a pull after concurrent writes continues from where it was. When `sort` is given and no
   * index provides it, all matches are sorted in memory first (opts.sortComparator, or the
   * built-in MongoDB sort-key comparator). `limit` (0 = none) caps the result; apply skip yourself.
   */
  scan(filter: Document, opts: ScanOptions & ReadOptions = {}): Scan {
    return planScan(this, filter, opts, viewOf(opts));
  }

  /** mongod-shaped explain output for the same query (runs it for executionStats). */
  explain(
    filter: Document,
    opts: ScanOptions & ReadOptions = {},
    verbosity: ExplainVerbosity = 'executionStats',
  ): Document {
    return explainScan(this, filter, opts, viewOf(opts), verbosity);
  }

  listIndexes(): Document[] {
    return [...this.indexes.values()].map((ix) => ix.desc.spec);
  }

  getIndex(name: string): KeyIndex | undefined {
    return this.indexes.get(name);
  }

  /** Approximate sizes for collStats/dbStats/listDatabases. */
  stats(): {
    count: number;
    size: number;
    avgObjSize: number;
    nindexes: number;
    totalIndexSize: number;
    indexSizes: Document;
  } {
    const indexSizes: Document = {};
    let total = 0;
    for (const ix of this.indexes.values()) {
      const bytes = 4096 + ix.entries.size * 32;
      indexSizes[ix.name] = bytes;
      total += bytes;
    }
    return {
      count: this.liveCount,
      size: this.dataSize,
      avgObjSize: this.liveCount ? Math.round(this.dataSize / this.liveCount) : 0,
      nindexes: this.indexes.size,
      totalIndexSize: total,
      indexSizes,
    };
  }

  /** The Timestamp of the last committed write of this `_id` (null if none is known). */
  latestWriteTs(id: unknown): Timestamp | null {
    const rec = this.records.get(keyString(id));
    if (!rec) return null;
    return committedHead(rec)?.ts ?? null;
  }

  // --- staging (WriteUnit) ----------------------------------------------------------------------

  /**
   * @internal Stages a new version of the record with this `_id` for `writer`. `doc === null`
   * deletes. `mode` 'insert' fails with DuplicateKey when the writer already sees a document;
   * 'update' and 'delete' require one (else return undefined and change nothing). Returns the
   * version the writer saw before (null for an insert), and the record.
   */
  stage(
    writer: StagingWriter,
    id: unknown,
    doc: Document | null,
    mode: 'insert' | 'update' | 'delete',
  ): { before: Document | null; rec: DocRecord } | undefined {
    const key = keyString(id);
    let rec = this.records.get(key);
    const view: ReadView = { seq: writer.snapshotSeq, writer: writer.token };
    if (rec) {
      const head = rec.head;
      if (head.owner && head.owner !== writer.token) throw writeConflict();
      if (writer.snapshotSeq !== undefined) {
        const c = committedHead(rec);
        if (c && c.seq > writer.snapshotSeq) throw writeConflict();
      }
    }
    const before = rec ? visibleDoc(rec, view) : null;
    if (mode === 'insert' && before) {
      throw this.duplicateKey(this.idIndex, [id]);
    }
    if (mode !== 'insert' && !before) return undefined;

    // Keys first: CannotIndexParallelArrays and DuplicateKey must leave everything untouched.
    const keysByIndex = new Map<KeyIndex, KeyTuple[]>();
    const generated: DocumentKeys[] = [];
    if (doc) {
      for (const ix of this.indexes.values()) {
        const g = ix.generate(doc);
        generated.push(g);
        keysByIndex.set(ix, g.keys);
      }
      this.checkUnique(writer, rec, keysByIndex);
    }

    const version: Version = {
      doc,
      seq: 0,
      ts: null,
      owner: writer.token,
      size: doc ? bsonSize(doc) : 0,
      prev: null,
    };
    if (!rec) {
      rec = { key, rid: this.nextRid++, id, head: version };
      this.records.set(key, rec);
    } else if (rec.head.owner === writer.token) {
      const replaced = rec.head;
      version.prev = replaced.prev;
      rec.head = version;
      this.dropKeys(rec, replaced.doc);
    } else {
      version.prev = rec.head;
      rec.head = version;
    }
    if (doc) {
      let i = 0;
      for (const ix of this.indexes.values()) ix.add(rec, doc, generated[i++]);
    }
    this.history.add(rec);
    return { before, rec };
  }

  /** @internal Makes the uncommitted head of `rec` committed at (seq, ts). */
  commitRecord(rec: DocRecord, seq: number, ts: Timestamp): void {
    const head = rec.head;
    head.owner = null;
    head.seq = seq;
    head.ts = ts;
    this.account(head.prev, head);
    this.prune(rec);
  }

  /** @internal Drops the uncommitted head of `rec` (abort). */
  rollbackRecord(rec: DocRecord): void {
    const head = rec.head;
    if (!head.owner) return;
    if (head.prev) {
      rec.head = head.prev;
      this.dropKeys(rec, head.doc);
      this.prune(rec);
    } else {
      this.records.delete(rec.key);
      this.history.delete(rec);
      this.removeAllKeys(rec, [head.doc]);
    }
  }

  /**
   * @internal Installs a committed version directly (journal replay, TTL-free paths): no conflict
   * or uniqueness checks, the journal already passed them.
   */
  applyCommitted(id: unknown, doc: Document | null, seq: number, ts: Timestamp): void {
    const key = keyString(id);
    let rec = this.records.get(key);
    if (!rec && !doc) return;
    const version: Version = { doc, seq, ts, owner: null, size: doc ? bsonSize(doc) : 0, prev: null };
    if (!rec) {
      rec = { key, rid: this.nextRid++, id, head: version };
      this.records.set(key, rec);
    } else {
      version.prev = rec.head;
      rec.head = version;
    }
    if (doc && !this.bulk) for (const ix of this.indexes.values()) ix.add(rec, doc);
    this.history.add(rec);
    this.account(version.prev, version);
    this.prune(rec);
  }

  /** @internal Recovery: defer index maintenance until endBulk(). No readers or writers meanwhile. */
  beginBulk(): void {
    this.bulk = true;
  }

  /** @internal Ends recovery mode: builds every index from the documents. */
  endBulk(): void {
    if (!this.bulk) return;
    this.bulk = false;
    for (const ix of this.indexes.values()) this.rebuild(ix);
  }

  /** @internal Bulk load of committed documents into an empty collection (checkpoint recovery). */
  loadCommitted(docs: readonly Document[], ts: Timestamp): void {
    for (const doc of docs) {
      const id = doc._id;
      const key = keyString(id);
      const size = bsonSize(doc);
      const version: Version = { doc, seq: 0, ts, owner: null, size, prev: null };
      const rec: DocRecord = { key, rid: this.nextRid++, id, head: version };
      this.records.set(key, rec);
      this.liveCount++;
      this.dataSize += size;
    }
    if (!this.bulk) for (const ix of this.indexes.values()) this.rebuild(ix);
  }

  /** @internal Counters follow the latest committed state. */
  private account(before: Version | null, after: Version): void {
    if (before?.doc) {
      this.liveCount--;
      this.dataSize -= before.size;
    }
    if (after.doc) {
      this.liveCount++;
      this.dataSize += after.size;
    }
  }

  private checkUnique(
    writer: StagingWriter,
    rec: DocRecord | undefined,
    keysByIndex: Map<KeyIndex, KeyTuple[]>,
  ): void {
    for (const [ix, keys] of keysByIndex) {
      if (!ix.desc.unique) continue;
      for (const key of keys) {
        for (const e of ix.equal(key)) {
          if (e.rec === rec) continue;
          const head = e.rec.head;
          if (head.owner && head.owner !== writer.token) {
            // Another writer holds that document: whatever it ends up doing, we conflict.
            if (ix.generates(head.doc, key) || ix.generates(head.prev?.doc ?? null, key))
              throw writeConflict();
            continue;
          }
          if (ix.generates(head.doc, key)) {
            if (!head.owner && writer.snapshotSeq !== undefined && head.seq > writer.snapshotSeq) {
              throw writeConflict();
            }
            throw this.duplicateKey(ix, key);
          }
        }
      }
    }
  }

  /** @internal DuplicateKey (11000) shaped like mongod's, with keyPattern and keyValue. */
  duplicateKey(ix: KeyIndex, key: KeyTuple): MongoCommandError {
    const keyValue: Document = {};
    ix.desc.fields.forEach((f, i) => {
      keyValue[f.path] = key[i] === undefined ? null : key[i];
    });
    const rendered = Object.entries(keyValue)
      .map(([k, v]) => `${k}: ${renderValue(v)}`)
      .join(', ');
    return mongoError(
      'DuplicateKey',
      `E11000 duplicate key error collection: ${this.ns} index: ${ix.name} dup key: { ${rendered} }`,
      { keyPattern: ix.desc.key, keyValue },
    );
  }

  // --- version pruning --------------------------------------------------------------------------

  /**
   * Drops versions no reader can see any more. Kept: an uncommitted head, the newest committed
   * version, and for each open snapshot the version visible to it; a deletion with nothing
   * older kept is dropped too (absence reads the same). A record left with nothing goes. Index
   * entries generated only by dropped versions are removed.
   */
  prune(rec: DocRecord): void {
    if (rec.head.prev === null && rec.head.doc !== null) {
      this.history.delete(rec);
      return;
    }
    const kept: Version[] = [];
    let v: Version | null = rec.head;
    if (v.owner) {
      kept.push(v);
      v = v.prev;
    }
    if (v) kept.push(v);
    for (const pin of this.host.pinnedSeqs()) {
      while (v && v.seq > pin) v = v.prev;
      if (!v) break;
      if (kept[kept.length - 1] !== v) kept.push(v);
    }
    while (kept.length > 0 && kept[kept.length - 1].doc === null && !kept[kept.length - 1].owner) kept.pop();
    const dropped: Document[] = [];
    const keptSet = new Set(kept);
    for (let x: Version | null = rec.head; x; x = x.prev) if (!keptSet.has(x) && x.doc) dropped.push(x.doc);
    if (kept.length === 0) {
      this.records.delete(rec.key);
      this.history.delete(rec);
      this.removeAllKeys(rec, dropped);
      return;
    }
    for (let i = 0; i < kept.length; i++) kept[i].prev = i + 1 < kept.length ? kept[i + 1] : null;
    rec.head = kept[0];
    this.removeKeysExcept(
      rec,
      dropped,
      kept.filter((k) => k.doc !== null).map((k) => k.doc as Document),
    );
    if (hasHistory(rec)) this.history.add(rec);
    else this.history.delete(rec);
  }

  /** Prunes every record with history (after a snapshot was released). */
  pruneAll(): void {
    for (const rec of [...this.history]) this.prune(rec);
  }

  /** Removes keys of `doc` no longer generated by any version of `rec`. */
  private dropKeys(rec: DocRecord, doc: Document | null): void {
    if (!doc) return;
    const kept: Document[] = [];
    for (let v: Version | null = rec.head; v; v = v.prev) if (v.doc) kept.push(v.doc);
    this.removeKeysExcept(rec, [doc], kept);
  }

  private removeKeysExcept(rec: DocRecord, dropped: readonly Document[], kept: readonly Document[]): void {
    if (dropped.length === 0 || this.bulk) return;
    for (const ix of this.indexes.values()) {
      if (!ix.holdsEntries) {
        ix.postings?.remove(rec, dropped, kept);
        continue;
      }
      const keep = new Set<string>();
      for (const d of kept) for (const k of ix.keysOf(d)) keep.add(tupleKey(k));
      const gone = new Map<string, KeyTuple>();
      for (const d of dropped) {
        for (const k of ix.keysOf(d)) {
          const s = tupleKey(k);
          if (!keep.has(s)) gone.set(s, k);
        }
      }
      if (gone.size) ix.remove(rec, [...gone.values()]);
    }
  }

  private removeAllKeys(rec: DocRecord, docs: readonly (Document | null)[]): void {
    this.removeKeysExcept(
      rec,
      docs.filter((d): d is Document => d !== null),
      [],
    );
  }

  // --- index management (called by the catalog) -------------------------------------------------

  /**
   * @internal Builds an index over every kept version (snapshots may read through it), checking
   * uniqueness over the newest version of each record. Throws (leaving no index) on DuplicateKey
   * or CannotIndexParallelArrays.
   */
  buildIndex(desc: IndexDescriptor, checkUnique: boolean): KeyIndex {
    const ix = new KeyIndex(desc, this.host.compileFilter);
    if (this.bulk) return ix;
    const entries: IndexEntry[] = [];
    const seen = new Map<string, DocRecord>();
    for (const rec of this.records.values()) {
      let newest = true;
      for (let v: Version | null = rec.head; v; v = v.prev) {
        if (!v.doc) {
          newest = false;
          continue;
        }
        const keys = ix.collect(rec, v.doc, entries);
        if (checkUnique && desc.unique && (newest || v === committedHead(rec))) {
          for (const k of keys) {
            const s = tupleKey(k);
            const other = seen.get(s);
            if (other && other !== rec) throw this.duplicateKey(ix, k);
            seen.set(s, rec);
          }
        }
        newest = false;
      }
    }
    ix.load(entries);
    return ix;
  }

  private rebuild(ix: KeyIndex): void {
    ix.postings?.clear();
    const entries: IndexEntry[] = [];
    for (const rec of this.records.values()) {
      for (let v: Version | null = rec.head; v; v = v.prev) if (v.doc) ix.collect(rec, v.doc, entries);
    }
    ix.load(entries);
  }

  /** Plain, committed documents (checkpoint images). */
  committedDocuments(): Document[] {
    const out: Document[] = [];
    for (const rec of this.records.values()) {
      const v = committedHead(rec);
      if (v?.doc) out.push(v.doc);
    }
    return out;
  }

  /** Whether some write unit holds uncommitted versions here. */
  hasUncommitted(): boolean {
    for (const rec of this.history) if (rec.head.owner) return true;
    return false;
  }
}

/** Gives a document an `_id` (a new ObjectId, first field) when it has none. Never mutates `doc`. */
/** The document with `_id` first (as mongod stores it), generating an ObjectId when it has none. */
export function withId(doc: Document): Document {
  if (Object.prototype.hasOwnProperty.call(doc, '_id') && doc._id !== undefined) {
    if (Object.keys(doc)[0] === '_id') return doc;
    const out: Document = { _id: doc._id };
    for (const k of Object.keys(doc)) if (k !== '_id') out[k] = doc[k];
    return out;
  }
  return { _id: new ObjectId(), ...doc };
}

/** mongod's rules for an `_id` value (fixDocumentForInsert: BadValue; storage validation: 52). */
export function checkIdValue(id: unknown): void {
  const t = bsonTypeOf(id);
  if (t === 'array' || t === 'regex' || t === 'undefined') {
    throw mongoError('BadValue', `can't use ${t === 'array' ? 'an array' : `a ${t}`} for _id`);
  }
  if (t === 'object') {
    for (const k of Object.keys(id as Document)) {
      if (k.startsWith('$')) {
        throw mongoError(
          'DollarPrefixedFieldName',
          `_id fields may not contain '$'-prefixed fields: ${k} is not valid for storage.`,
        );
      }
    }
  }
}
