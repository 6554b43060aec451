/**
 * A WriteUnit collects the document writes of one command (or, next, one transaction) and
 * commits them as ONE mutation batch: one commit Timestamp, one journal record, one fsync when
 * durable.
 *
 * Each write is applied at once as an uncommitted version (so the unit reads its own writes and
 * unique indexes see it), invisible to every other reader until commit() makes the whole batch
 * visible in one synchronous step. A failing write (DuplicateKey, WriteConflict, ...) changes
 * nothing and leaves the unit usable, which is what ordered/unordered bulk semantics need.
 *
 * Conflicts: a document another open unit has written throws WriteConflict (112). A unit opened
 * with a snapshot (transactions) also throws WriteConflict when the document was committed by
 * someone else after that snapshot (first committer wins), and reads at its snapshot.
 *
 * Keep units short for plain commands: until commit, the documents they wrote are locked against
 * other writers. commit() and abort() are final.
 */
import type { Document, Timestamp } from '../bson.js';
import { mongoError } from '../errors.js';
import { keyString } from '../values/keystring.js';
import type { DocumentDiff, Mutation, TransactionTag } from '../storage/engine.js';
import { checkIdValue, withId, type Collection, type StagingWriter } from './collection.js';
import type { DocRecord, WriterToken } from './mvcc.js';
import type { Snapshot } from './snapshot.js';
import { renderValue } from './collection.js';

export interface UnitHost {
  getCollectionByNs(ns: string): Collection | undefined;
  ensureCollectionByNs(ns: string): Collection;
  commitUnit(unit: WriteUnit, durable: boolean): Promise<Timestamp>;
  releaseUnit(unit: WriteUnit): void;
}

interface Staged {
  readonly coll: Collection;
  readonly op: 'put' | 'delete';
  readonly id: unknown;
  readonly doc: Document | null;
  readonly before: Document | null;
  readonly update?: DocumentDiff;
}

let nextWriterId = 1;

export class WriteUnit implements WriterToken, StagingWriter {
  readonly writerId = nextWriterId++;
  readonly token: WriterToken = this;
  private readonly staged: Staged[] = [];
  private readonly touched = new Map<DocRecord, Collection>();
  private status: 'open' | 'committed' | 'aborted' = 'open';
  /** The commit Timestamp, once committed. */
  commitTs: Timestamp | undefined;
  /**
   * Set by the transaction layer before commit when this unit is a multi-document transaction:
   * the committed batch carries it, and its change events show `lsid` and `txnNumber`.
   */
  txn: TransactionTag | undefined;

  constructor(
    private readonly host: UnitHost,
    /** Reads at this snapshot and write-conflict detection against it (transactions). */
    readonly snapshot?: Snapshot,
  ) {}

  get snapshotSeq(): number | undefined {
    return this.snapshot?.seq;
  }

  get state(): 'open' | 'committed' | 'aborted' {
    return this.status;
  }

  /** Number of writes staged so far. */
  get size(): number {
    return this.staged.length;
  }

  /** The document with this `_id` as the unit sees it (its snapshot plus its own writes). */
  findById(ns: string, id: unknown): Document | null {
    return this.host.getCollectionByNs(ns)?.findById(id, { unit: this }) ?? null;
  }

  /**
   * Inserts `doc` (given an ObjectId `_id` first if it has none), creating the collection if
   * needed. Returns the stored document. DuplicateKey (11000) on any unique index.
   */
  insert(ns: string, doc: Document): Document {
    this.assertOpen();
    const stored = withId(doc);
    checkIdValue(stored._id);
    const coll = this.host.ensureCollectionByNs(ns);
    const r = coll.stage(this, stored._id, stored, 'insert');
    if (!r) throw new Error('unreachable: insert staged nothing');
    this.record(coll, r.rec, { coll, op: 'put', id: stored._id, doc: stored, before: null });
    return stored;
  }

  /**
   * Replaces the document with this `_id` by `doc` (which keeps that `_id`; a missing `_id` is
   * filled in). Returns the previous version, or null (and no change) if there is none. `update`
   * describes the change when an update operator or pipeline made it (change streams then report
   * an 'update' event; without it, a 'replace').
   */
  replace(ns: string, id: unknown, doc: Document, update?: DocumentDiff): Document | null {
    this.assertOpen();
    let stored = doc;
    if (!Object.prototype.hasOwnProperty.call(doc, '_id') || doc._id === undefined)
      stored = { _id: id, ...doc };
    else if (keyString(doc._id) !== keyString(id)) {
      throw mongoError(
        'ImmutableField',
        `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${renderValue(doc._id)}`,
      );
    }
    const coll = this.host.getCollectionByNs(ns);
    if (!coll) return null;
    const r = coll.stage(this, id, stored, 'update');
    if (!r) return null;
    this.record(coll, r.rec, { coll, op: 'put', id, doc: stored, before: r.before, update });
    return r.before;
  }

  /** Deletes the document with this `_id`. Returns it, or null if there was none. */
  delete(ns: string, id: unknown): Document | null {
    this.assertOpen();
    const coll = this.host.getCollectionByNs(ns);
    if (!coll) return null;
    const r = coll.stage(this, id, null, 'delete');
    if (!r) return null;
    this.record(coll, r.rec, { coll, op: 'delete', id, doc: null, before: r.before });
    return r.before;
  }

  /**
   * Commits every staged write as one batch and resolves with its commit Timestamp; with
   * `durable`, only once the batch is on stable storage. Visibility is immediate (before the
   * promise resolves). An empty unit commits nothing (a durable one still waits for a flush).
   */
  commit(opts: { durable?: boolean } = {}): Promise<Timestamp> {
    this.assertOpen();
    return this.host.commitUnit(this, opts.durable ?? false);
  }

  /** Rolls back every staged write. */
  abort(): void {
    if (this.status !== 'open') return;
    const recs = [...this.touched.entries()].reverse();
    for (const [rec, coll] of recs) coll.rollbackRecord(rec);
    this.touched.clear();
    this.staged.length = 0;
    this.status = 'aborted';
    this.host.releaseUnit(this);
  }

  // --- used by the catalog at commit --------------------------------------------------------------

  /** @internal */
  touchedRecords(): ReadonlyMap<DocRecord, Collection> {
    return this.touched;
  }

  /** @internal The batch's mutations, namespaced as of now (a rename in between is followed). */
  mutations(): Mutation[] {
    return this.staged.map((s) =>
      s.op === 'put'
        ? { op: 'put', ns: s.coll.ns, id: s.id, doc: s.doc as Document, before: s.before, update: s.update }
        : { op: 'delete', ns: s.coll.ns, id: s.id, before: s.before },
    );
  }

  /** @internal */
  markCommitted(ts: Timestamp): void {
    this.status = 'committed';
    this.commitTs = ts;
  }

  private record(coll: Collection, rec: DocRecord, s: Staged): void {
    this.staged.push(s);
    if (!this.touched.has(rec)) this.touched.set(rec, coll);
  }

  private assertOpen(): void {
    if (this.status !== 'open') throw new Error(`write unit already ${this.status}`);
  }
}
