/**
 * Runs a recomputation per key at most once at a time and coalesces the requests that arrive while
 * it runs into ONE follow-up run. A caller gets a promise of a run that STARTS after its call, so
 * whatever it wrote before calling is seen by that run — the guarantee a "recompute from all inputs"
 * projection needs — while N concurrent callers cost at most two runs instead of N.
 *
 * Used by the orders_summary projection: many orders of one day applied concurrently (the fast
 * path) share one recomputation of that day instead of one each.
 */
interface KeyState {
  running: Promise<void>;
  /** The run queued behind `running`, shared by every caller that arrived meanwhile. */
  next?: Promise<void>;
}

export class CoalescingRunner {
  private readonly keys = new Map<string, KeyState>();

  run(key: string, work: () => Promise<void>): Promise<void> {
    const state = this.keys.get(key);
    if (!state) return this.start(key, work);
    if (!state.next) {
      // Starts when the current run ends (whatever its outcome), then becomes the running one.
      state.next = state.running.then(
        () => this.promote(key, work),
        () => this.promote(key, work),
      );
    }
    return state.next;
  }

  /** Keys with a run in progress (for tests and diagnostics). */
  get size(): number {
    return this.keys.size;
  }

  private start(key: string, work: () => Promise<void>): Promise<void> {
    const running = work().finally(() => {
      const state = this.keys.get(key);
      if (state?.running === running && !state.next) this.keys.delete(key);
    });
    this.keys.set(key, { running });
    return running;
  }

  private promote(key: string, work: () => Promise<void>): Promise<void> {
    this.keys.delete(key);
    return this.start(key, work);
  }
}
