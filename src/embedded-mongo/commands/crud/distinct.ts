import { mongoError } from '../../errors.js';
import { collatorFor } from '../../query/collation.js';
import { keyString } from '../../values/keystring.js';
import { getPathValues } from '../../values/paths.js';
import { compareValues } from '../../values/compare.js';
import { collectionName } from '../args.js';
import type { CommandSpec } from '../types.js';
import { readCollation, openScan, readFilter, readHint, validateQuery } from './query-options.js';

export const distinctCommand: CommandSpec = {
  name: 'distinct',
  help: 'Distinct values of a field (array elements count one by one) among matching documents.',
  run(ctx) {
    const b = ctx.body;
    const coll = collectionName(ctx.arg, 'distinct');
    const key = b.key;
    if (typeof key !== 'string')
      throw mongoError('TypeMismatch', "BSON field 'distinct.key' must be a string");
    if (key.length === 0) throw mongoError('BadValue', 'FieldPath cannot be constructed with empty string');
    const filter = readFilter(b.query, 'query');
    const hint = readHint(b.hint);
    const collation = readCollation(b.collation);
    const collection = ctx.server.catalog.getCollection(ctx.db, coll);
    if (!collection) {
      validateQuery({ filter, collation });
      return { values: [] };
    }
    const seen = new Map<string, unknown>();
    // Strings equal under a non-simple collation count once (the first one met is kept).
    const collator = collatorFor(collation);
    const strings: string[] = [];
    for (const doc of openScan(collection, { filter, hint, collation }, ctx.server.readOptionsFor(ctx))) {
      for (const v of getPathValues(doc, key)) {
        if (collator && typeof v === 'string') {
          if (strings.some((s) => collator(s, v) === 0)) continue;
          strings.push(v);
        }
        const k = keyString(v);
        if (!seen.has(k)) seen.set(k, v);
      }
    }
    return { values: [...seen.values()].sort(compareValues) };
  },
};
