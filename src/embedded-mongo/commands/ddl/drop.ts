import { mongoError } from '../../errors.js';
import { collectionName } from '../args.js';
import type { CommandSpec } from '../types.js';
import { parseWriteConcern } from '../write-concern.js';

export const dropCommand: CommandSpec = {
  name: 'drop',
  help: 'Drops a collection and its indexes (a missing collection is not an error since 7.0).',
  async run(ctx) {
    const name = collectionName(ctx.arg, 'drop');
    const wc = parseWriteConcern(ctx.body, ctx.server.inTransaction(ctx));
    const coll = ctx.server.catalog.getCollection(ctx.db, name);
    if (!coll) return { ns: `${ctx.db}.${name}` };
    const nIndexesWas = coll.indexes.size;
    await ctx.server.catalog.dropCollection(ctx.db, name, { durable: wc.durable });
    const reply = { nIndexesWas, ns: `${ctx.db}.${name}` };
    return wc.error ? { ...reply, writeConcernError: wc.error } : reply;
  },
};

export const dropDatabaseCommand: CommandSpec = {
  name: 'dropDatabase',
  help: 'Drops every collection of the database.',
  async run(ctx) {
    if (ctx.db === 'admin' || ctx.db === 'local' || ctx.db === 'config') {
      throw mongoError('IllegalOperation', `Dropping the '${ctx.db}' database is prohibited.`);
    }
    const wc = parseWriteConcern(ctx.body, ctx.server.inTransaction(ctx));
    await ctx.server.catalog.dropDatabase(ctx.db, { durable: wc.durable });
    const reply = { dropped: ctx.db };
    return wc.error ? { ...reply, writeConcernError: wc.error } : reply;
  },
};
