/**
 * The live logical sessions of this server, keyed by `keyString(lsid.id)`.
 *
 * A session appears with the first command carrying its lsid (its durable record, if any, is read
 * then: see session-records.ts) and disappears when it is ended (endSessions/killSessions), or
 * after `timeoutMs` without use (mongod's logicalSessionTimeoutMinutes, 30). At most `maxSessions`
 * live at once (mongod's default, 1,000,000): a new session over it fails with
 * TooManyLogicalSessions (261), so clients inventing lsids cannot grow memory without bound. Ending a session
 * aborts its open transaction, closes its cursors and forgets its record. killAllSessions aborts
 * every open transaction and closes every cursor, but keeps the sessions.
 *
 * Transactions end through here too (onTransactionEnd): their cursors are closed, writers waiting
 * for the documents they held are woken, and, after an abort, collections the transaction created
 * are dropped again while still empty (DDL here is not transactional; see README of the report).
 */
import { Binary, type Document } from '../bson.js';
import type { Catalog } from '../catalog/catalog.js';
import type { CursorManager } from '../cursors/cursor-manager.js';
import { mongoError } from '../errors.js';
import type { Logger } from '../logger.js';
import { keyString } from '../values/keystring.js';
import type { ReleaseSignal } from './release-signal.js';
import { deleteSessionRecords, readSessionRecord, staleSessionRecords } from './session-records.js';
import { ServerSession } from './server-session.js';
import { Transaction } from './transaction.js';

export const LOGICAL_SESSION_TIMEOUT_MINUTES = 30;
/** mongod's maxSessions: live sessions at once; a new one over it fails with TooManyLogicalSessions (261). */
export const MAX_SESSIONS = 1_000_000;

export interface SessionCatalogHost {
  readonly catalog: Catalog;
  readonly cursors: CursorManager;
  readonly release: ReleaseSignal;
  readonly logger: Logger;
}

export class SessionCatalog {
  private readonly sessions = new Map<string, ServerSession>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly host: SessionCatalogHost,
    private readonly timeoutMs = LOGICAL_SESSION_TIMEOUT_MINUTES * 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxSessions = MAX_SESSIONS,
  ) {
    this.sweeper = setInterval(() => this.expireIdle(), Math.max(1000, Math.min(60_000, timeoutMs / 4)));
    this.sweeper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  get(key: string): ServerSession | undefined {
    return this.sessions.get(key);
  }

  /** The session (created, with its durable state, on first use), marked as used now. */
  touch(key: string, id: Binary): ServerSession {
    let s = this.sessions.get(key);
    if (!s) {
      if (this.sessions.size >= this.maxSessions) {
        throw mongoError(
          'TooManyLogicalSessions',
          `Unable to add session into the cache because the number of active sessions is too high (maxSessions ${this.maxSessions})`,
        );
      }
      s = new ServerSession(key, id, this.now());
      this.restore(s);
      this.sessions.set(key, s);
    }
    s.lastUse = this.now();
    return s;
  }

  /** Keeps sessions alive (refreshSessions). */
  refresh(key: string): void {
    const s = this.sessions.get(key);
    if (s) s.lastUse = this.now();
  }

  /** `$listLocalSessions` documents. */
  listLocal(): Document[] {
    return [...this.sessions.values()].map((s) => ({ _id: s.lsid, lastUse: new Date(s.lastUse) }));
  }

  /** endSessions / killSessions. */
  async end(key: string): Promise<void> {
    const s = this.sessions.get(key);
    if (s) {
      this.sessions.delete(key);
      s.txn?.abort('session ended');
      deleteSessionRecords(this.host.catalog, [s.lsid]);
    }
    await this.host.cursors.killSession(key);
  }

  /** killAllSessions: aborts every open transaction and closes every cursor. */
  async killAll(): Promise<void> {
    for (const s of this.sessions.values()) s.txn?.abort('killAllSessions');
    await this.host.cursors.killAll();
  }

  /** Open transactions (for lifetime checks and shutdown). */
  openTransactions(): Transaction[] {
    const out: Transaction[] = [];
    for (const s of this.sessions.values()) if (s.txn?.inProgress) out.push(s.txn);
    return out;
  }

  /** Called by every transaction when it commits or aborts. */
  onTransactionEnd(txn: Transaction): void {
    if (txn.cursorIds.length > 0) void this.host.cursors.kill(txn.cursorIds);
    if (txn.state === 'aborted') this.dropCreatedNamespaces(txn);
    this.host.release.notify();
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const s of this.sessions.values()) s.txn?.abort('shutdown');
  }

  /**
   * Ends sessions idle for longer than the timeout (not while a command holds them), and forgets
   * the records of sessions not live in this process (e.g. from before a restart) that are as old.
   */
  expireIdle(): void {
    const cutoff = this.now() - this.timeoutMs;
    for (const [key, s] of this.sessions) {
      if (s.lastUse < cutoff && !s.busy) {
        this.end(key).catch((e: unknown) =>
          this.host.logger.warn('ending an idle session failed', { error: String(e) }),
        );
      }
    }
    const stale = staleSessionRecords(this.host.catalog, new Date(cutoff)).filter(
      (lsid) => !(lsid.id instanceof Binary && this.sessions.has(keyString(lsid.id))),
    );
    deleteSessionRecords(this.host.catalog, stale);
  }

  private restore(s: ServerSession): void {
    const record = readSessionRecord(this.host.catalog, s.lsid);
    if (!record) return;
    s.activeTxnNumber = record.txnNumber;
    if (record.committed) {
      s.kind = 'transaction';
      s.txn = Transaction.recoveredCommitted(record.txnNumber);
    } else {
      s.kind = 'retryableWrite';
      s.retryReply = record.reply;
      s.retryReplyLost = record.reply === undefined;
    }
  }

  private dropCreatedNamespaces(txn: Transaction): void {
    const catalog = this.host.catalog;
    for (const ns of txn.newNamespaces) {
      const coll = catalog.getCollectionByNs(ns);
      if (!coll || coll.count() > 0 || coll.hasUncommitted()) continue;
      catalog.dropCollection(coll.db, coll.name).catch(() => undefined);
    }
  }
}
