/**
 * The in-memory oplog: every committed batch as one record, in commit order, addressed by a
 * sequence number that only grows (truncation moves the first one up).
 *
 * Contract:
 *  - append() is called in commit order, synchronously with the commit;
 *  - a record is VISIBLE (to change streams) once it is durable: on stable storage, so that an
 *    event a client has seen, or a resume token it holds, can never be undone by a crash (mongod
 *    gives change streams majority-committed data only, for the same reason). markDurable(ts)
 *    moves that point; waiters (getMore awaiting data) are woken there, never by polling;
 *  - retention: the oldest records are dropped when the total size exceeds `maxBytes`, and
 *    records older than `maxAgeMs` (if set) are dropped. `truncatedThrough` is the newest dropped
 *    Timestamp: history after it is complete, history at or before it is gone.
 */
import { Timestamp } from '../bson.js';
import { compareTimestamps } from '../catalog/clock.js';
import type { OplogRecord } from './oplog-record.js';

export interface RetentionOptions {
  /** Upper bound on the BSON size of the retained records. */
  readonly maxBytes: number;
  /** Records older than this are dropped (0 or undefined: no age limit). */
  readonly maxAgeMs?: number;
}

const ZERO = new Timestamp({ t: 0, i: 0 });

export class Oplog {
  private records: OplogRecord[] = [];
  private sizes: number[] = [];
  /** Index in `records` of the first retained record (dropped ones are compacted away lazily). */
  private head = 0;
  /** Sequence number of records[head]. */
  private firstSeq = 0;
  private bytes = 0;
  /** Sequence number one past the last durable record. */
  private durableEnd = 0;
  private waiters = new Set<() => void>();
  private closed = false;
  private lastTs: Timestamp = ZERO;
  private durable: Timestamp = ZERO;
  truncatedThrough: Timestamp = ZERO;
  /** Called when someone waits for records that are appended but not yet durable. */
  onDurabilityWanted: (() => void) | undefined;

  constructor(
    private retention: RetentionOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sequence number of the oldest retained record. */
  get startSeq(): number {
    return this.firstSeq;
  }

  /** Sequence number the next appended record gets. */
  get endSeq(): number {
    return this.firstSeq + this.records.length - this.head;
  }

  /** One past the last record change streams may read. */
  get visibleEndSeq(): number {
    return Math.max(this.durableEnd, this.firstSeq);
  }

  get appendedTs(): Timestamp {
    return this.lastTs;
  }

  /** Everything committed at or before this Timestamp that the oplog holds is durable. */
  get durableTs(): Timestamp {
    return this.durable;
  }

  /** True after close(): waits resolve at once. */
  get isClosed(): boolean {
    return this.closed;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  get length(): number {
    return this.records.length - this.head;
  }

  setRetention(retention: RetentionOptions): void {
    this.retention = retention;
    this.enforceRetention();
  }

  append(record: OplogRecord, size: number): void {
    this.records.push(record);
    this.sizes.push(size);
    this.bytes += size;
    this.lastTs = record._id;
    this.enforceRetention();
    if (this.waiters.size > 0 && this.durableEnd < this.endSeq) this.onDurabilityWanted?.();
  }

  /** Everything appended with a Timestamp <= ts is on stable storage. */
  markDurable(ts: Timestamp): void {
    if (compareTimestamps(ts, this.durable) <= 0) return;
    this.durable = ts;
    const end = this.endSeq;
    let seq = Math.max(this.durableEnd, this.firstSeq);
    while (seq < end && compareTimestamps(this.at(seq)?._id ?? ZERO, ts) <= 0) seq++;
    if (seq === this.durableEnd) return;
    this.durableEnd = seq;
    this.wake();
  }

  /** The record with this sequence number, if retained. */
  at(seq: number): OplogRecord | undefined {
    if (seq < this.firstSeq || seq >= this.endSeq) return undefined;
    return this.records[this.head + seq - this.firstSeq];
  }

  /** The first sequence number whose record's Timestamp is > ts (or >= ts when `inclusive`). */
  seqAfter(ts: Timestamp, inclusive = false): number {
    let lo = this.firstSeq;
    let hi = this.endSeq;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareTimestamps((this.at(mid) as OplogRecord)._id, ts);
      if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Retained records and their sizes (copies of the lists: the records themselves are immutable). */
  snapshot(): { records: OplogRecord[]; sizes: number[] } {
    return { records: this.records.slice(this.head), sizes: this.sizes.slice(this.head) };
  }

  /** Drops what the retention options no longer allow. Keeps at least the newest record. */
  enforceRetention(): void {
    const maxAge = this.retention.maxAgeMs ?? 0;
    const cutoff = maxAge > 0 ? this.now() - maxAge : -Infinity;
    while (this.length > 1) {
      const first = this.records[this.head];
      const tooBig = this.bytes > this.retention.maxBytes;
      const tooOld = first.wall.getTime() < cutoff;
      if (!tooBig && !tooOld) break;
      this.dropFirst();
    }
    if (this.length === 1 && this.records[this.head].wall.getTime() < cutoff) this.dropFirst();
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Resolves when new records become visible, after `timeoutMs`, or at close, whichever comes
   * first. Asks for durability when records are waiting for it.
   */
  waitForVisible(timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.waiters.add(done);
      if (this.durableEnd < this.endSeq) this.onDurabilityWanted?.();
    });
  }

  /** Resolves once every record appended so far is visible. */
  async waitUntilVisible(): Promise<void> {
    while (!this.closed && this.visibleEndSeq < this.endSeq) await this.waitForVisible(60_000);
  }

  /** Wakes every waiter; later waits resolve at once. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Loads recovered records (already durable) in commit order. */
  restore(records: readonly OplogRecord[], sizes: readonly number[], truncatedThrough: Timestamp): void {
    this.records = [...records];
    this.sizes = [...sizes];
    this.head = 0;
    this.firstSeq = 0;
    this.bytes = sizes.reduce((a, b) => a + b, 0);
    this.truncatedThrough = truncatedThrough;
    const last = records[records.length - 1];
    this.lastTs = last ? last._id : truncatedThrough;
    this.durable = this.lastTs;
    this.durableEnd = records.length;
    this.enforceRetention();
  }

  private dropFirst(): void {
    const first = this.records[this.head];
    this.bytes -= this.sizes[this.head];
    this.truncatedThrough = first._id;
    this.head++;
    this.firstSeq++;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
