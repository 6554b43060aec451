/**
 * The oplog as a storage decorator (like FerretDB's backends/decorators/oplog): it wraps the
 * engine the catalog writes to, turns every appended batch (documents and DDL, in commit order)
 * into an oplog record, and persists the record INSIDE the same journal batch and the same
 * checkpoints (journal-meta.ts). So a record is in the oplog after a crash exactly when its write
 * is: no second file to keep in step.
 *
 * Durability drives visibility (oplog.ts): a durable append marks its record durable once the
 * engine resolves it; a non-durable one is flushed early when a change stream is waiting for it.
 */
import { bsonSize, type Timestamp } from '../bson.js';
import { compareTimestamps } from '../catalog/clock.js';
import { createLogger, type Logger } from '../logger.js';
import type {
  AppendOptions,
  CheckpointImage,
  CheckpointSource,
  EngineStats,
  MutationBatch,
  RecoveredState,
  StorageEngine,
} from '../storage/engine.js';
import { buildRecord, liveFacts, type OpFacts } from './build-record.js';
import { CollectionsTracker } from './collections-tracker.js';
import {
  OPLOG_NS,
  isMetaMutation,
  metaMutations,
  oplogImage,
  readMeta,
  readOplogImage,
} from './journal-meta.js';
import { Oplog, type RetentionOptions } from './oplog.js';
import type { OplogRecord } from './oplog-record.js';

export interface OplogEngineOptions extends RetentionOptions {
  readonly logger?: Logger;
  /** Clock for age-based retention (tests). */
  readonly now?: () => number;
}

export class OplogEngine implements StorageEngine {
  readonly oplog: Oplog;
  private readonly tracker = new CollectionsTracker();
  private readonly logger: Logger;
  private flushing: Promise<void> | undefined;
  private flushAgain = false;

  constructor(
    private readonly inner: StorageEngine,
    opts: OplogEngineOptions,
  ) {
    this.oplog = new Oplog({ maxBytes: opts.maxBytes, maxAgeMs: opts.maxAgeMs }, opts.now);
    this.oplog.onDurabilityWanted = () => this.requestFlush();
    this.logger = opts.logger ?? createLogger('warn', 'embedded-mongo/oplog');
  }

  get kind(): StorageEngine['kind'] {
    return this.inner.kind;
  }

  get dbPath(): string | undefined {
    return this.inner.dbPath;
  }

  async open(source: CheckpointSource): Promise<RecoveredState> {
    const recovered = await this.inner.open(() => this.withOplog(source()));
    return this.recover(recovered);
  }

  append(batch: MutationBatch, opts: AppendOptions): Promise<void> {
    let record: OplogRecord | undefined;
    let persisted = batch;
    try {
      const facts: OpFacts[] = [];
      record = buildRecord(batch, new Date(), this.tracker, (i) => {
        const f = liveFacts(batch.mutations[i], this.tracker);
        facts[i] = f;
        return f;
      });
      if (this.inner.kind !== 'memory') {
        const all: OpFacts[] = batch.mutations.map((_, i) => facts[i] ?? {});
        persisted = { ts: batch.ts, mutations: [...batch.mutations, ...metaMutations(record, all)] };
      }
    } catch (e) {
      // A bug here must not lose the user's write: the batch is still journaled, without a record.
      this.logger.error('oplog: could not build the record of a committed batch', { error: String(e) });
      record = undefined;
    }
    const done = this.inner.append(persisted, opts);
    if (record) this.oplog.append(record, bsonSize(record as unknown as Record<string, unknown>));
    if (this.inner.kind === 'memory') this.oplog.markDurable(batch.ts);
    else if (opts.durable) done.then(() => this.oplog.markDurable(batch.ts)).catch(() => undefined);
    return done;
  }

  flush(): Promise<void> {
    const target = this.oplog.appendedTs;
    return this.inner.flush().then(() => this.oplog.markDurable(target));
  }

  checkpoint(): Promise<void> {
    return this.inner.checkpoint();
  }

  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      this.oplog.close();
    }
  }

  stats(): EngineStats {
    return this.inner.stats();
  }

  /** Makes what was appended so far durable soon (coalesced: one flush in flight at a time). */
  private requestFlush(): void {
    if (this.inner.kind === 'memory') return;
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = this.flush()
      .catch((e: unknown) => this.logger.error('oplog: flush failed', { error: String(e) }))
      .finally(() => {
        this.flushing = undefined;
        if (this.flushAgain) {
          this.flushAgain = false;
          if (this.oplog.visibleEndSeq < this.oplog.endSeq) this.requestFlush();
        }
      });
  }

  private withOplog(image: CheckpointImage): CheckpointImage {
    const { records, sizes } = this.oplog.snapshot();
    const oplog = oplogImage(records, sizes, this.oplog.truncatedThrough);
    return { ...image, collections: [...image.collections, oplog] };
  }

  private recover(state: RecoveredState): RecoveredState {
    const records: OplogRecord[] = [];
    const sizes: number[] = [];
    const keep = (r: OplogRecord): void => {
      records.push(r);
      sizes.push(bsonSize(r as unknown as Record<string, unknown>));
    };
    let truncatedThrough: Timestamp = this.oplog.truncatedThrough;
    let checkpoint = state.checkpoint;
    let last: Timestamp | undefined = checkpoint?.ts;
    if (checkpoint) {
      const image = checkpoint.collections.find((c) => c.ns === OPLOG_NS);
      const collections = checkpoint.collections.filter((c) => c.ns !== OPLOG_NS);
      if (image) {
        const read = readOplogImage(image);
        read.records.forEach(keep);
        truncatedThrough = read.truncatedThrough ?? truncatedThrough;
      } else {
        // A data directory written before the oplog existed: its history is unknown.
        truncatedThrough = checkpoint.ts;
      }
      checkpoint = { ...checkpoint, collections };
      this.tracker.load(collections);
    }
    const batches: MutationBatch[] = [];
    for (const batch of state.batches) {
      const metas = batch.mutations.filter(isMetaMutation).map((m) => m.doc);
      const mutations = batch.mutations.filter((m) => !isMetaMutation(m));
      const stripped: MutationBatch = { ts: batch.ts, mutations };
      if (metas.length > 0) {
        const meta = readMeta(metas);
        const tagged: MutationBatch =
          meta.lsid && meta.txnNumber
            ? { ...stripped, txn: { lsid: meta.lsid, txnNumber: meta.txnNumber } }
            : stripped;
        keep(buildRecord(tagged, meta.wall, this.tracker, (i) => meta.facts[i] ?? {}));
      } else {
        for (const m of mutations) this.tracker.apply(m);
        truncatedThrough = batch.ts;
      }
      batches.push(stripped);
      if (!last || compareTimestamps(batch.ts, last) > 0) last = batch.ts;
    }
    this.oplog.restore(records, sizes, truncatedThrough);
    if (last) this.oplog.markDurable(last);
    return { ...state, checkpoint, batches };
  }
}
