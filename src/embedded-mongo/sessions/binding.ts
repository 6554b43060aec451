/**
 * What the session layer decided for one running command, keyed by its CommandContext: the
 * command hooks of ServerState (inTransaction, readOptionsFor, withWriteUnit) read it.
 */
import type { Snapshot } from '../catalog/snapshot.js';
import type { WriteUnit } from '../catalog/write-unit.js';
import type { CommandContext } from '../commands/types.js';
import type { WriteConcern } from '../commands/write-concern.js';
import type { SessionFields } from './session-fields.js';
import type { ServerSession } from './server-session.js';
import type { Transaction } from './transaction.js';

export interface Binding {
  readonly fields: SessionFields;
  readonly session?: ServerSession;
  readonly txn?: Transaction;
  /** Snapshot read outside a transaction. */
  readonly snapshot?: Snapshot;
  /** Retryable write: its unit waits here to commit together with the session record. */
  readonly retryable?: { pending?: { unit: WriteUnit; wc: WriteConcern } };
}

export class Bindings {
  private readonly byContext = new WeakMap<CommandContext, Binding>();

  get(ctx: CommandContext): Binding | undefined {
    return this.byContext.get(ctx);
  }

  set(ctx: CommandContext, binding: Binding): void {
    this.byContext.set(ctx, binding);
  }

  delete(ctx: CommandContext): void {
    this.byContext.delete(ctx);
  }
}
