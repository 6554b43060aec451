/**
 * Wakes writers waiting for locked documents. A plain (non-transactional) write that meets a
 * document an open transaction has written must not fail: like mongod, it waits until that
 * transaction ends and runs again. "Ends" is any commit (the catalog's commit observer) or any
 * abort of a unit that held documents (notified by the session layer). A waiter also wakes after
 * `maxWaitMs` in case a release happened unseen (the caller then simply runs again).
 */
import type { Catalog } from '../catalog/catalog.js';
import type { WriteUnit } from '../catalog/write-unit.js';

export class ReleaseSignal {
  private readonly waiters = new Set<() => void>();
  private readonly unsubscribe: () => void;

  constructor(catalog: Catalog) {
    this.unsubscribe = catalog.onCommit(() => this.notify());
  }

  get waiting(): number {
    return this.waiters.size;
  }

  notify(): void {
    if (this.waiters.size === 0) return;
    const wake = [...this.waiters];
    this.waiters.clear();
    for (const w of wake) w();
  }

  wait(maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      this.waiters.add(done);
    });
  }

  close(): void {
    this.unsubscribe();
    this.notify();
  }
}

/** Rolls a unit back and, when it held documents, wakes the writers waiting for them. */
export function rollBack(unit: WriteUnit, release: ReleaseSignal): void {
  const held = unit.size > 0;
  unit.abort();
  if (held) release.notify();
}
