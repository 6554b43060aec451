import { mongoError } from '../../errors.js';
import { collectionName, requiredDocumentArray } from '../args.js';
import type { CommandSpec } from '../types.js';
import { parseWriteConcern } from '../write-concern.js';

export const createIndexesCommand: CommandSpec = {
  name: 'createIndexes',
  help: 'Creates indexes (single, compound, unique, sparse, partial, TTL, text).',
  async run(ctx) {
    const name = collectionName(ctx.arg, 'createIndexes');
    const specs = requiredDocumentArray(ctx.body, 'indexes');
    if (specs.length === 0) throw mongoError('BadValue', 'Must specify at least one index to create');
    const wc = parseWriteConcern(ctx.body, ctx.server.inTransaction(ctx));
    const r = await ctx.server.catalog.createIndexes(ctx.db, name, specs, { durable: wc.durable });
    const reply = { ...r };
    if (reply.note === undefined) delete reply.note;
    return wc.error ? { ...reply, writeConcernError: wc.error } : reply;
  },
};
