import { Long } from '../../bson.js';
import { compileFilter } from '../../query/matcher.js';
import { optionalBool, optionalDocument } from '../args.js';
import type { CommandSpec } from '../types.js';

export const listDatabasesCommand: CommandSpec = {
  name: 'listDatabases',
  adminOnly: true,
  help: 'Lists databases with their approximate size.',
  run(ctx) {
    const match = compileFilter(optionalDocument(ctx.body, 'filter') ?? {});
    const nameOnly = optionalBool(ctx.body, 'nameOnly') ?? false;
    const all = ctx.server.catalog
      .listDatabases()
      .map((d) => ({ name: d.name, sizeOnDisk: Long.fromNumber(d.sizeOnDisk), empty: d.empty }));
    const dbs = all.filter((d) => match(d));
    if (nameOnly) return { databases: dbs.map((d) => ({ name: d.name })) };
    const totalSize = dbs.reduce((s, d) => s + d.sizeOnDisk.toNumber(), 0);
    return {
      databases: dbs,
      totalSize: Long.fromNumber(totalSize),
      totalSizeMb: Long.fromNumber(Math.round(totalSize / 1048576)),
    };
  },
};
