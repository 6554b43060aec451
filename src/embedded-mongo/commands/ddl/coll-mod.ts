import type { Document } from '../../bson.js';
import { collectionName } from '../args.js';
import { GENERIC_FIELDS } from '../dispatch.js';
import type { CommandSpec } from '../types.js';
import { parseWriteConcern } from '../write-concern.js';

export const collModCommand: CommandSpec = {
  name: 'collMod',
  help: 'Changes collection options: validator, validation level/action, TTL of an index, pre/post images.',
  async run(ctx) {
    const name = collectionName(ctx.arg, 'collMod');
    const changes: Document = {};
    for (const [k, v] of Object.entries(ctx.body))
      if (k !== 'collMod' && !GENERIC_FIELDS.has(k)) changes[k] = v;
    const wc = parseWriteConcern(ctx.body, ctx.server.inTransaction(ctx));
    const reply = await ctx.server.catalog.collMod(ctx.db, name, changes, { durable: wc.durable });
    return wc.error ? { ...reply, writeConcernError: wc.error } : reply;
  },
};
