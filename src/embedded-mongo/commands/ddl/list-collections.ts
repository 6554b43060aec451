import type { Document } from '../../bson.js';
import { compileFilter } from '../../query/matcher.js';
import { optionalBool, optionalDocument, optionalNumber } from '../args.js';
import type { CommandSpec } from '../types.js';

export const listCollectionsCommand: CommandSpec = {
  name: 'listCollections',
  help: 'Lists the collections of a database (filter, nameOnly, authorizedCollections).',
  async run(ctx) {
    const filter = optionalDocument(ctx.body, 'filter') ?? {};
    const nameOnly = optionalBool(ctx.body, 'nameOnly') ?? false;
    const match = compileFilter(filter);
    let entries: Document[] = ctx.server.catalog.listCollections(ctx.db).filter((e) => match(e));
    if (nameOnly) entries = entries.map((e) => ({ name: e.name, type: e.type }));
    const batchSize = optionalNumber(optionalDocument(ctx.body, 'cursor') ?? {}, 'batchSize');
    const cursor = await ctx.server.cursors.open(
      entries,
      { ns: `${ctx.db}.$cmd.listCollections` },
      batchSize,
    );
    return { cursor };
  },
};
