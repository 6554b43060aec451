/**
 * In-process mutual exclusion by key (e.g. a product id), FIFO per key. Commands that write the
 * same hot aggregate run one after another in this process instead of all starting transactions
 * at once: under MongoDB's optimistic concurrency, N concurrent transactions on one document
 * abort each other with write conflicts (TransientTransactionError) and, retried, can keep doing
 * so until the driver's 120 s withTransaction limit ends them with a 500. Across processes the
 * driver's retry (with backoff) still resolves conflicts; this only removes the local pile-up.
 *
 * Bounded (load shedding): at most `productQueueLimit` waiters per key, and a waiter leaves when
 * its request's start deadline passes (overload.ts); both refuse with 503 SERVICE.UNAVAILABLE
 * (Retry-After). Work without a deadline (seed, sagas, CLIs) waits as long as it takes.
 *
 * Hold a key only around a whole transaction: take it BEFORE the transaction's first read (a
 * snapshot read before waiting would be stale and conflict anyway), or, when the keys are only
 * known from that read, with `scope()`: taken at once if free, else after waiting, in which case
 * the caller restarts its transaction. Several keys are taken in sorted order, and a scope takes
 * its keys once, so two holders of overlapping key sets cannot deadlock.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { AppConfig } from '../../config/env.js';
import { APP_CONFIG } from '../config.module.js';
import { overloaded, startDeadline } from '../overload/overload.js';

type Release = () => void;

interface Waiter {
  grant: () => void;
}

/** A key's queue; present in the map = the key is held. */
interface KeyState {
  waiters: Waiter[];
}

/** Keys taken for the span of one command (see KeyedMutex.scope). */
export interface LockScope {
  /**
   * Takes `keys` (once per scope; later calls with the same keys return true): true when they were
   * free at once, false when this had to wait for another holder (the caller's earlier reads may
   * be stale: restart the transaction, keeping the scope).
   */
  take(keys: readonly string[]): Promise<boolean>;
  /** Releases what the scope holds (idempotent). */
  release(): void;
}

const DEFAULT_QUEUE_LIMIT = 1_000_000;

@Injectable()
export class KeyedMutex {
  private readonly keys = new Map<string, KeyState>();
  private readonly queueLimit: number;

  constructor(@Optional() @Inject(APP_CONFIG) config?: Pick<AppConfig, 'productQueueLimit'>) {
    this.queueLimit = config?.productQueueLimit ?? DEFAULT_QUEUE_LIMIT;
  }

  async runExclusive<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const release = await this.acquire(keys);
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** A scope for keys learnt inside a transaction; release it once the transaction is over. */
  scope(): LockScope {
    let held: { keys: string[]; release: Release } | undefined;
    return {
      take: async (keys) => {
        const wanted = sortedUnique(keys);
        if (held) {
          if (wanted.every((k) => held?.keys.includes(k))) return true;
          throw new Error('a lock scope takes one set of keys');
        }
        const now = this.tryAcquire(wanted);
        if (now) {
          held = { keys: wanted, release: now };
          return true;
        }
        held = { keys: wanted, release: await this.acquire(wanted) };
        return false;
      },
      release: () => {
        held?.release();
        held = undefined;
      },
    };
  }

  /** Takes all `keys` if none is held now; undefined (nothing taken) otherwise. */
  tryAcquire(keys: readonly string[]): Release | undefined {
    const wanted = sortedUnique(keys);
    if (wanted.some((k) => this.keys.has(k))) return undefined;
    for (const k of wanted) this.keys.set(k, { waiters: [] });
    return once(() => wanted.forEach((k) => this.release(k)));
  }

  /** Takes all `keys` in sorted order, waiting in each key's queue (bounded: see the header). */
  async acquire(keys: readonly string[]): Promise<Release> {
    const deadline = startDeadline();
    const taken: string[] = [];
    try {
      for (const key of sortedUnique(keys)) {
        await this.acquireOne(key, deadline);
        taken.push(key);
      }
    } catch (e) {
      taken.forEach((k) => this.release(k));
      throw e;
    }
    return once(() => taken.forEach((k) => this.release(k)));
  }

  /** Keys currently held or waited for (for tests and diagnostics). */
  get size(): number {
    return this.keys.size;
  }

  private acquireOne(key: string, deadline: number | undefined): Promise<void> | void {
    const state = this.keys.get(key);
    if (!state) {
      this.keys.set(key, { waiters: [] });
      return;
    }
    if (state.waiters.length >= this.queueLimit) throw overloaded(`queue of ${key} full`);
    const wait = deadline === undefined ? undefined : deadline - Date.now();
    if (wait !== undefined && wait <= 0) throw overloaded(`${key} busy past the start budget`);
    return new Promise<void>((resolve, reject) => {
      const timer =
        wait === undefined
          ? undefined
          : setTimeout(() => {
              const i = state.waiters.indexOf(waiter);
              if (i >= 0) state.waiters.splice(i, 1);
              reject(overloaded(`${key} busy past the start budget`));
            }, wait);
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      state.waiters.push(waiter);
    });
  }

  /** Hands the key to its next waiter (it stays held), or frees it. */
  private release(key: string): void {
    const state = this.keys.get(key);
    if (!state) return;
    const next = state.waiters.shift();
    if (next) next.grant();
    else this.keys.delete(key);
  }
}

const sortedUnique = (keys: readonly string[]): string[] => [...new Set(keys)].sort();

function once(fn: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
