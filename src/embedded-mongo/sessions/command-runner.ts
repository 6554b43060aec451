/**
 * Runs one command with everything around it that is not the command itself: fail points,
 * cluster-time gossip, read concern, the session (checked out for commands with a txnNumber),
 * multi-document transactions, retryable writes, waiting out write conflicts, and the error
 * labels of the reply. ServerState.runCommand delegates here; the hooks commands call
 * (inTransaction, readOptionsFor, withWriteUnit) read the binding this sets for the command.
 *
 * The three ways a command runs:
 * - In a transaction (txnNumber + autocommit:false): the session is checked out, the transaction
 *   is started or continued (mongod's beginOrContinue rules and errors), and the command reads and
 *   writes through the transaction's unit. A command error, a write error or a write conflict
 *   aborts the transaction.
 * - As a retryable write (txnNumber, no autocommit): a retry of the session's active txnNumber
 *   returns the first reply; otherwise the write runs and its unit commits together with the
 *   session record that holds the reply (so even a retry after a crash is recognised).
 * - Plainly. A write that meets a document locked by an open transaction waits for it to end and
 *   runs again (up to maxTimeMS, else a bit past the transaction lifetime limit), never returning
 *   WriteConflict to a client outside a transaction.
 */
import { Long, Timestamp, type Document } from '../bson.js';
import type { Catalog } from '../catalog/catalog.js';
import type { ReadOptions } from '../catalog/collection.js';
import type { Snapshot } from '../catalog/snapshot.js';
import type { WriteUnit } from '../catalog/write-unit.js';
import { compareTimestamps } from '../catalog/clock.js';
import type { CommandContext, CommandSpec } from '../commands/types.js';
import { parseWriteConcern, type WriteConcern } from '../commands/write-concern.js';
import type { CursorManager } from '../cursors/cursor-manager.js';
import { ErrorCodes, MongoCommandError, mongoError } from '../errors.js';
import {
  failCommandBefore,
  failCommandWriteConcernError,
  FailPointError,
  type CommandTarget,
} from '../failpoints/fail-command.js';
import type { FailPointRegistry } from '../failpoints/fail-point-registry.js';
import { bsonTag, isPlainObject, numberValueOf } from '../values/types.js';
import { CloseConnectionRequest } from '../wire/close-request.js';
import { errorLabelsFor } from './error-labels.js';
import {
  checkAtClusterTime,
  checkCommandReadConcern,
  checkTransactionReadConcern,
  parseReadConcern,
  type ReadConcern,
} from './read-concern.js';
import type { ReleaseSignal } from './release-signal.js';
import type { SessionCatalog } from './session-catalog.js';
import { readSessionFields, type SessionFields } from './session-fields.js';
import { storableReply, writeSessionRecord } from './session-records.js';
import type { ServerSession } from './server-session.js';
import type { SnapshotHistory } from './snapshot-history.js';
import { Transaction } from './transaction.js';
import {
  checkAllowedInTransaction,
  checkRetryableWriteCommand,
  writtenNamespaces,
} from './transaction-rules.js';

/** What the command hooks need to know about the running command. */
interface Binding {
  readonly fields: SessionFields;
  readonly session?: ServerSession;
  readonly txn?: Transaction;
  /** Snapshot read outside a transaction. */
  readonly snapshot?: Snapshot;
  /** Retryable write: its unit waits here to commit together with the session record. */
  readonly retryable?: { pending?: { unit: WriteUnit; wc: WriteConcern } };
}

export interface CommandRunnerHost {
  readonly catalog: Catalog;
  readonly cursors: CursorManager;
  readonly sessions: SessionCatalog;
  readonly failPoints: FailPointRegistry;
  readonly release: ReleaseSignal;
  readonly snapshots: SnapshotHistory;
  readonly transactionLifetimeLimitMs: number;
}

/** Commands whose reply may carry a writeConcernError (the ones that take a write concern). */
const TAKES_WRITE_CONCERN = new Set([
  'insert',
  'update',
  'delete',
  'findAndModify',
  'bulkWrite',
  'commitTransaction',
  'abortTransaction',
  'create',
  'createIndexes',
  'drop',
  'dropDatabase',
  'dropIndexes',
  'renameCollection',
  'collMod',
]);

/** Cluster times further than this from the wall clock are refused (mongod: one year). */
const MAX_CLOCK_DRIFT_SECS = 365 * 24 * 3600;
/** A waiting writer re-checks at least this often. */
const RELEASE_POLL_MS = 100;

function isWriteConflict(e: unknown): boolean {
  return e instanceof MongoCommandError && e.code === ErrorCodes.WriteConflict;
}

function hasWriteErrors(reply: Document): boolean {
  return Array.isArray(reply.writeErrors) && reply.writeErrors.length > 0;
}

function isChangeStreamAggregate(body: Document): boolean {
  const p = body.pipeline;
  return Array.isArray(p) && isPlainObject(p[0]) && '$changeStream' in p[0];
}

function cursorIdOf(reply: Document): Long | undefined {
  const cursor = reply.cursor;
  if (!isPlainObject(cursor)) return undefined;
  const id = cursor.id;
  return id instanceof Long && !id.isZero() ? id : undefined;
}

function relabel(e: MongoCommandError, labels: string[]): MongoCommandError {
  if (labels.length === e.errorLabels.length && labels.every((l, i) => l === e.errorLabels[i])) return e;
  const out = new MongoCommandError(e.code, e.message, e.extra, labels);
  out.stack = e.stack;
  return out;
}

export class CommandRunner {
  private readonly bindings = new WeakMap<CommandContext, Binding>();
  /** Cursor ids of change streams (their getMore errors get change-stream labels). */
  private readonly changeStreamCursors = new Set<string>();

  constructor(private readonly host: CommandRunnerHost) {}

  // --- hooks for commands -----------------------------------------------------------------------

  inTransaction(ctx: CommandContext): boolean {
    return this.bindings.get(ctx)?.txn !== undefined;
  }

  readOptionsFor(ctx: CommandContext): ReadOptions {
    const b = this.bindings.get(ctx);
    if (b?.txn) return { unit: b.txn.unit };
    if (b?.snapshot) return { snapshot: b.snapshot };
    return {};
  }

  async withWriteUnit<T>(ctx: CommandContext, wc: WriteConcern, fn: (unit: WriteUnit) => T): Promise<T> {
    const b = this.bindings.get(ctx);
    if (b?.txn) return fn(b.txn.unit);
    const unit = this.host.catalog.beginWrite();
    let result: T;
    try {
      result = fn(unit);
    } catch (e) {
      unit.abort();
      throw e;
    }
    if (b?.retryable) {
      const earlier = b.retryable.pending;
      b.retryable.pending = { unit, wc };
      if (earlier) await earlier.unit.commit({ durable: earlier.wc.durable });
      return result;
    }
    await unit.commit({ durable: wc.durable });
    return result;
  }

  /** commitTransaction: commits (or, for a retry of a committed one, waits for durability again). */
  async commitTransaction(ctx: CommandContext, wc: WriteConcern): Promise<void> {
    const { txn, session } = this.transactionOf(ctx, 'commitTransaction');
    if (txn.state === 'committed') {
      if (wc.durable) await this.host.catalog.flush();
      return;
    }
    await txn.commit(wc.durable, (unit) =>
      writeSessionRecord(unit, session.lsid, { txnNumber: txn.txnNumber, committed: true }),
    );
  }

  abortTransaction(ctx: CommandContext): void {
    const { txn } = this.transactionOf(ctx, 'abortTransaction');
    txn.abort('abortTransaction');
  }

  // --- the pipeline ------------------------------------------------------------------------------

  async run(spec: CommandSpec, ctx: CommandContext): Promise<Document> {
    const fields = readSessionFields(ctx.body);
    const changeStream = this.isChangeStreamCommand(spec.name, ctx);
    const target = this.targetOf(spec, ctx);
    let labelsOverride: string[] | undefined;
    // mongod finds a getMore's change stream only once the cursor is checked out: an error
    // failCommand raises before that gets no change-stream label.
    let checkedOut = spec.name !== 'getMore';
    try {
      this.gossip(ctx.body.$clusterTime);
      labelsOverride = await failCommandBefore(this.host.failPoints.failCommand, target);
      checkedOut = true;
      if (spec.name === 'getMore') await this.failGetMore(ctx);
      const reply = await this.runInSession(spec, ctx, fields);
      this.trackChangeStreamCursor(spec.name, ctx, reply, changeStream);
      if (TAKES_WRITE_CONCERN.has(spec.name)) {
        const wce = failCommandWriteConcernError(this.host.failPoints.failCommand, target);
        if (wce) {
          reply.writeConcernError = wce.writeConcernError;
          labelsOverride = wce.labelsOverride ?? labelsOverride;
        }
      }
      const wcCode = isPlainObject(reply.writeConcernError)
        ? numberValueOf(reply.writeConcernError.code)
        : undefined;
      if (wcCode !== undefined) {
        const labels = labelsOverride ?? errorLabelsFor({ commandName: spec.name, ...fields, wcCode });
        if (labels.length > 0) reply.errorLabels = labels;
      }
      return reply;
    } catch (e) {
      if (!(e instanceof MongoCommandError)) throw e;
      const failPoint = e instanceof FailPointError;
      const override = failPoint ? e.labelsOverride : labelsOverride;
      const labels =
        override ??
        errorLabelsFor({
          commandName: spec.name,
          ...fields,
          code: e.code,
          noWritesPerformed: failPoint,
          changeStream: changeStream && checkedOut,
        });
      throw relabel(e, override ? labels : [...new Set([...e.errorLabels, ...labels])]);
    }
  }

  private async runInSession(
    spec: CommandSpec,
    ctx: CommandContext,
    fields: SessionFields,
  ): Promise<Document> {
    const rc = parseReadConcern(ctx.body.readConcern);
    const session =
      fields.sessionKey !== undefined && fields.lsidId !== undefined
        ? this.host.sessions.touch(fields.sessionKey, fields.lsidId)
        : undefined;
    if (session && fields.txnNumber !== undefined) {
      if (fields.autocommit === false)
        return session.exclusive(() => this.runInTransaction(spec, ctx, fields, session, rc));
      checkRetryableWriteCommand(spec.name);
      return session.exclusive(() => this.runRetryableWrite(spec, ctx, fields, session, rc));
    }
    checkCommandReadConcern(spec.name, rc);
    this.waitForClusterTime(rc);
    let snapshot: Snapshot | undefined;
    if (rc?.level === 'snapshot') {
      if (rc.atClusterTime) checkAtClusterTime(rc.atClusterTime, this.host.catalog.clock.current());
      snapshot = rc.atClusterTime ? this.host.snapshots.at(rc.atClusterTime) : this.host.snapshots.latest();
    }
    const reply = await this.runPlain(spec, ctx, { fields, session, snapshot });
    if (snapshot) {
      if (isPlainObject(reply.cursor)) reply.cursor.atClusterTime = snapshot.ts;
      else reply.atClusterTime = snapshot.ts;
    }
    return reply;
  }

  // --- transactions ------------------------------------------------------------------------------

  private async runInTransaction(
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

  /** mongod's TransactionParticipant::beginOrContinue, for a command with autocommit:false. */
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
      this.waitForClusterTime(rc);
      return this.startTransaction(session, n, rc);
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

  private startTransaction(session: ServerSession, n: number, rc: ReadConcern | undefined): Transaction {
    session.txn?.abort('a newer transaction started on the session');
    const catalog = this.host.catalog;
    // A transaction at a chosen point in time pins its own snapshot only when that point is now.
    if (rc?.atClusterTime) {
      checkAtClusterTime(rc.atClusterTime, catalog.clock.current());
      this.host.snapshots.at(rc.atClusterTime);
    }
    const snapshot = catalog.openSnapshot();
    const unit = catalog.beginWrite({ snapshot });
    // The commit batch names its transaction: change events carry lsid and txnNumber.
    unit.txn = { lsid: { id: session.id }, txnNumber: Long.fromNumber(n) };
    const txn = Transaction.start(n, unit, snapshot, rc, {
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

  // --- retryable writes --------------------------------------------------------------------------

  private async runRetryableWrite(
    spec: CommandSpec,
    ctx: CommandContext,
    fields: SessionFields,
    session: ServerSession,
    rc: ReadConcern | undefined,
  ): Promise<Document> {
    const n = fields.txnNumber as number;
    const active = session.activeTxnNumber;
    if (n < active) {
      const what = session.kind === 'transaction' ? 'transaction' : 'retryable write';
      throw mongoError(
        'TransactionTooOld',
        `Retryable write with txnNumber ${n} is prohibited on session ${session.key} because a newer ${what} with txnNumber ${active} has already started on this session.`,
      );
    }
    if (n === active) {
      if (session.kind === 'transaction') {
        throw mongoError(
          'IncompleteTransactionHistory',
          'Cannot retry a retryable write that has been converted into a transaction',
        );
      }
      if (session.retryReply) return this.replay(session.retryReply, ctx);
      if (session.retryReplyLost) {
        throw mongoError(
          'IncompleteTransactionHistory',
          `Incomplete history detected for transaction ${n} on session ${session.key}: the write happened but its reply was not kept`,
        );
      }
    } else {
      session.txn?.abort('a retryable write started on the session');
      session.activeTxnNumber = n;
      session.kind = 'retryableWrite';
      session.txn = undefined;
      session.retryReply = undefined;
      session.retryReplyLost = false;
    }
    checkCommandReadConcern(spec.name, rc);
    const binding: Binding = { fields, session, retryable: {} };
    return this.runPlain(spec, ctx, binding, (reply) =>
      this.commitRetryableWrite(binding, session, n, ctx, reply),
    );
  }

  /** Commits the write's unit together with the session record holding its reply. */
  private async commitRetryableWrite(
    binding: Binding,
    session: ServerSession,
    n: number,
    ctx: CommandContext,
    reply: Document,
  ): Promise<void> {
    const pending = binding.retryable?.pending;
    if (binding.retryable) binding.retryable.pending = undefined;
    const unit = pending?.unit ?? this.host.catalog.beginWrite();
    const wc = pending?.wc ?? parseWriteConcern(ctx.body);
    const fp = this.host.failPoints.onPrimaryTransactionalWrite.evaluate();
    if (fp && numberValueOf(fp.failBeforeCommitExceptionCode) !== undefined) {
      this.abortUnit(unit);
      if (fp.closeConnection === true) throw new CloseConnectionRequest('onPrimaryTransactionalWrite');
      throw new MongoCommandError(
        numberValueOf(fp.failBeforeCommitExceptionCode) as number,
        `Failing write for { txnNumber: ${n} } due to failpoint. The write must not be reflected.`,
      );
    }
    const stored = storableReply(reply);
    try {
      writeSessionRecord(unit, session.lsid, { txnNumber: n, committed: false, reply: stored });
    } catch (e) {
      this.abortUnit(unit);
      throw e;
    }
    const durable = unit.commit({ durable: wc.durable });
    if (unit.state === 'committed') {
      session.retryReply = stored;
      session.retryReplyLost = stored === undefined;
    }
    await durable;
    if (fp && fp.closeConnection !== false) throw new CloseConnectionRequest('onPrimaryTransactionalWrite');
  }

  /** The first reply again, with this attempt's write concern outcome. */
  private async replay(first: Document, ctx: CommandContext): Promise<Document> {
    const wc = parseWriteConcern(ctx.body);
    if (wc.durable) await this.host.catalog.flush();
    const reply: Document = { ...first };
    if (wc.error) reply.writeConcernError = wc.error;
    return reply;
  }

  // --- plain commands ----------------------------------------------------------------------------

  /**
   * Runs the command; when it ends in a WriteConflict (a document locked by an open transaction)
   * waits for a release and runs it again from scratch (its unit was rolled back).
   */
  private async runPlain(
    spec: CommandSpec,
    ctx: CommandContext,
    binding: Binding,
    beforeReturn?: (reply: Document) => Promise<void>,
  ): Promise<Document> {
    const maxTimeMS = numberValueOf(ctx.body.maxTimeMS);
    const limitMs =
      maxTimeMS !== undefined && maxTimeMS > 0 ? maxTimeMS : this.host.transactionLifetimeLimitMs + 5_000;
    const deadline = Date.now() + limitMs;
    for (;;) {
      this.bindings.set(ctx, binding);
      try {
        const reply = await spec.run(ctx);
        if (beforeReturn) await beforeReturn(reply);
        return reply;
      } catch (e) {
        const retryable = binding.retryable;
        if (retryable?.pending) {
          this.abortUnit(retryable.pending.unit);
          retryable.pending = undefined;
        }
        if (!isWriteConflict(e)) throw e;
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          if (maxTimeMS !== undefined && maxTimeMS > 0)
            throw mongoError('MaxTimeMSExpired', 'operation exceeded time limit');
          throw e;
        }
        await this.host.release.wait(Math.min(remaining, RELEASE_POLL_MS));
      } finally {
        this.bindings.delete(ctx);
      }
    }
  }

  private abortUnit(unit: WriteUnit): void {
    const held = unit.size > 0;
    unit.abort();
    if (held) this.host.release.notify();
  }

  // --- cluster time ------------------------------------------------------------------------------

  /** Advances the cluster time to a well-formed `$clusterTime` a client gossips. */
  private gossip(value: unknown): void {
    if (!isPlainObject(value)) return;
    const ts = value.clusterTime;
    if (!(ts instanceof Timestamp)) return;
    const clock = this.host.catalog.clock;
    if (compareTimestamps(ts, clock.current()) <= 0) return;
    if (ts.t - Date.now() / 1000 > MAX_CLOCK_DRIFT_SECS) {
      throw mongoError(
        'ClusterTimeFailsRateLimiter',
        `New cluster time, ${ts.t}, is too far from this node's wall clock time, ${Math.floor(Date.now() / 1000)}.`,
      );
    }
    clock.advanceTo(ts);
  }

  /** afterClusterTime: on one node everything up to the current time is visible; catch up to it. */
  private waitForClusterTime(rc: ReadConcern | undefined): void {
    if (rc?.afterClusterTime) this.gossip({ clusterTime: rc.afterClusterTime });
  }

  // --- fail points and change-stream bookkeeping ---------------------------------------------------

  private targetOf(spec: CommandSpec, ctx: CommandContext): CommandTarget {
    const app = ctx.connection.clientMetadata?.application;
    const appName = isPlainObject(app) && typeof app.name === 'string' ? app.name : undefined;
    return {
      name: spec.name,
      aliases: spec.aliases ?? [],
      ns: typeof ctx.arg === 'string' ? `${ctx.db}.${ctx.arg}` : `${ctx.db}.$cmd`,
      appName,
    };
  }

  /** failGetMoreAfterCursorCheckout: the cursor exists, is closed, and the getMore fails. */
  private async failGetMore(ctx: CommandContext): Promise<void> {
    const fp = this.host.failPoints.failGetMoreAfterCursorCheckout;
    if (!fp.isActive || bsonTag(ctx.arg) !== 'Long') return;
    const data = fp.evaluate();
    if (!data) return;
    const { killed } = await this.host.cursors.kill([ctx.arg as Long]);
    if (killed.length === 0) return;
    if (data.closeConnection === true) throw new CloseConnectionRequest('failGetMoreAfterCursorCheckout');
    const code = numberValueOf(data.errorCode) ?? ErrorCodes.InternalError;
    throw new FailPointError(
      code,
      "Failing getMore via 'failGetMoreAfterCursorCheckout' failpoint",
      undefined,
    );
  }

  private isChangeStreamCommand(name: string, ctx: CommandContext): boolean {
    if (name === 'aggregate') return isChangeStreamAggregate(ctx.body);
    if (name === 'getMore')
      return bsonTag(ctx.arg) === 'Long' && this.changeStreamCursors.has(String(ctx.arg));
    return false;
  }

  private trackChangeStreamCursor(
    name: string,
    ctx: CommandContext,
    reply: Document,
    changeStream: boolean,
  ): void {
    if (!changeStream) return;
    if (name === 'aggregate') {
      const id = cursorIdOf(reply);
      if (id) this.changeStreamCursors.add(id.toString());
    } else if (name === 'getMore' && !cursorIdOf(reply)) {
      this.changeStreamCursors.delete(String(ctx.arg));
    }
  }
}
