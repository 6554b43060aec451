/**
 * The durable engine: a data directory holding
 *
 *   mongod.lock            owner pid (see lock-file.ts)
 *   checkpoint.bson        the last complete checkpoint (records: header, document chunks, end)
 *   journal.<seq>          append-only journals: one record = one batch (see records.ts)
 *
 * Writes. Batches are framed synchronously in append() and queued. One writer drains the queue:
 * everything queued while the previous write+fdatasync was in flight goes out as ONE write and
 * ONE fdatasync (group commit), so N concurrent durable appends cost far fewer than N fsyncs.
 * Non-durable appends wait at most `flushIntervalMs` (default 100 ms, like mongod's journal commit
 * interval) or for the next durable append, whichever comes first; that flush also syncs.
 *
 * Checkpoints. When the journals since the last checkpoint exceed `checkpointBytes` (default
 * 64 MiB) and the size of the last checkpoint (so that writing checkpoints costs at most about
 * one checkpoint byte per journal byte however large the data grows, and recovery replays at
 * most that much journal), at clean close, or on request: the catalog's image is taken synchronously and the
 * journal sequence number is bumped in the same step (later batches go to the next journal file),
 * then the image is written off the hot path (chunked, yielding to the event loop) to a temp file,
 * fsynced, renamed over checkpoint.bson, and the directory fsynced; only then are the journals it
 * covers deleted. A crash at any point leaves either the old checkpoint plus all journals, or the
 * new checkpoint plus (possibly redundant, skipped) journals.
 *
 * Recovery. Load the checkpoint, then replay journals with a higher sequence number, in order.
 * The first torn or corrupt record ends recovery: the file is truncated there (the discarded
 * bytes are kept beside it as `<journal>.discarded-<time>` for inspection) and later journal files
 * are removed, so recovery always yields a prefix of what was appended and nothing half-written.
 * Every acknowledged durable batch is inside that prefix: it was fsynced before the ack, together
 * with everything appended before it.
 */
import { promises as fsp, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Binary, Document, Timestamp } from '../bson.js';
import { createLogger, type Logger } from '../logger.js';
import {
  decodeBatch,
  frameBatch,
  frameCheckpointDocs,
  encodeCheckpointEnd,
  encodeCheckpointHeader,
  numberOf,
} from './codec.js';
import {
  emptyStats,
  type AppendOptions,
  type CheckpointImage,
  type CheckpointSource,
  type CollectionImage,
  type EngineStats,
  type MutationBatch,
  type RecoveredState,
  type StorageEngine,
} from './engine.js';
import { LockFile } from './lock-file.js';
import { RecordAssembler } from './record-assembler.js';
import { CHECKPOINT_MAGIC, JOURNAL_MAGIC, frameRecord, readRecords } from './records.js';

export interface FileEngineOptions {
  /** Journal bytes since the last checkpoint that trigger a new one. Default 64 MiB. */
  checkpointBytes?: number;
  /** Longest a non-durable append waits before it is written and synced. Default 100 ms. */
  flushIntervalMs?: number;
  /** Documents per checkpoint record. Default 1000. */
  checkpointChunkDocs?: number;
  logger?: Logger;
}

export const CHECKPOINT_FILE = 'checkpoint.bson';
const CHECKPOINT_TMP = 'checkpoint.bson.tmp';
const JOURNAL_RE = /^journal\.(\d{10})$/;

function journalName(seq: number): string {
  return `journal.${String(seq).padStart(10, '0')}`;
}

interface QueuedRecord {
  seq: number;
  buf: Buffer;
}

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class FileEngine implements StorageEngine {
  readonly kind = 'file' as const;
  readonly dbPath: string;
  private readonly checkpointBytes: number;
  private readonly flushIntervalMs: number;
  private readonly chunkDocs: number;
  private readonly logger: Logger;
  private readonly counters: EngineStats = emptyStats();

  private source: CheckpointSource | undefined;
  private lock: LockFile | undefined;
  private state: 'new' | 'open' | 'closing' | 'closed' = 'new';
  private failure: Error | undefined;

  /** Journal sequence that new appends belong to. */
  private currentSeq = 1;
  /** The journal file the writer has open (0 = none yet). */
  private fileSeq = 0;
  private file: fsp.FileHandle | undefined;
  private queue: QueuedRecord[] = [];
  /** Assembles journal records (appends are synchronous: one buffer serves them all). */
  private readonly assembler = new RecordAssembler();
  private waiters: Waiter[] = [];
  private draining: Promise<void> | undefined;
  private drainScheduled = false;
  private syncRequested = false;
  private flushTimer: NodeJS.Timeout | undefined;

  private bytesSinceCheckpoint = 0;
  /** Size of the last checkpoint file written or loaded. */
  private lastCheckpointFileBytes = 0;
  private appendsSinceCheckpoint = 0;
  private checkpointRunning: Promise<void> | undefined;
  private checkpointScheduled = false;
  private closing: Promise<void> | undefined;

  constructor(dbPath: string, opts: FileEngineOptions = {}) {
    this.dbPath = path.resolve(dbPath);
    this.checkpointBytes = opts.checkpointBytes ?? 64 * 1024 * 1024;
    this.flushIntervalMs = opts.flushIntervalMs ?? 100;
    this.chunkDocs = opts.checkpointChunkDocs ?? 1000;
    this.logger = opts.logger ?? createLogger('warn', 'embedded-mongo/storage');
  }

  async open(source: CheckpointSource): Promise<RecoveredState> {
    if (this.state !== 'new') throw new Error('FileEngine.open called twice');
    const t0 = performance.now();
    if (!existsSync(this.dbPath)) mkdirSync(this.dbPath, { recursive: true });
    this.lock = LockFile.acquire(this.dbPath);
    try {
      this.source = source;
      await fsp.rm(path.join(this.dbPath, CHECKPOINT_TMP), { force: true });
      const loaded = await this.loadCheckpoint();
      this.lastCheckpointFileBytes = loaded?.fileBytes ?? 0;
      const covered = loaded?.journalSeq ?? 0;
      const journals = await this.listJournals();
      let maxSeq = covered;
      let journalFiles = 0;
      let journalRecords = 0;
      let discardedBytes = 0;
      let replayBytes = 0;
      const batches: MutationBatch[] = [];
      for (let i = 0; i < journals.length; i++) {
        const seq = journals[i];
        maxSeq = Math.max(maxSeq, seq);
        const file = path.join(this.dbPath, journalName(seq));
        if (seq <= covered) {
          await fsp.rm(file, { force: true });
          continue;
        }
        journalFiles++;
        const buf = await fsp.readFile(file);
        const res = readRecords(buf, JOURNAL_MAGIC);
        for (const d of res.documents) batches.push(decodeBatch(d));
        journalRecords += res.documents.length;
        replayBytes += res.validBytes;
        if (res.stop !== 'end') {
          discardedBytes += buf.length - res.validBytes;
          await this.discardTail(file, buf, res.validBytes, res.stop);
          for (const later of journals.slice(i + 1)) {
            const lf = path.join(this.dbPath, journalName(later));
            const st = await fsp.stat(lf);
            discardedBytes += st.size;
            this.logger.warn('journal: removing journal that follows a damaged one', {
              file: lf,
              bytes: st.size,
            });
            await fsp.rename(lf, `${lf}.discarded-${Date.now()}`);
            maxSeq = Math.max(maxSeq, later);
          }
          break;
        }
      }
      this.currentSeq = maxSeq + 1;
      this.bytesSinceCheckpoint = replayBytes;
      this.appendsSinceCheckpoint = journalRecords;
      this.state = 'open';
      const report = {
        checkpointDocuments: loaded?.documents ?? 0,
        journalFiles,
        journalRecords,
        discardedBytes,
        millis: Math.round(performance.now() - t0),
      };
      this.logger.info('storage recovered', { dbPath: this.dbPath, ...report });
      return { checkpoint: loaded?.image ?? null, batches, report };
    } catch (e) {
      this.lock.release();
      throw e;
    }
  }

  append(batch: MutationBatch, opts: AppendOptions): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.state !== 'open' && this.state !== 'closing') {
      return Promise.reject(new Error(`storage engine is ${this.state}`));
    }
    let buf: Buffer;
    try {
      // One copy out of the assembler: the record waits in the queue for the next group write.
      buf = Buffer.from(frameBatch(batch, this.assembler));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    this.queue.push({ seq: this.currentSeq, buf });
    this.counters.appends++;
    this.counters.journalBytes += buf.length;
    this.bytesSinceCheckpoint += buf.length;
    this.appendsSinceCheckpoint++;
    if (this.bytesSinceCheckpoint >= Math.max(this.checkpointBytes, this.lastCheckpointFileBytes))
      this.scheduleCheckpoint();
    if (!opts.durable) {
      this.armFlushTimer();
      return Promise.resolve();
    }
    this.counters.durableAppends++;
    return this.awaitSync();
  }

  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.state === 'new' || this.state === 'closed') return Promise.resolve();
    return this.awaitSync();
  }

  async checkpoint(): Promise<void> {
    if (this.state !== 'open' && this.state !== 'closing') return;
    while (this.checkpointRunning) await this.checkpointRunning;
    const run = this.runCheckpoint();
    this.checkpointRunning = run;
    try {
      await run;
    } finally {
      this.checkpointRunning = undefined;
    }
  }

  close(): Promise<void> {
    if (this.state === 'new') {
      this.state = 'closed';
      return Promise.resolve();
    }
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.state = 'closing';
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    try {
      while (this.checkpointRunning) await this.checkpointRunning;
      if (!this.failure && (this.appendsSinceCheckpoint > 0 || !existsSync(this.checkpointPath()))) {
        await this.checkpoint();
      }
      if (!this.failure) await this.awaitSync();
    } finally {
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      if (this.draining) await this.draining.catch(() => undefined);
      if (this.file) await this.file.close().catch(() => undefined);
      this.file = undefined;
      this.lock?.release();
      this.state = 'closed';
    }
  }

  stats(): EngineStats {
    return { ...this.counters };
  }

  // --- journal writer ---------------------------------------------------------------------------

  private awaitSync(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.scheduleDrain();
    });
  }

  private armFlushTimer(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.syncRequested = true;
      this.scheduleDrain();
    }, this.flushIntervalMs);
  }

  /**
   * Starts the writer on the next turn of the event loop, so that every append made in the
   * current turn (and in I/O callbacks already due) joins the same write and fdatasync.
   */
  private scheduleDrain(): void {
    if (this.draining || this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      if (this.draining) return;
      this.draining = this.drain().finally(() => {
        this.draining = undefined;
        if (this.waiters.length > 0 || this.syncRequested) this.scheduleDrain();
      });
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 || this.waiters.length > 0 || this.syncRequested) {
      const items = this.queue;
      const waiters = this.waiters;
      this.queue = [];
      this.waiters = [];
      this.syncRequested = false;
      try {
        if (this.failure) throw this.failure;
        let i = 0;
        while (i < items.length) {
          const seq = items[i].seq;
          const bufs: Buffer[] = [];
          while (i < items.length && items[i].seq === seq) bufs.push(items[i++].buf);
          if (seq !== this.fileSeq) await this.switchJournal(seq);
          await this.writeAll(bufs);
        }
        if (this.file && (items.length > 0 || waiters.length > 0)) {
          await this.file.datasync();
          this.counters.fsyncs++;
        }
        for (const w of waiters) w.resolve();
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        if (!this.failure) {
          this.failure = err;
          this.logger.error('journal write failed; storage refuses further writes', { error: err.message });
        }
        for (const w of waiters) w.reject(err);
        for (const w of this.waiters.splice(0)) w.reject(err);
        this.queue = [];
        return;
      }
    }
  }

  private async writeAll(bufs: Buffer[]): Promise<void> {
    const file = this.file;
    if (!file) throw new Error('journal not open');
    let total = 0;
    for (const b of bufs) total += b.length;
    let data = bufs.length === 1 ? bufs[0] : Buffer.concat(bufs, total);
    while (data.length > 0) {
      const { bytesWritten } = await file.write(data);
      this.counters.writes++;
      data = data.subarray(bytesWritten);
    }
  }

  /** Syncs and closes the current journal, then creates journal `seq` (header synced, dir synced). */
  private async switchJournal(seq: number): Promise<void> {
    if (this.file) {
      await this.file.datasync();
      this.counters.fsyncs++;
      await this.file.close();
      this.file = undefined;
    }
    const file = await fsp.open(path.join(this.dbPath, journalName(seq)), 'wx');
    await file.write(JOURNAL_MAGIC);
    await file.datasync();
    await fsyncDir(this.dbPath);
    this.file = file;
    this.fileSeq = seq;
  }

  // --- checkpoints ------------------------------------------------------------------------------

  private checkpointPath(): string {
    return path.join(this.dbPath, CHECKPOINT_FILE);
  }

  private scheduleCheckpoint(): void {
    if (this.checkpointScheduled || this.checkpointRunning || this.state !== 'open') return;
    this.checkpointScheduled = true;
    setImmediate(() => {
      this.checkpointScheduled = false;
      if (this.checkpointRunning || this.state !== 'open') return;
      this.checkpoint().catch((e: unknown) =>
        this.logger.error('checkpoint failed; journals are kept', { error: String(e) }),
      );
    });
  }

  private async runCheckpoint(): Promise<void> {
    const source = this.source;
    if (!source) return;
    const t0 = performance.now();
    // Image and journal rotation in one synchronous step: the image holds exactly the batches
    // of journals <= covered.
    const image = source();
    const covered = this.currentSeq;
    this.currentSeq++;
    this.bytesSinceCheckpoint = 0;
    this.appendsSinceCheckpoint = 0;
    await this.writeCheckpoint(image, covered);
    for (const seq of await this.listJournals()) {
      if (seq <= covered) await fsp.rm(path.join(this.dbPath, journalName(seq)), { force: true });
    }
    this.counters.checkpoints++;
    this.counters.lastCheckpointMillis = Math.round(performance.now() - t0);
    this.logger.debug('checkpoint written', {
      millis: this.counters.lastCheckpointMillis,
      journalSeq: covered,
    });
  }

  private async writeCheckpoint(image: CheckpointImage, journalSeq: number): Promise<void> {
    const tmp = path.join(this.dbPath, CHECKPOINT_TMP);
    const fh = await fsp.open(tmp, 'w');
    try {
      const header = encodeCheckpointHeader({
        ts: image.ts,
        journalSeq,
        collections: image.collections.map((c) => ({
          ns: c.ns,
          uuid: c.uuid,
          options: c.options,
          indexes: c.indexes.map((i) => i.spec),
        })),
      });
      // Each chunk is written straight from the assembler's buffer before the next is assembled.
      const head = Buffer.concat([CHECKPOINT_MAGIC, frameRecord(header)]);
      await fh.write(head);
      let fileBytes = head.length;
      const put = async (b: Buffer): Promise<void> => {
        fileBytes += b.length;
        await fh.write(b);
      };
      const assembler = new RecordAssembler();
      let total = 0;
      for (let c = 0; c < image.collections.length; c++) {
        const docs = image.collections[c].documents;
        for (let i = 0; i < docs.length; i += this.chunkDocs) {
          await put(frameCheckpointDocs(c, docs.slice(i, i + this.chunkDocs), assembler));
          total += Math.min(this.chunkDocs, docs.length - i);
        }
      }
      await put(frameRecord(encodeCheckpointEnd(total)));
      await fh.sync();
      this.lastCheckpointFileBytes = fileBytes;
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, this.checkpointPath());
    await fsyncDir(this.dbPath);
  }

  private async loadCheckpoint(): Promise<
    { image: CheckpointImage; journalSeq: number; documents: number; fileBytes: number } | undefined
  > {
    const file = this.checkpointPath();
    if (!existsSync(file)) return undefined;
    const buf = await fsp.readFile(file);
    let header: Document | undefined;
    let ended = false;
    const docs: Document[][] = [];
    let count = 0;
    const res = readRecords(buf, CHECKPOINT_MAGIC, (rec) => {
      if (ended) throw new Error('record after end');
      if (!header) {
        if (rec.k !== 'header') throw new Error('first record is not the header');
        header = rec;
        const n = (rec.collections as unknown[]).length;
        for (let i = 0; i < n; i++) docs.push([]);
        return;
      }
      if (rec.k === 'docs') {
        const target = docs[numberOf(rec.c)];
        for (const d of rec.d as Document[]) target.push(d);
        count += (rec.d as Document[]).length;
      } else if (rec.k === 'end') {
        ended = true;
      }
    });
    if (res.stop !== 'end' || !header || !ended) {
      // A renamed checkpoint was fully synced first, so this is damage, not a crash artefact.
      // Refuse to start rather than silently lose the data it held.
      throw new Error(
        `checkpoint ${file} is damaged (${res.stop} at byte ${res.validBytes}); move it aside to start from the journals alone`,
      );
    }
    const h = header;
    const collections: CollectionImage[] = (h.collections as Document[]).map((c, i) => ({
      ns: c.ns as string,
      uuid: c.uuid as Binary,
      options: c.options as Document,
      indexes: (c.indexes as Document[]).map((spec) => ({ spec })),
      documents: docs[i],
    }));
    return {
      image: { ts: h.ts as Timestamp, collections },
      journalSeq: numberOf(h.journalSeq),
      documents: count,
      fileBytes: buf.length,
    };
  }

  private async listJournals(): Promise<number[]> {
    const out: number[] = [];
    for (const name of await fsp.readdir(this.dbPath)) {
      const m = JOURNAL_RE.exec(name);
      if (m) out.push(Number.parseInt(m[1], 10));
    }
    return out.sort((a, b) => a - b);
  }

  private async discardTail(file: string, buf: Buffer, validBytes: number, reason: string): Promise<void> {
    const tail = buf.subarray(validBytes);
    this.logger.warn('journal: discarding damaged tail', {
      file,
      reason,
      offset: validBytes,
      bytes: tail.length,
    });
    if (tail.length > 0) await fsp.writeFile(`${file}.discarded-${Date.now()}`, tail);
    const fh = await fsp.open(file, 'r+');
    try {
      await fh.truncate(validBytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
