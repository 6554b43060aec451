/**
 * Runs one command with everything around it that is not the command itself: fail points,
 * cluster-time gossip, read concern, the session, transactions, retryable writes, waiting out
 * write conflicts, and the error labels of the reply. ServerState.runCommand delegates here, and
 * the hooks commands call (inTransaction, readOptionsFor, withWriteUnit) read the binding set for
 * the running command.
 *
 * A command runs in one of three ways:
 * - in a transaction (txnNumber + autocommit: false): transaction-runner.ts;
 * - as a retryable write (txnNumber, no autocommit): retryable-writes.ts;
 * - plainly, possibly reading at a snapshot (readConcern snapshot), and retried from scratch when
 *   it met a document an open transaction holds (conflict-retry.ts).
 * Commands carrying a txnNumber hold their session (one at a time per session, as mongod checks
 * sessions out); others only mark it used.
 *
 * failCommand is evaluated before the session is touched (a failed first command does not start
 * its transaction), its writeConcernError after the command ran. Error labels are computed here
 * for every error reply and every reply with a writeConcernError (error-labels.ts), unless a fail
 * point imposes its own.
 */
import { type Document, type Long } from '../bson.js';
import type { ReadOptions } from '../catalog/collection.js';
import type { Snapshot } from '../catalog/snapshot.js';
import type { WriteUnit } from '../catalog/write-unit.js';
import type { CommandContext, CommandSpec } from '../commands/types.js';
import type { WriteConcern } from '../commands/write-concern.js';
import { MongoCommandError } from '../errors.js';
import {
  failCommandBefore,
  failCommandWriteConcernError,
  FailPointError,
  type CommandTarget,
} from '../failpoints/fail-command.js';
import { failGetMoreAfterCheckout } from '../failpoints/fail-get-more.js';
import { bsonTag, isPlainObject, numberValueOf } from '../values/types.js';
import { Bindings, type Binding } from './binding.js';
import { ChangeStreamCursors } from './change-stream-cursors.js';
import { advanceClusterTime, gossipClusterTime } from './cluster-time.js';
import { retryingWriteConflicts } from './conflict-retry.js';
import { errorLabelsFor } from './error-labels.js';
import type { SessionLayerHost } from './host.js';
import { checkAtClusterTime, checkCommandReadConcern, parseReadConcern } from './read-concern.js';
import { rollBack } from './release-signal.js';
import { RetryableWrites } from './retryable-writes.js';
import { readSessionFields, type SessionFields } from './session-fields.js';
import { TransactionRunner } from './transaction-runner.js';
import { checkRetryableWriteCommand } from './transaction-rules.js';

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

/** A plain write waits this much longer than the transaction lifetime limit at most. */
const CONFLICT_WAIT_MARGIN_MS = 5_000;

function relabel(e: MongoCommandError, labels: string[]): MongoCommandError {
  if (labels.length === e.errorLabels.length && labels.every((l, i) => l === e.errorLabels[i])) return e;
  const out = new MongoCommandError(e.code, e.message, e.extra, labels);
  out.stack = e.stack;
  return out;
}

export class CommandRunner {
  private readonly bindings = new Bindings();
  private readonly changeStreams = new ChangeStreamCursors();
  private readonly transactions: TransactionRunner;
  private readonly retryableWrites: RetryableWrites;

  constructor(private readonly host: SessionLayerHost) {
    this.transactions = new TransactionRunner(host, this.bindings);
    this.retryableWrites = new RetryableWrites(host, (spec, ctx, binding, beforeReturn) =>
      this.runPlain(spec, ctx, binding, beforeReturn),
    );
  }

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
      // Committed with the session record once the reply is known (retryable-writes.ts).
      const earlier = b.retryable.pending;
      b.retryable.pending = { unit, wc };
      if (earlier) await earlier.unit.commit({ durable: earlier.wc.durable });
      return result;
    }
    await unit.commit({ durable: wc.durable });
    return result;
  }

  commitTransaction(ctx: CommandContext, wc: WriteConcern): Promise<void> {
    return this.transactions.commit(ctx, wc);
  }

  abortTransaction(ctx: CommandContext): void {
    this.transactions.abort(ctx);
  }

  // --- the pipeline ------------------------------------------------------------------------------

  async run(spec: CommandSpec, ctx: CommandContext): Promise<Document> {
    const fields = readSessionFields(ctx.body);
    const changeStream = this.changeStreams.concerns(spec.name, ctx);
    const target = this.targetOf(spec, ctx);
    let labelsOverride: string[] | undefined;
    // mongod finds a getMore's change stream only once the cursor is checked out: an error
    // failCommand raises before that gets no change-stream label.
    let checkedOut = spec.name !== 'getMore';
    try {
      gossipClusterTime(this.host.catalog.clock, ctx.body.$clusterTime);
      labelsOverride = await failCommandBefore(this.host.failPoints.failCommand, target);
      checkedOut = true;
      if (spec.name === 'getMore' && bsonTag(ctx.arg) === 'Long') {
        await failGetMoreAfterCheckout(
          this.host.failPoints.failGetMoreAfterCursorCheckout,
          this.host.cursors,
          ctx.arg as Long,
        );
      }
      const reply = await this.runInSession(spec, ctx, fields);
      if (changeStream) this.changeStreams.track(spec.name, ctx, reply);
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
      if (override) throw relabel(e, override);
      const computed = errorLabelsFor({
        commandName: spec.name,
        ...fields,
        code: e.code,
        noWritesPerformed: failPoint,
        changeStream: changeStream && checkedOut,
      });
      throw relabel(e, [...new Set([...e.errorLabels, ...computed])]);
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
        return session.exclusive(() => this.transactions.run(spec, ctx, fields, session, rc));
      checkRetryableWriteCommand(spec.name);
      return session.exclusive(() => this.retryableWrites.run(spec, ctx, fields, session, rc));
    }
    checkCommandReadConcern(spec.name, rc);
    if (rc?.afterClusterTime) advanceClusterTime(this.host.catalog.clock, rc.afterClusterTime);
    let snapshot: Snapshot | undefined;
    if (rc?.level === 'snapshot') {
      if (rc.atClusterTime) checkAtClusterTime(rc.atClusterTime, this.host.catalog.clock.current());
      snapshot = rc.atClusterTime ? this.host.snapshots.at(rc.atClusterTime) : this.host.snapshots.latest();
    }
    const reply = await this.runPlain(spec, ctx, { fields, session, snapshot });
    if (snapshot) {
      // Snapshot sessions read the point back: find/aggregate in the cursor, distinct at the top.
      if (isPlainObject(reply.cursor)) reply.cursor.atClusterTime = snapshot.ts;
      else reply.atClusterTime = snapshot.ts;
    }
    return reply;
  }

  /** Runs a command outside transactions, again from scratch after a write conflict. */
  private runPlain(
    spec: CommandSpec,
    ctx: CommandContext,
    binding: Binding,
    beforeReturn?: (reply: Document) => Promise<void>,
  ): Promise<Document> {
    return retryingWriteConflicts(
      async () => {
        this.bindings.set(ctx, binding);
        try {
          const reply = await spec.run(ctx);
          if (beforeReturn) await beforeReturn(reply);
          return reply;
        } finally {
          this.bindings.delete(ctx);
        }
      },
      {
        release: this.host.release,
        maxTimeMS: ctx.body.maxTimeMS,
        defaultLimitMs: this.host.transactionLifetimeLimitMs + CONFLICT_WAIT_MARGIN_MS,
        onAttemptFailed: () => {
          const retryable = binding.retryable;
          if (retryable?.pending) {
            rollBack(retryable.pending.unit, this.host.release);
            retryable.pending = undefined;
          }
        },
      },
    );
  }

  private targetOf(spec: CommandSpec, ctx: CommandContext): CommandTarget {
    const app = ctx.connection.clientMetadata?.application;
    return {
      name: spec.name,
      aliases: spec.aliases ?? [],
      ns: typeof ctx.arg === 'string' ? `${ctx.db}.${ctx.arg}` : `${ctx.db}.$cmd`,
      appName: isPlainObject(app) && typeof app.name === 'string' ? app.name : undefined,
    };
  }
}
