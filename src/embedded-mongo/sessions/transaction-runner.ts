/**
 * Commands of multi-document transactions (txnNumber + autocommit: false), run with the session
 * checked out. mongod's beginOrContinue rules decide first:
 *
 * - txnNumber below the session's active number: TransactionTooOld (225);
 * - startTransaction: at the active number ConflictingOperationInProgress (117, only sharded
 *   clusters may restart one); above it, any open transaction of the session is aborted and a new
 *   one starts (snapshot now, read concern of this first command: local, majority or snapshot);
 * - otherwise the active transaction continues: a different number or a retryable write is
 *   NoSuchTransaction (251); an aborted one NoSuchTransaction; a committed one only accepts
 *   commitTransaction again (else TransactionCommitted, 256); readConcern is only for the first
 *   command (InvalidOptions, 72).
 *
 * The command then reads and writes through the transaction's unit. A command error or a write
 * error aborts the transaction, as on mongod; cursors the command opens are closed when it ends.
 */
import { Long, type Document } from '../bson.js';
import type { Snapshot } from '../catalog/snapshot.js';
import type { CommandContext, CommandSpec } from '../commands/types.js';
import type { WriteConcern } from '../commands/write-concern.js';
import { mongoError } from '../errors.js';
import { isPlainObject } from '../values/types.js';
import type { Bindings } from './binding.js';
import { advanceClusterTime } from './cluster-time.js';
import type { SessionLayerHost } from './host.js';
import { checkAtClusterTime, checkTransactionReadConcern, type ReadConcern } from './read-concern.js';
import type { SessionFields } from './session-fields.js';
import { writeSessionRecord } from './session-records.js';
import type { ServerSession } from './server-session.js';
import { Transaction } from './transaction.js';
import { checkAllowedInTransaction, writtenNamespaces } from './transaction-rules.js';

function hasWriteErrors(reply: Document): boolean {
  return Array.isArray(reply.writeErrors) && reply.writeErrors.length > 0;
}

function cursorIdOf(reply: Document): Long | undefined {
  const cursor = reply.cursor;
  if (!isPlainObject(cursor)) return undefined;
  const id = cursor.id;
  return id instanceof Long && !id.isZero() ? id : undefined;
}

export class TransactionRunner {
  constructor(
    private readonly host: SessionLayerHost,
    private readonly bindings: Bindings,
  ) {}

  async run(
    spec: CommandSpec,
    ctx: CommandContext,
    fields: SessionFields,
    session: ServerSession,
    rc: ReadConcern | undefined,
  ): Promise<Document> {
    checkAllowedInTransaction(spec.name, ctx.db, ctx.body);
    const txn = this.beginOrContinue(session, fields, spec.name, rc);
    this.bindings.set(ctx, { fields, session, txn });
    try {
      this.noteNamespaces(txn, spec.name, ctx);
      const reply = await spec.run(ctx);
      if (txn.inProgress) {
        const cursorId = cursorIdOf(reply);
        if (cursorId) txn.cursorIds.push(cursorId);
        if (hasWriteErrors(reply)) txn.abort('a write of the transaction failed');
      }
      return reply;
    } catch (e) {
      txn.abort(e instanceof Error ? e.message : 'command failed');
      throw e;
    } finally {
      this.bindings.delete(ctx);
      if (txn.expired) txn.abort('transactionLifetimeLimitSeconds exceeded');
    }
  }

  /** commitTransaction: commits (or, for a retry of a committed one, waits for durability again). */
  async commit(ctx: CommandContext, wc: WriteConcern): Promise<void> {
    const { txn, session } = this.transactionOf(ctx, 'commitTransaction');
    if (txn.state === 'committed') {
      if (wc.durable) await this.host.catalog.flush();
      return;
    }
    await txn.commit(wc.durable, (unit) =>
      writeSessionRecord(unit, session.lsid, { txnNumber: txn.txnNumber, committed: true }),
    );
  }

  abort(ctx: CommandContext): void {
    this.transactionOf(ctx, 'abortTransaction').txn.abort('abortTransaction');
  }

  private beginOrContinue(
    session: ServerSession,
    fields: SessionFields,
    command: string,
    rc: ReadConcern | undefined,
  ): Transaction {
    const n = fields.txnNumber as number;
    const active = session.activeTxnNumber;
    if (n < active) {
      const what = session.kind === 'transaction' ? 'transaction' : 'retryable write';
      throw mongoError(
        'TransactionTooOld',
        `Cannot start transaction ${n} on session ${session.key} because a newer ${what} with txnNumber ${active} has already started on this session.`,
      );
    }
    if (fields.startTransaction) {
      if (n === active) {
        throw mongoError(
          'ConflictingOperationInProgress',
          'Only servers in a sharded cluster can start a new transaction at the active transaction number',
        );
      }
      checkTransactionReadConcern(rc);
      if (rc?.afterClusterTime) advanceClusterTime(this.host.catalog.clock, rc.afterClusterTime);
      return this.start(session, n, rc);
    }
    const txn = session.txn;
    if (n !== active || session.kind !== 'transaction' || !txn) {
      throw mongoError(
        'NoSuchTransaction',
        `Given transaction number ${n} does not match any in-progress transactions. The active transaction number is ${active}`,
      );
    }
    if (txn.state === 'aborted')
      throw mongoError('NoSuchTransaction', `Transaction with { txnNumber: ${n} } has been aborted.`);
    if (txn.state === 'committed' && command !== 'commitTransaction')
      throw mongoError('TransactionCommitted', `Transaction with { txnNumber: ${n} } has been committed.`);
    if (txn.inProgress && rc !== undefined)
      throw mongoError('InvalidOptions', 'Only the first command in a transaction may specify a readConcern');
    return txn;
  }

  private start(session: ServerSession, n: number, rc: ReadConcern | undefined): Transaction {
    session.txn?.abort('a newer transaction started on the session');
    const catalog = this.host.catalog;
    let kept: Snapshot | undefined;
    if (rc?.atClusterTime) {
      // A chosen read point: the snapshot kept for it (owned by the history, not released here).
      checkAtClusterTime(rc.atClusterTime, catalog.clock.current());
      kept = this.host.snapshots.at(rc.atClusterTime);
    }
    const snapshot = kept ?? catalog.openSnapshot();
    const unit = catalog.beginWrite({ snapshot });
    // The commit batch names its transaction: change events carry lsid and txnNumber.
    unit.txn = { lsid: { id: session.id }, txnNumber: Long.fromNumber(n) };
    const txn = Transaction.start(n, unit, snapshot, rc, {
      ownsSnapshot: kept === undefined,
      onEnd: (t) => this.host.sessions.onTransactionEnd(t),
    });
    txn.armLifetimeLimit(this.host.transactionLifetimeLimitMs, (t) => {
      if (session.busy) t.expired = true;
      else t.abort('transactionLifetimeLimitSeconds exceeded');
    });
    session.activeTxnNumber = n;
    session.kind = 'transaction';
    session.txn = txn;
    session.retryReply = undefined;
    session.retryReplyLost = false;
    return txn;
  }

  /** Remembers collections a transaction might create; refuses new indexes on old collections. */
  private noteNamespaces(txn: Transaction, command: string, ctx: CommandContext): void {
    for (const ns of writtenNamespaces(command, ctx.db, ctx.arg, ctx.body)) {
      const exists = this.host.catalog.getCollectionByNs(ns) !== undefined;
      if (!exists) txn.newNamespaces.add(ns);
      else if (command === 'createIndexes' && !txn.newNamespaces.has(ns)) {
        throw mongoError(
          'OperationNotSupportedInTransaction',
          `Cannot create new indexes on existing collection ${ns} in a multi-document transaction.`,
        );
      }
    }
  }

  private transactionOf(ctx: CommandContext, command: string): { txn: Transaction; session: ServerSession } {
    const b = this.bindings.get(ctx);
    if (!b?.txn || !b.session)
      throw mongoError('InvalidOptions', `${command} must be run within a transaction`);
    return { txn: b.txn, session: b.session };
  }
}
