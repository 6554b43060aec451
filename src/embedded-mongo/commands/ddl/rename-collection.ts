import { mongoError } from '../../errors.js';
import { optionalBool } from '../args.js';
import type { CommandSpec } from '../types.js';
import { parseWriteConcern } from '../write-concern.js';

export const renameCollectionCommand: CommandSpec = {
  name: 'renameCollection',
  adminOnly: true,
  help: "Renames a collection: {renameCollection: 'db.from', to: 'db.to', dropTarget?}.",
  async run(ctx) {
    const from = ctx.arg;
    const to = ctx.body.to;
    if (typeof from !== 'string' || !from.includes('.'))
      throw mongoError('InvalidNamespace', `Invalid source namespace: ${String(from)}`);
    if (typeof to !== 'string' || !to.includes('.'))
      throw mongoError('InvalidNamespace', `Invalid target namespace: ${String(to)}`);
    const dropTarget = optionalBool(ctx.body, 'dropTarget') ?? false;
    const wc = parseWriteConcern(ctx.body, ctx.server.inTransaction(ctx));
    await ctx.server.catalog.renameCollection(from, to, { dropTarget }, { durable: wc.durable });
    return wc.error ? { writeConcernError: wc.error } : {};
  },
};
