/**
 * One multi-document transaction of a session: a snapshot taken when it starts, and ONE write
 * unit reading at that snapshot, in which every command of the transaction stages its writes
 * (invisible to everyone else, locked against other writers). Commit makes them visible together
 * with one commit timestamp (and one journal record / fsync); abort, a conflict or the lifetime
 * limit roll them back. States: inProgress -> committed | aborted, both final.
 */
import type { Long, Timestamp } from '../bson.js';
import type { Snapshot } from '../catalog/snapshot.js';
import type { WriteUnit } from '../catalog/write-unit.js';
import { mongoError } from '../errors.js';
import type { ReadConcern } from './read-concern.js';

export type TransactionState = 'inProgress' | 'committed' | 'aborted';

export interface TransactionHooks {
  /** Runs once when the transaction leaves inProgress (commit or abort). */
  onEnd(txn: Transaction): void;
  /** Release the snapshot when the transaction ends (false when someone else keeps it). */
  readonly ownsSnapshot?: boolean;
}

export class Transaction {
  private status: TransactionState;
  /** Cursors opened in the transaction: killed when it ends. */
  readonly cursorIds: Long[] = [];
  /** Namespaces that did not exist when a command of this transaction first named them. */
  readonly newNamespaces = new Set<string>();
  /** Why it was aborted (for logs and error messages). */
  abortReason: string | undefined;
  commitTs: Timestamp | undefined;
  /** Set when the lifetime limit passed while a command was running: abort when it returns. */
  expired = false;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly txnNumber: number,
    private readonly writeUnit: WriteUnit | undefined,
    readonly snapshot: Snapshot | undefined,
    readonly readConcern: ReadConcern | undefined,
    private readonly hooks: TransactionHooks | undefined,
    state: TransactionState,
  ) {
    this.status = state;
  }

  static start(
    txnNumber: number,
    unit: WriteUnit,
    snapshot: Snapshot,
    readConcern: ReadConcern | undefined,
    hooks: TransactionHooks,
  ): Transaction {
    return new Transaction(txnNumber, unit, snapshot, readConcern, hooks, 'inProgress');
  }

  /** A transaction known only from its durable record (after a restart): committed. */
  static recoveredCommitted(txnNumber: number): Transaction {
    return new Transaction(txnNumber, undefined, undefined, undefined, undefined, 'committed');
  }

  get state(): TransactionState {
    return this.status;
  }

  get inProgress(): boolean {
    return this.status === 'inProgress';
  }

  /** The transaction's write unit; only while in progress. */
  get unit(): WriteUnit {
    if (this.status !== 'inProgress' || !this.writeUnit) {
      throw mongoError(
        'NoSuchTransaction',
        `Transaction with { txnNumber: ${this.txnNumber} } has been ${this.status}.`,
      );
    }
    return this.writeUnit;
  }

  /** Aborts the transaction when `ms` pass (transactionLifetimeLimitSeconds). */
  armLifetimeLimit(ms: number, onExpire: (txn: Transaction) => void): void {
    this.timer = setTimeout(() => onExpire(this), ms);
    this.timer.unref();
  }

  /**
   * Commits: `beforeCommit` may add writes to the unit first (the session record). Visible at
   * once; the promise settles when the batch is durable (with `durable`). A failing commit
   * (e.g. a written collection was dropped meanwhile) leaves the transaction aborted.
   */
  commit(durable: boolean, beforeCommit: (unit: WriteUnit) => void): Promise<Timestamp> {
    const unit = this.unit;
    try {
      beforeCommit(unit);
    } catch (e) {
      this.abort('commit failed');
      throw e;
    }
    const committed = unit.commit({ durable });
    if (unit.state === 'committed') {
      this.status = 'committed';
      this.commitTs = unit.commitTs;
    } else {
      this.status = 'aborted';
      this.abortReason = 'commit failed';
    }
    this.finish();
    return committed;
  }

  /** Rolls back. Returns false when it had already ended. */
  abort(reason: string): boolean {
    if (this.status !== 'inProgress') return false;
    this.status = 'aborted';
    this.abortReason = reason;
    this.writeUnit?.abort();
    this.finish();
    return true;
  }

  private finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.hooks?.ownsSnapshot !== false) this.snapshot?.release();
    this.hooks?.onEnd(this);
  }
}
