/**
 * The catalog: databases, collections and indexes in memory, recovered from and persisted
 * through a StorageEngine (storage/engine.ts).
 *
 * THE MODEL (read this before changing anything here)
 *
 * - State lives in memory; the engine only journals mutation batches and checkpoints images.
 *   Every change reaches the engine as a batch stamped by the cluster clock (clock.ts), and is
 *   applied in memory and appended in the SAME synchronous step, so the journal order is the
 *   commit order and a checkpoint image (taken synchronously) is exactly "all batches so far".
 * - DDL (create/drop/rename collection, dropDatabase, create/drop index, collMod) is applied at
 *   once and journaled as its own batch; it is not versioned (a snapshot reader of a dropped
 *   collection finds no collection).
 * - Documents are multi-versioned (mvcc.ts). A record per `_id` holds a chain of immutable
 *   versions, newest first, each stamped with the commit sequence number and Timestamp of its
 *   batch. Document writes go through a WriteUnit (write-unit.ts): each write adds an uncommitted
 *   head version visible only to its unit; commit() stamps all of them with one sequence number
 *   and Timestamp and journals them as one batch; abort() removes them.
 * - Readers see: latest committed (default), or a Snapshot (openSnapshot(): the versions
 *   committed at or before it, however long the read runs), or a unit's view (its snapshot plus
 *   its own writes). Index entries exist for every kept version, so they may be stale for a
 *   reader; the planner re-checks the visible version and always re-applies the filter.
 * - Versions are pruned as soon as no open snapshot can see them (on commit for the records
 *   written, and for all records with history when a snapshot is released): kept are the
 *   newest committed version, an uncommitted head, and the version each open snapshot sees.
 * - Write conflicts (for transactions, next): a unit writing a document another open unit wrote
 *   gets WriteConflict; a unit with a snapshot also gets it when the document was committed after
 *   its snapshot (`latestWriteTs(ns, id)` exposes the same information).
 * - Observers: onCommit(listener) sees every committed batch (DDL and documents), in commit
 *   order, synchronously at commit; onBeforeCommit(hook) may add writes to a unit just before it
 *   is stamped (an oplog that must be atomic with the batch).
 */
import { UUID, type Binary, type Document, type Timestamp } from '../bson.js';
import { MongoCommandError, mongoError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { compileFilter } from '../query/matcher.js';
import { bsonTypeOf } from '../values/types.js';
import type {
  CheckpointImage,
  Mutation,
  MutationBatch,
  RecoveredState,
  StorageEngine,
} from '../storage/engine.js';
import { ClusterClock } from './clock.js';
import { codedError } from './coded-error.js';
import { Collection, writeConflict, type CollectionHost } from './collection.js';
import {
  ID_INDEX_NAME,
  MAX_INDEXES,
  descriptorFromSpec,
  distinctIdentity,
  equivalentSpecs,
  parseIndexSpec,
  sameKeyPattern,
  showValue,
} from './index-spec.js';
import type { FilterCompiler, KeyIndex } from './key-index.js';
import { splitNamespace, validateCollectionName, validateDbName } from './names.js';
import { Snapshot, SnapshotRegistry } from './snapshot.js';
import { WriteUnit, type UnitHost } from './write-unit.js';

export interface CatalogOptions {
  logger?: Logger;
  /** TTL monitor period in seconds (mongod's ttlMonitorSleepSecs, default 60); 0 disables it. */
  ttlMonitorSleepSecs?: number;
  clock?: ClusterClock;
  /** Filter compiler for partial indexes and scans (default: query/matcher's compileFilter). */
  compileFilter?: FilterCompiler;
}

export interface DurabilityOptions {
  /** Resolve only after the change is on stable storage (j:true / w:'majority'). */
  readonly durable?: boolean;
}

export interface DatabaseInfo {
  name: string;
  sizeOnDisk: number;
  empty: boolean;
}

export interface CreateIndexesResult {
  numIndexesBefore: number;
  numIndexesAfter: number;
  createdCollectionAutomatically: boolean;
  /** 'all indexes already exist' when nothing was created. */
  note?: string;
}

export type CommitListener = (batch: MutationBatch, commitTs: Timestamp) => void;
export type BeforeCommitHook = (unit: WriteUnit, ts: Timestamp) => void;

export class Catalog implements UnitHost {
  readonly clock: ClusterClock;
  readonly logger: Logger;
  readonly compileFilter: FilterCompiler;
  private readonly collections = new Map<string, Collection>();
  private readonly snapshots: SnapshotRegistry;
  private readonly listeners = new Set<CommitListener>();
  private readonly beforeHooks = new Set<BeforeCommitHook>();
  private readonly openUnits = new Set<WriteUnit>();
  private readonly host: CollectionHost;
  /** Commit sequence number of the last committed batch. */
  private seq = 0;
  private ttlTimer: NodeJS.Timeout | undefined;
  private ttlRunning: Promise<number> | undefined;
  private pruneScheduled = false;
  private closed = false;
  /** What recovery did (for logs and the startup-time measurement). */
  recovery: RecoveredState['report'] | undefined;

  private constructor(
    readonly engine: StorageEngine,
    opts: CatalogOptions,
    compileFilter: FilterCompiler,
  ) {
    this.clock = opts.clock ?? new ClusterClock();
    this.logger = opts.logger ?? createLogger('warn', 'embedded-mongo/catalog');
    this.compileFilter = compileFilter;
    this.snapshots = new SnapshotRegistry(() => this.schedulePrune());
    const snapshots = this.snapshots;
    this.host = {
      compileFilter: this.compileFilter,
      pinnedSeqs: () => snapshots.pinned(),
    };
  }

  /** Opens the engine, rebuilds the state it holds, and starts the TTL monitor. */
  static async open(engine: StorageEngine, opts: CatalogOptions = {}): Promise<Catalog> {
    const catalog = new Catalog(engine, opts, opts.compileFilter ?? ((f: Document) => compileFilter(f)));
    const recovered = await engine.open(() => catalog.checkpointImage());
    catalog.restore(recovered);
    const secs = opts.ttlMonitorSleepSecs ?? 60;
    if (secs > 0) {
      catalog.ttlTimer = setInterval(() => {
        catalog
          .runTtlPass()
          .catch((e: unknown) => catalog.logger.warn('TTL pass failed', { error: String(e) }));
      }, secs * 1000);
      catalog.ttlTimer.unref();
    }
    return catalog;
  }

  // --- lookup -----------------------------------------------------------------------------------

  getCollection(db: string, name: string): Collection | undefined {
    return this.collections.get(`${db}.${name}`);
  }

  getCollectionByNs(ns: string): Collection | undefined {
    return this.collections.get(ns);
  }

  /** Databases that hold at least one collection (mongod lists no empty database either). */
  listDatabases(): DatabaseInfo[] {
    const dbs = new Map<string, DatabaseInfo>();
    for (const c of this.collections.values()) {
      const st = c.stats();
      const info = dbs.get(c.db) ?? { name: c.db, sizeOnDisk: 0, empty: true };
      info.sizeOnDisk += 4096 + st.size + st.totalIndexSize;
      info.empty = false;
      dbs.set(c.db, info);
    }
    return [...dbs.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  hasDatabase(db: string): boolean {
    for (const c of this.collections.values()) if (c.db === db) return true;
    return false;
  }

  /** Collections of a database. */
  collectionsOf(db: string): Collection[] {
    return [...this.collections.values()].filter((c) => c.db === db);
  }

  /** listCollections entries, shaped as mongod's. */
  listCollections(db: string): Document[] {
    return this.collectionsOf(db).map((c) => ({
      name: c.name,
      type: 'collection',
      options: c.options,
      info: { readOnly: false, uuid: c.uuid },
      idIndex: { v: 2, key: { _id: 1 }, name: ID_INDEX_NAME },
    }));
  }

  /** listIndexes documents; NamespaceNotFound (26) when the collection does not exist. */
  listIndexes(db: string, name: string): Document[] {
    return this.requireCollection(db, name).listIndexes();
  }

  // --- DDL ----------------------------------------------------------------------------------------

  /**
   * Creates a collection (NamespaceExists 48 if it exists; InvalidNamespace 73 for bad names).
   * The collection exists when this returns synchronously; the promise is durability.
   */
  createCollection(
    db: string,
    name: string,
    options: Document = {},
    opts: DurabilityOptions = {},
  ): Promise<Collection> {
    this.assertOpen();
    validateCollectionName(db, name);
    const ns = `${db}.${name}`;
    if (this.collections.has(ns)) throw mongoError('NamespaceExists', `Collection ${ns} already exists.`);
    checkCollation(options.collation);
    const m: Mutation = { op: 'createCollection', ns, uuid: new UUID(), options };
    this.applyDdl(m);
    const coll = this.collections.get(ns) as Collection;
    return this.commitDdl([m], opts).then(() => coll);
  }

  /** The collection, created on the spot (implicit creation by a write) if missing. */
  ensureCollection(db: string, name: string): Collection {
    const existing = this.getCollection(db, name);
    if (existing) return existing;
    this.createCollection(db, name).catch(() => undefined);
    return this.getCollection(db, name) as Collection;
  }

  ensureCollectionByNs(ns: string): Collection {
    const { db, coll } = splitNamespace(ns);
    return this.ensureCollection(db, coll);
  }

  /** Drops a collection; resolves to whether it existed. */
  dropCollection(db: string, name: string, opts: DurabilityOptions = {}): Promise<boolean> {
    this.assertOpen();
    const ns = `${db}.${name}`;
    if (!this.collections.has(ns)) return Promise.resolve(false);
    const m: Mutation = { op: 'dropCollection', ns };
    this.applyDdl(m);
    return this.commitDdl([m], opts).then(() => true);
  }

  /** Drops every collection of a database; resolves to whether it held any. */
  dropDatabase(db: string, opts: DurabilityOptions = {}): Promise<boolean> {
    this.assertOpen();
    validateDbName(db);
    if (!this.hasDatabase(db)) return Promise.resolve(false);
    const m: Mutation = { op: 'dropDatabase', db };
    this.applyDdl(m);
    return this.commitDdl([m], opts).then(() => true);
  }

  /**
   * Renames `from` to `to` (full namespaces, across databases too). NamespaceNotFound (26) if the
   * source is missing, NamespaceExists (48) if the target exists and not `dropTarget`,
   * IllegalOperation (20) for a rename onto itself. Indexes, documents and uuid move along.
   */
  renameCollection(
    from: string,
    to: string,
    o: { dropTarget?: boolean } = {},
    opts: DurabilityOptions = {},
  ): Promise<void> {
    this.assertOpen();
    const src = this.collections.get(from);
    const target = splitNamespace(to);
    validateCollectionName(target.db, target.coll);
    if (!src) throw mongoError('NamespaceNotFound', `Source collection ${from} does not exist`);
    if (from === to) throw mongoError('IllegalOperation', "Can't rename a collection to itself");
    const mutations: Mutation[] = [];
    if (this.collections.has(to)) {
      if (!o.dropTarget) throw mongoError('NamespaceExists', `target namespace exists`);
      mutations.push({ op: 'dropCollection', ns: to });
    }
    mutations.push({ op: 'renameCollection', from, to });
    for (const m of mutations) this.applyDdl(m);
    return this.commitDdl(mutations, opts).then(() => undefined);
  }

  /**
   * collMod: `validator`, `validationLevel`, `validationAction`, `changeStreamPreAndPostImages`
   * (stored in options), `index: {name | keyPattern, expireAfterSeconds?, hidden?}`. Returns the
   * reply fields (`expireAfterSeconds_old/_new`, `hidden_old/_new`). NamespaceNotFound (26),
   * IndexNotFound (27), InvalidOptions (72) for anything else.
   */
  collMod(db: string, name: string, changes: Document, opts: DurabilityOptions = {}): Promise<Document> {
    this.assertOpen();
    const coll = this.requireCollection(db, name);
    const reply: Document = {};
    const normalized: Document = {};
    for (const [k, v] of Object.entries(changes)) {
      switch (k) {
        case 'validator':
          if (bsonTypeOf(v) !== 'object') throw mongoError('TypeMismatch', `'validator' must be an object`);
          normalized[k] = v;
          break;
        case 'validationLevel':
          if (!['off', 'strict', 'moderate'].includes(String(v))) {
            throw mongoError(
              'BadValue',
              `Enumeration value '${String(v)}' for field 'validationLevel' is not a valid value.`,
            );
          }
          normalized[k] = v;
          break;
        case 'validationAction':
          if (!['error', 'warn', 'errorAndLog'].includes(String(v))) {
            throw mongoError(
              'BadValue',
              `Enumeration value '${String(v)}' for field 'validationAction' is not a valid value.`,
            );
          }
          normalized[k] = v;
          break;
        case 'changeStreamPreAndPostImages':
          if (bsonTypeOf(v) !== 'object' || typeof (v as Document).enabled !== 'boolean') {
            throw mongoError('TypeMismatch', `'changeStreamPreAndPostImages' must be {enabled: <bool>}`);
          }
          normalized[k] = { enabled: (v as Document).enabled };
          break;
        case 'index': {
          if (bsonTypeOf(v) !== 'object') throw mongoError('TypeMismatch', `'index' must be an object`);
          const spec = v as Document;
          const ix = this.findIndexForMod(coll, spec);
          const change: Document = { name: ix.name };
          for (const [f, x] of Object.entries(spec)) {
            if (f === 'name' || f === 'keyPattern') continue;
            if (f === 'expireAfterSeconds') {
              if (ix.desc.expireAfterSeconds === undefined) {
                throw mongoError('InvalidOptions', `no expireAfterSeconds field to update`);
              }
              const n = Number(x);
              if (!Number.isFinite(n) || n < 0)
                throw mongoError('InvalidOptions', `expireAfterSeconds must be a number >= 0`);
              reply.expireAfterSeconds_old = ix.desc.expireAfterSeconds;
              reply.expireAfterSeconds_new = Math.trunc(n);
              change.expireAfterSeconds = Math.trunc(n);
            } else if (f === 'hidden') {
              if (typeof x !== 'boolean') throw mongoError('TypeMismatch', `'hidden' must be a boolean`);
              if (ix.name === ID_INDEX_NAME) throw mongoError('BadValue', `can't hide _id index`);
              reply.hidden_old = ix.desc.hidden;
              reply.hidden_new = x;
              change.hidden = x;
            } else {
              throw mongoError('InvalidOptions', `collMod: unsupported index option '${f}'`);
            }
          }
          normalized.index = change;
          break;
        }
        case 'comment':
        case 'writeConcern':
          break;
        default:
          throw mongoError('InvalidOptions', `unknown option to collMod: ${k}`);
      }
    }
    const m: Mutation = { op: 'collMod', ns: coll.ns, changes: normalized };
    this.applyDdl(m);
    return this.commitDdl([m], opts).then(() => reply);
  }

  /**
   * createIndexes with mongod's semantics: the collection is created if missing; an identical
   * index (same name, key and options) is a no-op (note 'all indexes already exist'); same name
   * with another key → IndexKeySpecsConflict (86); same name or same key with other options →
   * IndexOptionsConflict (85); existing duplicates for a unique index → DuplicateKey (11000) and
   * no index. All specs are validated (and built) before any is added.
   */
  createIndexes(
    db: string,
    name: string,
    specs: readonly Document[],
    opts: DurabilityOptions = {},
  ): Promise<CreateIndexesResult> {
    this.assertOpen();
    if (specs.length === 0) throw mongoError('BadValue', 'Must specify at least one index to create');
    const parsed = specs.map((s) => parseIndexSpec(s));
    let coll = this.getCollection(db, name);
    const createdCollectionAutomatically = !coll;
    if (!coll) validateCollectionName(db, name);
    const before = coll ? coll.indexes.size : 1;
    const toBuild: ReturnType<typeof parseIndexSpec>[] = [];
    const existing = (): Iterable<{ name: string; spec: Document; kind: string }> => [
      ...(coll
        ? [...coll.indexes.values()].map((ix) => ({ name: ix.name, spec: ix.desc.spec, kind: ix.desc.kind }))
        : [{ name: ID_INDEX_NAME, spec: { v: 2, key: { _id: 1 }, name: ID_INDEX_NAME }, kind: 'btree' }]),
      ...toBuild.map((d) => ({ name: d.name, spec: d.spec, kind: d.kind })),
    ];
    for (const d of parsed) {
      let skip = false;
      for (const e of existing()) {
        if (e.name === d.name) {
          if (!sameKeyPattern(e.spec.key as Document, d.spec.key as Document)) {
            throw mongoError(
              'IndexKeySpecsConflict',
              `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${showValue(d.spec)}, existing index: ${showValue(e.spec)}`,
            );
          }
          if (!equivalentSpecs(e.spec, d.spec)) {
            throw mongoError(
              'IndexOptionsConflict',
              `An equivalent index already exists with the same name but different options. Requested index: ${showValue(d.spec)}, existing index: ${showValue(e.spec)}`,
            );
          }
          skip = true;
          break;
        }
        if (
          sameKeyPattern(e.spec.key as Document, d.spec.key as Document) &&
          !distinctIdentity(e.spec, d.spec)
        ) {
          throw mongoError(
            'IndexOptionsConflict',
            `Index already exists with a different name: ${e.name}. Requested index: ${showValue(d.spec)}, existing index: ${showValue(e.spec)}`,
          );
        }
        if (d.kind === 'text' && e.kind === 'text') {
          throw mongoError(
            'IndexOptionsConflict',
            `An equivalent index already exists with a different name and options. Requested index: ${showValue(d.spec)}, existing index: ${showValue(e.spec)}`,
          );
        }
      }
      if (!skip) toBuild.push(d);
    }
    if (before + toBuild.length > MAX_INDEXES) {
      throw mongoError(
        'CannotCreateIndex',
        `add index fails, too many indexes for ${db}.${name} key:${showValue(toBuild[0]?.key)}`,
      );
    }
    if (toBuild.length === 0) {
      const result: CreateIndexesResult = {
        numIndexesBefore: before,
        numIndexesAfter: before,
        createdCollectionAutomatically,
        note: 'all indexes already exist',
      };
      if (!coll) return this.createCollection(db, name, {}, opts).then(() => result);
      return Promise.resolve(result);
    }
    // Build everything first: a failure leaves no index (and no collection) behind.
    const probe = coll ?? new Collection(this.host, db, name, new UUID(), {});
    const built = toBuild.map((d) => probe.buildIndex(d, true));
    const mutations: Mutation[] = [];
    if (!coll) {
      const m: Mutation = { op: 'createCollection', ns: `${db}.${name}`, uuid: new UUID(), options: {} };
      this.applyDdl(m);
      mutations.push(m);
      coll = this.getCollection(db, name) as Collection;
    }
    for (let i = 0; i < toBuild.length; i++) {
      coll.indexes.set(toBuild[i].name, coll === probe ? built[i] : coll.buildIndex(toBuild[i], false));
      mutations.push({ op: 'createIndex', ns: coll.ns, spec: toBuild[i].spec });
    }
    const result: CreateIndexesResult = {
      numIndexesBefore: before,
      numIndexesAfter: coll.indexes.size,
      createdCollectionAutomatically,
    };
    return this.commitDdl(mutations, opts).then(() => result);
  }

  /**
   * dropIndexes by name, list of names, key pattern, or '*' (all but `_id_`). `_id_` cannot be
   * dropped (InvalidOptions 72); unknown → IndexNotFound (27); missing collection →
   * NamespaceNotFound (26). Resolves with the index count before.
   */
  dropIndexes(
    db: string,
    name: string,
    target: string | readonly string[] | Document,
    opts: DurabilityOptions = {},
  ): Promise<{ nIndexesWas: number }> {
    this.assertOpen();
    const coll = this.requireCollection(db, name);
    const nIndexesWas = coll.indexes.size;
    let names: string[];
    if (target === '*') {
      names = [...coll.indexes.keys()].filter((n) => n !== ID_INDEX_NAME);
    } else if (typeof target === 'string') {
      names = [target];
    } else if (Array.isArray(target)) {
      names = target.map((t) => {
        if (typeof t !== 'string')
          throw mongoError('TypeMismatch', 'dropIndexes: index names must be strings');
        return t;
      });
      if (names.includes('*')) throw mongoError('BadValue', `'*' cannot be used with other index names`);
    } else {
      const pattern = target as Document;
      const matches = [...coll.indexes.values()].filter((ix) => sameKeyPattern(ix.desc.key, pattern));
      if (matches.length === 0) {
        throw mongoError('IndexNotFound', `can't find index with key: ${showValue(pattern)}`);
      }
      if (matches.length > 1) {
        throw codedError(
          'AmbiguousIndexKeyPattern',
          `${matches.length} indexes found for key: ${showValue(pattern)}, identify by name instead. Conflicting indexes: ${matches.map((m) => showValue(m.desc.spec)).join(', ')}`,
        );
      }
      names = [matches[0].name];
    }
    for (const n of names) {
      if (n === ID_INDEX_NAME) throw mongoError('InvalidOptions', 'cannot drop _id index');
      if (!coll.indexes.has(n)) throw mongoError('IndexNotFound', `index not found with name [${n}]`);
    }
    if (names.length === 0) return Promise.resolve({ nIndexesWas });
    const mutations: Mutation[] = names.map((n) => ({ op: 'dropIndex', ns: coll.ns, name: n }));
    for (const m of mutations) this.applyDdl(m);
    return this.commitDdl(mutations, opts).then(() => ({ nIndexesWas }));
  }

  // --- document writes --------------------------------------------------------------------------

  /**
   * Starts a write unit. Plain commands: no snapshot (writes apply to the latest state). With a
   * snapshot (transactions): reads at it, and writes to documents committed after it conflict.
   */
  beginWrite(opts: { snapshot?: Snapshot } = {}): WriteUnit {
    this.assertOpen();
    const unit = new WriteUnit(this, opts.snapshot);
    this.openUnits.add(unit);
    return unit;
  }

  /** @internal Called by WriteUnit.commit(). */
  commitUnit(unit: WriteUnit, durable: boolean): Promise<Timestamp> {
    this.assertOpen();
    for (const coll of new Set(unit.touchedRecords().values())) {
      if (coll.dropped) {
        unit.abort();
        return Promise.reject(writeConflict());
      }
    }
    if (unit.size === 0) {
      unit.markCommitted(this.clock.current());
      this.openUnits.delete(unit);
      return durable
        ? this.engine.flush().then(() => this.clock.current())
        : Promise.resolve(this.clock.current());
    }
    const ts = this.clock.tick();
    try {
      for (const hook of this.beforeHooks) hook(unit, ts);
    } catch (e) {
      unit.abort();
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    const seq = ++this.seq;
    for (const [rec, coll] of unit.touchedRecords()) coll.commitRecord(rec, seq, ts);
    const batch: MutationBatch = { ts, mutations: unit.mutations(), txn: unit.txn };
    unit.markCommitted(ts);
    this.openUnits.delete(unit);
    const persisted = this.engine.append(batch, { durable });
    this.notify(batch);
    return persisted.then(() => ts);
  }

  /** @internal */
  releaseUnit(unit: WriteUnit): void {
    this.openUnits.delete(unit);
  }

  /** Observes every committed batch, in commit order. Returns an unsubscribe function. */
  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs inside commit, after the Timestamp is chosen and before the unit's writes are stamped. */
  onBeforeCommit(hook: BeforeCommitHook): () => void {
    this.beforeHooks.add(hook);
    return () => this.beforeHooks.delete(hook);
  }

  // --- MVCC ---------------------------------------------------------------------------------------

  /** Pins the current committed state for reads. Release it when done. */
  openSnapshot(): Snapshot {
    return this.snapshots.open(this.seq, this.clock.current());
  }

  get openSnapshotCount(): number {
    return this.snapshots.openCount;
  }

  /** Timestamp of the last committed write to this document (null if none is known). */
  latestWriteTs(ns: string, id: unknown): Timestamp | null {
    return this.collections.get(ns)?.latestWriteTs(id) ?? null;
  }

  // --- TTL ----------------------------------------------------------------------------------------

  /**
   * Deletes documents whose TTL-indexed date (earliest, for arrays) is older than
   * now - expireAfterSeconds, through ordinary write units (so commit observers see them).
   * Returns the number deleted. The TTL monitor calls this every ttlMonitorSleepSecs.
   */
  runTtlPass(now: Date = new Date()): Promise<number> {
    if (this.ttlRunning) return this.ttlRunning;
    const run = (async (): Promise<number> => {
      let deleted = 0;
      for (const coll of [...this.collections.values()]) {
        for (const ix of [...coll.indexes.values()]) {
          const expire = ix.desc.expireAfterSeconds;
          if (expire === undefined || !ix.holdsEntries || ix.desc.fields.length !== 1 || this.closed)
            continue;
          const cutoff = new Date(now.getTime() - expire * 1000);
          const path = ix.desc.fields[0].path;
          const scan = coll.scan({ [path]: { $lt: cutoff } }, ix.desc.hidden ? {} : { hint: ix.name });
          const ids = scan.take().map((d) => d._id);
          if (ids.length === 0 || coll.dropped) continue;
          const unit = this.beginWrite();
          for (const id of ids) {
            try {
              if (unit.delete(coll.ns, id)) deleted++;
            } catch (e) {
              if (!(e instanceof MongoCommandError) || e.codeName !== 'WriteConflict') throw e;
            }
          }
          await unit.commit();
        }
      }
      return deleted;
    })();
    this.ttlRunning = run;
    return run.finally(() => {
      this.ttlRunning = undefined;
    });
  }

  // --- lifecycle ----------------------------------------------------------------------------------

  /** Everything committed so far is on stable storage when this resolves. */
  flush(): Promise<void> {
    return this.engine.flush();
  }

  checkpoint(): Promise<void> {
    return this.engine.checkpoint();
  }

  /** Stops the TTL monitor, aborts open units, and closes the engine (final checkpoint). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ttlTimer) clearInterval(this.ttlTimer);
    if (this.ttlRunning) await this.ttlRunning.catch(() => 0);
    for (const unit of [...this.openUnits]) unit.abort();
    await this.engine.close();
  }

  // --- internals ----------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw mongoError('InterruptedAtShutdown', 'interrupted at shutdown');
  }

  private requireCollection(db: string, name: string): Collection {
    const coll = this.getCollection(db, name);
    if (!coll) throw mongoError('NamespaceNotFound', `ns not found: ${db}.${name}`);
    return coll;
  }

  private findIndexForMod(coll: Collection, spec: Document): KeyIndex {
    if (typeof spec.name === 'string') {
      const ix = coll.indexes.get(spec.name);
      if (!ix) throw mongoError('IndexNotFound', `cannot find index ${spec.name} for ns ${coll.ns}`);
      return ix;
    }
    if (bsonTypeOf(spec.keyPattern) === 'object') {
      for (const ix of coll.indexes.values())
        if (sameKeyPattern(ix.desc.key, spec.keyPattern as Document)) return ix;
      throw mongoError('IndexNotFound', `cannot find index ${showValue(spec.keyPattern)} for ns ${coll.ns}`);
    }
    throw mongoError('InvalidOptions', `collMod 'index' needs a 'name' or a 'keyPattern'`);
  }

  private commitDdl(mutations: Mutation[], opts: DurabilityOptions): Promise<Timestamp> {
    const ts = this.clock.tick();
    this.seq++;
    const batch: MutationBatch = { ts, mutations };
    const persisted = this.engine.append(batch, { durable: opts.durable ?? false });
    this.notify(batch);
    return persisted.then(() => ts);
  }

  private notify(batch: MutationBatch): void {
    for (const l of this.listeners) {
      try {
        l(batch, batch.ts);
      } catch (e) {
        this.logger.error('commit listener failed', { error: String(e) });
      }
    }
  }

  /** Applies one DDL mutation to the in-memory state (live and replay). */
  private applyDdl(m: Mutation, replay = false): void {
    switch (m.op) {
      case 'createCollection': {
        const { db, coll } = splitNamespace(m.ns);
        if (this.collections.has(m.ns) && replay) return;
        const created = new Collection(this.host, db, coll, m.uuid, m.options);
        if (replay) created.beginBulk();
        this.collections.set(m.ns, created);
        return;
      }
      case 'dropCollection': {
        const coll = this.collections.get(m.ns);
        if (!coll) return;
        coll.dropped = true;
        this.collections.delete(m.ns);
        return;
      }
      case 'dropDatabase':
        for (const c of this.collectionsOf(m.db)) this.applyDdl({ op: 'dropCollection', ns: c.ns }, replay);
        return;
      case 'renameCollection': {
        const coll = this.collections.get(m.from);
        if (!coll) return;
        const { db, coll: name } = splitNamespace(m.to);
        this.collections.delete(m.from);
        coll.db = db;
        coll.name = name;
        this.collections.set(m.to, coll);
        return;
      }
      case 'createIndex': {
        const coll = this.collections.get(m.ns);
        if (!coll) return;
        const d = descriptorFromSpec(m.spec);
        coll.indexes.set(d.name, coll.buildIndex(d, false));
        return;
      }
      case 'dropIndex':
        this.collections.get(m.ns)?.indexes.delete(m.name);
        return;
      case 'collMod': {
        const coll = this.collections.get(m.ns);
        if (!coll) return;
        const options = { ...coll.options };
        for (const [k, v] of Object.entries(m.changes)) {
          if (k === 'index') {
            const change = v as Document;
            const ix = coll.indexes.get(change.name as string);
            if (!ix) continue;
            const spec = { ...ix.desc.spec };
            if (change.expireAfterSeconds !== undefined) spec.expireAfterSeconds = change.expireAfterSeconds;
            if (change.hidden !== undefined) {
              if (change.hidden) spec.hidden = true;
              else delete spec.hidden;
            }
            ix.desc = { ...descriptorFromSpec(spec), spec };
          } else {
            options[k] = v;
          }
        }
        coll.options = options;
        return;
      }
      case 'put':
      case 'delete':
        throw new Error('document mutations are not DDL');
    }
  }

  private restore(state: RecoveredState): void {
    this.recovery = state.report;
    const cp = state.checkpoint;
    if (cp) {
      this.clock.advanceTo(cp.ts);
      for (const c of cp.collections) {
        const { db, coll: name } = splitNamespace(c.ns);
        const coll = new Collection(this.host, db, name, c.uuid as Binary, c.options);
        coll.beginBulk();
        for (const { spec } of c.indexes) {
          const d = descriptorFromSpec(spec);
          coll.indexes.set(d.name, coll.buildIndex(d, false));
        }
        coll.loadCommitted(c.documents, cp.ts);
        this.collections.set(c.ns, coll);
      }
    }
    for (const batch of state.batches) {
      this.clock.advanceTo(batch.ts);
      const seq = ++this.seq;
      for (const m of batch.mutations) {
        if (m.op === 'put' || m.op === 'delete') {
          const coll = this.collections.get(m.ns) ?? this.replayCreate(m.ns);
          coll.applyCommitted(m.id, m.op === 'put' ? m.doc : null, seq, batch.ts);
        } else {
          this.applyDdl(m, true);
        }
      }
    }
    // Indexes are built once, from the final documents (one sort each instead of n inserts).
    for (const coll of this.collections.values()) coll.endBulk();
  }

  private replayCreate(ns: string): Collection {
    this.logger.warn('journal replay: write to a collection with no create record; creating it', { ns });
    this.applyDdl({ op: 'createCollection', ns, uuid: new UUID(), options: {} }, true);
    return this.collections.get(ns) as Collection;
  }

  /** The checkpoint source: committed state, synchronously, as the engine requires. */
  private checkpointImage(): CheckpointImage {
    return {
      ts: this.clock.current(),
      collections: [...this.collections.values()].map((c) => ({
        ns: c.ns,
        uuid: c.uuid,
        options: c.options,
        indexes: [...c.indexes.values()]
          .filter((ix) => ix.name !== ID_INDEX_NAME)
          .map((ix) => ({ spec: ix.desc.spec })),
        documents: c.committedDocuments(),
      })),
    };
  }

  private schedulePrune(): void {
    if (this.pruneScheduled) return;
    this.pruneScheduled = true;
    setImmediate(() => {
      this.pruneScheduled = false;
      for (const c of this.collections.values()) c.pruneAll();
    });
  }
}

function checkCollation(collation: unknown): void {
  if (collation === undefined) return;
  if (bsonTypeOf(collation) !== 'object' || (collation as Document).locale !== 'simple') {
    throw mongoError(
      'BadValue',
      `collation ${showValue(collation)} is not supported by the embedded server: only the simple (binary) collation is`,
    );
  }
}

export { Collection, Snapshot, WriteUnit };
