/**
 * Snapshot reads at a chosen cluster time (`readConcern: {level: 'snapshot', atClusterTime}`).
 *
 * The catalog keeps old document versions only while a snapshot pins them, so a point in time can
 * be read later only if a snapshot was kept for it. Every snapshot the server hands out to a
 * snapshot read (the `atClusterTime` it replies with) is kept here for a history window (mongod's
 * minSnapshotHistoryWindowInSeconds, 300 s, counted from its last use), at most `maxKept` of them.
 * A request for time T is served by the kept snapshot whose state is the state at T: opened at or
 * before T, with no commit between its opening and T. When nothing was committed since T, a fresh
 * snapshot is that state too. Anything else is SnapshotTooOld (239), as when mongod's history
 * window has passed.
 */
import type { Timestamp } from '../bson.js';
import type { Catalog } from '../catalog/catalog.js';
import { compareTimestamps } from '../catalog/clock.js';
import type { Snapshot } from '../catalog/snapshot.js';
import { mongoError } from '../errors.js';

interface Kept {
  readonly snapshot: Snapshot;
  /** Timestamp of the first commit after the snapshot (undefined while there is none). */
  nextCommitTs: Timestamp | undefined;
  lastUsed: number;
}

export class SnapshotHistory {
  private readonly kept: Kept[] = [];
  private lastCommitTs: Timestamp | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly catalog: Catalog,
    private readonly windowMs = 300_000,
    private readonly maxKept = 64,
    private readonly now: () => number = Date.now,
  ) {
    this.unsubscribe = catalog.onCommit((_batch, ts) => {
      this.lastCommitTs = ts;
      for (const k of this.kept) k.nextCommitTs ??= ts;
    });
  }

  /** A snapshot of the latest state, kept so that its timestamp can be read again. */
  latest(): Snapshot {
    this.expire();
    const newest = this.kept[this.kept.length - 1];
    if (newest && newest.nextCommitTs === undefined) {
      newest.lastUsed = this.now();
      return newest.snapshot;
    }
    return this.keep(this.catalog.openSnapshot());
  }

  /** The snapshot that reads the state at `ts` (SnapshotTooOld when it is no longer known). */
  at(ts: Timestamp): Snapshot {
    this.expire();
    for (const k of this.kept) {
      if (
        compareTimestamps(k.snapshot.ts, ts) <= 0 &&
        (k.nextCommitTs === undefined || compareTimestamps(ts, k.nextCommitTs) < 0)
      ) {
        k.lastUsed = this.now();
        return k.snapshot;
      }
    }
    if (this.lastCommitTs === undefined || compareTimestamps(this.lastCommitTs, ts) <= 0)
      return this.latest();
    throw mongoError(
      'SnapshotTooOld',
      `Read timestamp ${ts.toString()} is older than the oldest available timestamp.`,
    );
  }

  get size(): number {
    return this.kept.length;
  }

  close(): void {
    this.unsubscribe();
    for (const k of this.kept.splice(0)) k.snapshot.release();
  }

  private keep(snapshot: Snapshot): Snapshot {
    this.kept.push({ snapshot, nextCommitTs: undefined, lastUsed: this.now() });
    while (this.kept.length > this.maxKept) this.kept.shift()?.snapshot.release();
    return snapshot;
  }

  private expire(): void {
    const cutoff = this.now() - this.windowMs;
    for (let i = this.kept.length - 1; i >= 0; i--) {
      const k = this.kept[i];
      if (k.lastUsed < cutoff) {
        this.kept.splice(i, 1);
        k.snapshot.release();
      }
    }
  }
}
