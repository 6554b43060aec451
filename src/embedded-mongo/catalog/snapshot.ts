/**
 * Read snapshots. A Snapshot pins the state as of the last committed batch when it was opened:
 * reads given the snapshot see exactly the versions committed at or before it, however long they
 * run. While a snapshot is open, the versions it can see are kept (so release it: cursors and
 * transactions release theirs when done). The registry tells pruning which points are pinned.
 */
import type { Timestamp } from '../bson.js';

export class Snapshot {
  private released = false;

  constructor(
    /** Commit sequence number of the last batch visible. */
    readonly seq: number,
    /** Its commit Timestamp (what a transaction reports as its read timestamp). */
    readonly ts: Timestamp,
    private readonly registry: SnapshotRegistry,
  ) {}

  get isReleased(): boolean {
    return this.released;
  }

  /** Unpins the snapshot. Idempotent. Reading through a released snapshot is a bug (it throws). */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.registry.unpin(this.seq);
  }

  /** @internal */
  assertOpen(): void {
    if (this.released) throw new Error('read through a released snapshot');
  }
}

export class SnapshotRegistry {
  /** Pinned sequence number -> number of open snapshots on it. */
  private readonly pins = new Map<number, number>();
  private pinnedCache: number[] | undefined = [];

  /** `onUnpinned` runs when a sequence number stops being pinned (versions may become prunable). */
  constructor(private readonly onUnpinned: () => void) {}

  open(seq: number, ts: Timestamp): Snapshot {
    if (!this.pins.has(seq)) this.pinnedCache = undefined;
    this.pins.set(seq, (this.pins.get(seq) ?? 0) + 1);
    return new Snapshot(seq, ts, this);
  }

  /** Pinned sequence numbers, highest first. */
  pinned(): readonly number[] {
    this.pinnedCache ??= [...this.pins.keys()].sort((a, b) => b - a);
    return this.pinnedCache;
  }

  get openCount(): number {
    let n = 0;
    for (const c of this.pins.values()) n += c;
    return n;
  }

  unpin(seq: number): void {
    const n = (this.pins.get(seq) ?? 0) - 1;
    if (n > 0) {
      this.pins.set(seq, n);
      return;
    }
    this.pins.delete(seq);
    this.pinnedCache = undefined;
    this.onUnpinned();
  }
}
