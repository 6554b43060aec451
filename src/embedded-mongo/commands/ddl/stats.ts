import { collectionName } from '../args.js';
import type { CommandSpec } from '../types.js';

export const dbStatsCommand: CommandSpec = {
  name: 'dbStats',
  aliases: ['dbstats'],
  help: 'Object, data and index sizes of a database.',
  run(ctx) {
    const colls = ctx.server.catalog.collectionsOf(ctx.db);
    let objects = 0;
    let dataSize = 0;
    let indexes = 0;
    let indexSize = 0;
    for (const c of colls) {
      const s = c.stats();
      objects += s.count;
      dataSize += s.size;
      indexes += s.nindexes;
      indexSize += s.totalIndexSize;
    }
    return {
      db: ctx.db,
      collections: colls.length,
      views: 0,
      objects,
      avgObjSize: objects ? dataSize / objects : 0,
      dataSize,
      storageSize: dataSize,
      indexes,
      indexSize,
      totalSize: dataSize + indexSize,
      scaleFactor: 1,
    };
  },
};

export const collStatsCommand: CommandSpec = {
  name: 'collStats',
  aliases: ['collstats'],
  help: 'Size and index statistics of a collection (deprecated in MongoDB; kept for tools).',
  run(ctx) {
    const name = collectionName(ctx.arg, 'collStats');
    const coll = ctx.server.catalog.getCollection(ctx.db, name);
    const s = coll?.stats() ?? {
      count: 0,
      size: 0,
      avgObjSize: 0,
      nindexes: 0,
      totalIndexSize: 0,
      indexSizes: {},
    };
    return { ns: `${ctx.db}.${name}`, ...s, storageSize: s.size, capped: false };
  },
};
