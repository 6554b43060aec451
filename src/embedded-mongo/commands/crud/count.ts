import { mongoError } from '../../errors.js';
import { collectionName, optionalNumber } from '../args.js';
import type { CommandSpec } from '../types.js';
import { readCollation, openScan, readFilter, readHint, validateQuery } from './query-options.js';

export const countCommand: CommandSpec = {
  name: 'count',
  help: 'Counts the documents matching a query (with skip and limit).',
  run(ctx) {
    const b = ctx.body;
    const coll = collectionName(ctx.arg, 'count');
    const filter = readFilter(b.query, 'query');
    const hint = readHint(b.hint);
    const collation = readCollation(b.collation);
    const skip = optionalNumber(b, 'skip') ?? 0;
    if (skip < 0) throw mongoError('BadValue', `skip value must be non-negative, but received: ${skip}`);
    const limit = Math.abs(optionalNumber(b, 'limit') ?? 0);
    const collection = ctx.server.catalog.getCollection(ctx.db, coll);
    if (!collection) {
      validateQuery({ filter, collation });
      return { n: 0 };
    }
    if (Object.keys(filter).length === 0 && !hint && skip === 0 && limit === 0 && !collation) {
      return { n: collection.count(ctx.server.readOptionsFor(ctx)) };
    }
    const scan = openScan(
      collection,
      { filter, hint, collation, limit: limit > 0 ? limit + skip : undefined },
      ctx.server.readOptionsFor(ctx),
    );
    let n = 0;
    for (const _ of scan) n++;
    n = Math.max(0, n - skip);
    return { n: limit > 0 ? Math.min(n, limit) : n };
  },
};
