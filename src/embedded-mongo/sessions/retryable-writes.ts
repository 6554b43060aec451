/**
 * Retryable writes (lsid + txnNumber, no autocommit; insert, update, delete, findAndModify,
 * bulkWrite), run with the session checked out:
 *
 * - txnNumber below the active one: TransactionTooOld (225);
 * - the active txnNumber again (a retry): the first reply, with nothing executed again. If the
 *   number was used by a transaction: IncompleteTransactionHistory (217); if the write happened
 *   before a restart but its reply was too large to keep: the same;
 * - a new txnNumber: aborts any open transaction of the session and runs the write. Its unit
 *   commits together with the session record holding the reply (session-records.ts), so the
 *   record and the write reach the journal in one batch.
 *
 * onPrimaryTransactionalWrite acts at that commit point: `failBeforeCommitExceptionCode` fails the
 * write without a trace; otherwise the write commits and `closeConnection` (default true) drops the
 * connection before the reply, so the client's retry must be answered from the record.
 */
import type { Document } from '../bson.js';
import type { CommandContext, CommandSpec } from '../commands/types.js';
import { parseWriteConcern } from '../commands/write-concern.js';
import { MongoCommandError, mongoError } from '../errors.js';
import { numberValueOf } from '../values/types.js';
import { CloseConnectionRequest } from '../wire/close-request.js';
import type { Binding } from './binding.js';
import type { SessionLayerHost } from './host.js';
import { checkCommandReadConcern, type ReadConcern } from './read-concern.js';
import { rollBack } from './release-signal.js';
import type { SessionFields } from './session-fields.js';
import { storableReply, writeSessionRecord } from './session-records.js';
import type { ServerSession } from './server-session.js';

/** Runs a command outside transactions; `beforeReturn` completes a successful attempt. */
export type PlainRunner = (
  spec: CommandSpec,
  ctx: CommandContext,
  binding: Binding,
  beforeReturn?: (reply: Document) => Promise<void>,
) => Promise<Document>;

export class RetryableWrites {
  constructor(
    private readonly host: SessionLayerHost,
    private readonly runPlain: PlainRunner,
  ) {}

  async run(
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
    return this.runPlain(spec, ctx, binding, (reply) => this.commit(binding, session, n, ctx, reply));
  }

  /** Commits the write's unit together with the session record holding its reply. */
  private async commit(
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
    const failCode = numberValueOf(fp?.failBeforeCommitExceptionCode);
    if (fp && failCode !== undefined) {
      rollBack(unit, this.host.release);
      if (fp.closeConnection === true) throw new CloseConnectionRequest('onPrimaryTransactionalWrite');
      throw new MongoCommandError(
        failCode,
        `Failing write for { txnNumber: ${n} } due to failpoint. The write must not be reflected.`,
      );
    }
    const stored = storableReply(reply);
    try {
      writeSessionRecord(unit, session.lsid, { txnNumber: n, committed: false, reply: stored });
    } catch (e) {
      rollBack(unit, this.host.release);
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
}
