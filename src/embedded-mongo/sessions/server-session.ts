/**
 * The server side of one logical session (lsid): when it was last used, which transaction number
 * is active on it and what that number is (a retryable write, with its reply once it succeeded,
 * or a transaction), and a lock: commands carrying a txnNumber run one at a time per session,
 * as mongod checks a session out for them.
 */
import type { Binary, Document } from '../bson.js';
import { serverLsid } from './lsid.js';
import type { Transaction } from './transaction.js';

export type TxnNumberKind = 'none' | 'retryableWrite' | 'transaction';

export class ServerSession {
  /** `{id, uid}`: the `_id` of its record and of its $listLocalSessions entry. */
  readonly lsid: Document;
  lastUse: number;
  /** Highest txnNumber seen on this session (-1: none). */
  activeTxnNumber = -1;
  kind: TxnNumberKind = 'none';
  /** The transaction of activeTxnNumber (kind 'transaction'), kept after it ends for its state. */
  txn: Transaction | undefined;
  /** The reply of the retryable write activeTxnNumber, once it succeeded. */
  retryReply: Document | undefined;
  /** The retryable write activeTxnNumber happened (durable record) but its reply was not kept. */
  retryReplyLost = false;
  private tail: Promise<void> = Promise.resolve();
  private running = 0;

  constructor(
    readonly key: string,
    readonly id: Binary,
    now: number,
  ) {
    this.lsid = serverLsid(id);
    this.lastUse = now;
  }

  /** A command holds the session (checked out). */
  get busy(): boolean {
    return this.running > 0;
  }

  /** Runs `fn` once every earlier checkout of this session has finished. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const before = this.tail;
    let release: () => void = () => undefined;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await before;
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      release();
    }
  }
}
