/**
 * The storage interface: what an engine must promise, and nothing more.
 *
 * The live state (databases, collections, documents, indexes, versions) lives in memory above
 * this interface, in catalog/. An engine only makes that state durable:
 *
 *  - it persists MUTATION BATCHES in the order they are appended. A batch is atomic: after a crash
 *    recovery yields either the whole batch or none of it, and every batch recovered is preceded by
 *    all batches appended before it (recovery yields a prefix of the appended sequence);
 *  - it takes CHECKPOINTS: a consistent image of the whole state (obtained from the
 *    CheckpointSource the catalog registers at open) after which the batches it covers are no
 *    longer needed;
 *  - on open it hands back the last checkpoint plus the batches appended after it, which the
 *    catalog applies in order to rebuild the in-memory state.
 *
 * Semantics (uniqueness, MVCC, validation, ...) never live in an engine, so a new engine stays
 * tiny. A write is acknowledged durable only when the promise of a `{durable: true}` append (or of
 * `flush()`) resolves; that also covers every batch appended before it.
 */
import type { Binary, Document, Long, Timestamp } from '../bson.js';

/** Full namespace, `<db>.<collection>`. */
export type Namespace = string;

/**
 * One change to the state. Document mutations carry whole documents (no diffs): replaying a batch
 * twice yields the same state. Fields marked "in memory only" are never journaled; they exist for
 * observers of committed batches (oplog, change streams) and are absent from recovered batches.
 */
export type Mutation =
  | { op: 'createCollection'; ns: Namespace; uuid: Binary; options: Document }
  | { op: 'dropCollection'; ns: Namespace }
  | { op: 'renameCollection'; from: Namespace; to: Namespace }
  | { op: 'dropDatabase'; db: string }
  | { op: 'createIndex'; ns: Namespace; spec: Document }
  | { op: 'dropIndex'; ns: Namespace; name: string }
  | { op: 'collMod'; ns: Namespace; changes: Document }
  /**
   * Insert or replace the document whose `_id` is `id` (`doc._id` equals `id`). In memory only:
   * `before` (the version replaced, null for an insert) and `update` (set when an update
   * operator or pipeline made the change: change streams report it as an 'update' event with
   * this description rather than as a 'replace').
   */
  | {
      op: 'put';
      ns: Namespace;
      id: unknown;
      doc: Document;
      before?: Document | null;
      update?: DocumentDiff;
    }
  | { op: 'delete'; ns: Namespace; id: unknown; before?: Document | null };

/** What an update changed in one document, as change streams' `updateDescription` reports it. */
export interface DocumentDiff {
  readonly updatedFields: Document;
  readonly removedFields: readonly string[];
  readonly truncatedArrays: readonly { readonly field: string; readonly newSize: number }[];
  /** Components of the ambiguous paths above (shown with `showExpandedEvents`). */
  readonly disambiguatedPaths: Document;
}

/** The multi-document transaction a batch commits (its change events carry lsid/txnNumber). */
export interface TransactionTag {
  readonly lsid: Document;
  readonly txnNumber: Long;
}

/** The unit of atomicity and ordering. `ts` is the commit Timestamp the catalog's clock assigned. */
export interface MutationBatch {
  readonly ts: Timestamp;
  readonly mutations: readonly Mutation[];
  /** In memory only: set when the batch is the commit of a multi-document transaction. */
  readonly txn?: TransactionTag;
}

export interface IndexImage {
  /** The index's listIndexes document (`{v, key, name, ...options}`). */
  readonly spec: Document;
}

export interface CollectionImage {
  readonly ns: Namespace;
  readonly uuid: Binary;
  readonly options: Document;
  /** Every index except `_id_`, which always exists. */
  readonly indexes: readonly IndexImage[];
  /** The committed documents. Must be immutable objects: the engine serializes them after the call returns. */
  readonly documents: readonly Document[];
}

/** A consistent image of the state that includes exactly the batches appended before it was taken. */
export interface CheckpointImage {
  /** Commit Timestamp of the last batch included (or the clock's value): recovery never goes below it. */
  readonly ts: Timestamp;
  readonly collections: readonly CollectionImage[];
}

/**
 * Called by the engine, synchronously, whenever it decides to checkpoint. It must return an image
 * that reflects exactly the batches appended so far: the catalog guarantees this by applying a
 * batch and appending it in the same synchronous step.
 */
export type CheckpointSource = () => CheckpointImage;

export interface RecoveredState {
  /** The last complete checkpoint, or null for a fresh (or in-memory) data directory. */
  readonly checkpoint: CheckpointImage | null;
  /** Batches appended after that checkpoint, in append order; apply them in this order. */
  readonly batches: readonly MutationBatch[];
  /** What recovery did, for logs and tests. */
  readonly report: RecoveryReport;
}

export interface RecoveryReport {
  readonly checkpointDocuments: number;
  readonly journalFiles: number;
  readonly journalRecords: number;
  /** Bytes of torn or corrupt journal tail discarded (and truncated away). */
  readonly discardedBytes: number;
  readonly millis: number;
}

export interface EngineStats {
  /** Batches appended since open. */
  appends: number;
  /** write() calls issued to the journal file. */
  writes: number;
  /** fdatasync calls on the journal: with group commit, far fewer than durable appends. */
  fsyncs: number;
  /** Appends that asked for durability. */
  durableAppends: number;
  journalBytes: number;
  checkpoints: number;
  lastCheckpointMillis: number;
}

export interface AppendOptions {
  /** Resolve only once this batch (and every earlier one) is on stable storage. */
  readonly durable: boolean;
}

export interface StorageEngine {
  /** 'memory' keeps nothing across restarts; 'file' persists in a data directory. */
  readonly kind: 'memory' | 'file';
  /** The data directory, for file engines. */
  readonly dbPath?: string;
  /**
   * Opens the store (taking its lock) and returns what it held. `source` is kept for checkpoints.
   * Called once, before any other method.
   */
  open(source: CheckpointSource): Promise<RecoveredState>;
  /**
   * Appends one batch. The batch is serialized synchronously (so later changes to its objects
   * cannot leak in) and ordered after every earlier call. Non-durable appends resolve at once and
   * reach the disk soon (the file engine flushes within ~100 ms, or with the next durable append);
   * durable appends resolve after the batch is on stable storage. Rejects if the engine has
   * failed (an I/O error makes it refuse all further appends: the in-memory state would no longer
   * be what the disk holds).
   */
  append(batch: MutationBatch, opts: AppendOptions): Promise<void>;
  /** Resolves when everything appended so far is on stable storage. */
  flush(): Promise<void>;
  /** Takes a checkpoint now (engines also take them on their own, off the hot path). */
  checkpoint(): Promise<void>;
  /** Flushes, takes a final checkpoint (so the next open is fast), releases the lock. Idempotent. */
  close(): Promise<void>;
  stats(): EngineStats;
}

export function emptyStats(): EngineStats {
  return {
    appends: 0,
    writes: 0,
    fsyncs: 0,
    durableAppends: 0,
    journalBytes: 0,
    checkpoints: 0,
    lastCheckpointMillis: 0,
  };
}
