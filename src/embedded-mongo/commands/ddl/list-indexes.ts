import { isPlainObject } from '../../values/types.js';
import { collectionName, optionalDocument, optionalNumber } from '../args.js';
import type { CommandSpec } from '../types.js';

export const listIndexesCommand: CommandSpec = {
  name: 'listIndexes',
  help: 'Lists the indexes of a collection (NamespaceNotFound if it does not exist).',
  async run(ctx) {
    const name = collectionName(ctx.arg, 'listIndexes');
    const clustered = ctx.server.catalog.getCollection(ctx.db, name)?.options.clusteredIndex;
    const indexes = ctx.server.catalog
      .listIndexes(ctx.db, name)
      .map((ix) => (ix.name === '_id_' && isPlainObject(clustered) ? { ...clustered, clustered: true } : ix));
    const batchSize = optionalNumber(optionalDocument(ctx.body, 'cursor') ?? {}, 'batchSize');
    const cursor = await ctx.server.cursors.open(indexes, { ns: `${ctx.db}.${name}` }, batchSize);
    return { cursor };
  },
};
