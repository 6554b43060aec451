/**
 * In-process mutual exclusion by key (e.g. a product id), FIFO per key. Commands that write the
 * same hot aggregate run one after another in this process instead of all starting transactions
 * at once: under MongoDB's optimistic concurrency, N concurrent transactions on one document
 * abort each other with write conflicts (TransientTransactionError) and, retried, can keep doing
 * so until the driver's 120 s withTransaction limit ends them with a 500. Across processes the
 * driver's retry (with backoff) still resolves conflicts; this only removes the local pile-up.
 *
 * Hold a key only around a whole transaction (it must be taken BEFORE the transaction starts: a
 * snapshot read before waiting would be stale and conflict anyway). Several keys are taken in
 * sorted order, so two holders of overlapping key sets cannot deadlock.
 */
import { Injectable } from '@nestjs/common';

@Injectable()
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async runExclusive<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const releases: (() => void)[] = [];
    try {
      for (const key of [...new Set(keys)].sort()) releases.push(await this.acquire(key));
      return await work();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  /** Keys currently held or waited for (for tests and diagnostics). */
  get size(): number {
    return this.tails.size;
  }

  private async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
