/**
 * The cluster clock: a monotonic logical clock of BSON Timestamps, `(seconds, increment)` with
 * seconds taken from the wall clock and the increment counting within a second. Every committed
 * batch is stamped with `tick()`; the stamp is journaled with the batch and recovery feeds the
 * highest one back through `advanceTo()`, so the clock never goes backwards across restarts (nor
 * when the wall clock does: it then keeps the last second and counts the increment up).
 */
import { Timestamp } from '../bson.js';

export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  const at = a.t;
  const bt = b.t;
  if (at !== bt) return at < bt ? -1 : 1;
  const ai = a.i;
  const bi = b.i;
  return ai === bi ? 0 : ai < bi ? -1 : 1;
}

export class ClusterClock {
  private seconds = 0;
  private increment = 0;
  private last: Timestamp = new Timestamp({ t: 0, i: 0 });

  constructor(private readonly wallSeconds: () => number = () => Math.floor(Date.now() / 1000)) {}

  /** The highest Timestamp issued or observed (Timestamp(0, 0) before the first). */
  current(): Timestamp {
    return this.last;
  }

  /** Issues the next Timestamp: strictly greater than every one before. */
  tick(): Timestamp {
    const now = this.wallSeconds();
    if (now > this.seconds) {
      this.seconds = now;
      this.increment = 1;
    } else if (this.increment >= 0xffffffff) {
      this.seconds++;
      this.increment = 1;
    } else {
      this.increment++;
    }
    this.last = new Timestamp({ t: this.seconds, i: this.increment });
    return this.last;
  }

  /** Makes sure later ticks are above `ts` (recovery; cluster times gossiped by clients). */
  advanceTo(ts: Timestamp): void {
    if (compareTimestamps(ts, this.last) <= 0) return;
    this.seconds = ts.t;
    this.increment = ts.i;
    this.last = new Timestamp({ t: ts.t, i: ts.i });
  }
}
