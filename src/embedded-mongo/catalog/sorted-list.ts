/**
 * An ordered set kept as a list of sorted chunks (at most `maxChunk` items each): a two-level
 * B-tree. Lookups and inserts cost O(log n) comparisons plus a bounded memmove inside one chunk;
 * chunk splits are amortised. Items must be unique under `cmp` (index entries are: key, then
 * record id).
 *
 * Positions are invalidated by changes; `version` is bumped on each change so that long-lived
 * cursors (index scans spanning getMores) can notice and re-seek from the last item they saw.
 */
export interface Position {
  readonly c: number;
  readonly i: number;
}

export class SortedList<T> {
  private chunks: T[][] = [];
  private count = 0;
  version = 0;

  constructor(
    private readonly cmp: (a: T, b: T) => number,
    private readonly maxChunk = 512,
  ) {}

  get size(): number {
    return this.count;
  }

  /** Replaces the content with `items`, which must already be sorted and unique. */
  loadSorted(items: T[]): void {
    const half = Math.max(1, this.maxChunk >> 1);
    this.chunks = [];
    for (let i = 0; i < items.length; i += half) this.chunks.push(items.slice(i, i + half));
    this.count = items.length;
    this.version++;
  }

  /** First position whose item satisfies `atOrAfter` (a predicate false...false true...true). */
  seek(atOrAfter: (x: T) => boolean): Position {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const ch = chunks[mid];
      if (atOrAfter(ch[ch.length - 1])) hi = mid;
      else lo = mid + 1;
    }
    if (lo === chunks.length) return { c: lo, i: 0 };
    const ch = chunks[lo];
    let a = 0;
    let b = ch.length - 1;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (atOrAfter(ch[mid])) b = mid;
      else a = mid + 1;
    }
    return { c: lo, i: a };
  }

  /** Last position whose item does NOT satisfy `after`; undefined if every item does. */
  seekLastBefore(after: (x: T) => boolean): Position | undefined {
    return this.prev(this.seek(after));
  }

  first(): Position | undefined {
    return this.chunks.length ? { c: 0, i: 0 } : undefined;
  }

  last(): Position | undefined {
    const n = this.chunks.length;
    return n ? { c: n - 1, i: this.chunks[n - 1].length - 1 } : undefined;
  }

  at(p: Position | undefined): T | undefined {
    if (!p) return undefined;
    const ch = this.chunks[p.c];
    return ch ? ch[p.i] : undefined;
  }

  next(p: Position): Position | undefined {
    const ch = this.chunks[p.c];
    if (!ch) return undefined;
    if (p.i + 1 < ch.length) return { c: p.c, i: p.i + 1 };
    return p.c + 1 < this.chunks.length ? { c: p.c + 1, i: 0 } : undefined;
  }

  prev(p: Position): Position | undefined {
    if (p.c < this.chunks.length && p.i > 0) return { c: p.c, i: p.i - 1 };
    const c = Math.min(p.c, this.chunks.length) - 1;
    if (c < 0) return undefined;
    return { c, i: this.chunks[c].length - 1 };
  }

  has(item: T): boolean {
    const x = this.at(this.seek((y) => this.cmp(y, item) >= 0));
    return x !== undefined && this.cmp(x, item) === 0;
  }

  /** Inserts `item`; false (and no change) if an equal item is already present. */
  insert(item: T): boolean {
    const chunks = this.chunks;
    if (chunks.length === 0) {
      chunks.push([item]);
      this.count = 1;
      this.version++;
      return true;
    }
    let { c, i } = this.seek((y) => this.cmp(y, item) >= 0);
    if (c === chunks.length) {
      c = chunks.length - 1;
      i = chunks[c].length;
    } else if (this.cmp(chunks[c][i], item) === 0) {
      return false;
    }
    const ch = chunks[c];
    ch.splice(i, 0, item);
    if (ch.length > this.maxChunk) chunks.splice(c + 1, 0, ch.splice(ch.length >> 1));
    this.count++;
    this.version++;
    return true;
  }

  /** Removes the item equal to `item`; false if absent. */
  delete(item: T): boolean {
    const { c, i } = this.seek((y) => this.cmp(y, item) >= 0);
    const ch = this.chunks[c];
    if (!ch || this.cmp(ch[i], item) !== 0) return false;
    ch.splice(i, 1);
    if (ch.length === 0) this.chunks.splice(c, 1);
    this.count--;
    this.version++;
    return true;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const ch of this.chunks) yield* ch;
  }
}
