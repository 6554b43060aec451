/**
 * commitTransaction / abortTransaction (admin). The session layer (sessions/command-runner.ts)
 * has already checked the transaction number and state by the time these run; they only end the
 * command's transaction. A commit waits for the journal fsync when its write concern asks for
 * durability (the default, w: "majority", does); retrying the commit of a committed transaction
 * succeeds again.
 */
import type { CommandSpec } from './types.js';
import { parseWriteConcern } from './write-concern.js';

export const commitTransactionCommand: CommandSpec = {
  name: 'commitTransaction',
  adminOnly: true,
  help: 'Commits the transaction of the session (lsid + txnNumber + autocommit: false).',
  async run(ctx) {
    const wc = parseWriteConcern(ctx.body);
    await ctx.server.commitTransaction(ctx, wc);
    return wc.error ? { writeConcernError: wc.error } : {};
  },
};

export const abortTransactionCommand: CommandSpec = {
  name: 'abortTransaction',
  adminOnly: true,
  help: 'Aborts the transaction of the session: none of its writes become visible.',
  run(ctx) {
    const wc = parseWriteConcern(ctx.body);
    ctx.server.abortTransaction(ctx);
    return wc.error ? { writeConcernError: wc.error } : {};
  },
};
