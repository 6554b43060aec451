import { mongoError } from '../../errors.js';
import { keyString } from '../../values/keystring.js';
import { getPathValues } from '../../values/paths.js';
import { compareValues } from '../../values/compare.js';
import { collectionName } from '../args.js';
import type { CommandSpec } from '../types.js';
import { checkCollation, openScan, readFilter, readHint, validateQuery } from './query-options.js';

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
    checkCollation(b.collation);
    const collection = ctx.server.catalog.getCollection(ctx.db, coll);
    if (!collection) {
      validateQuery({ filter });
      return { values: [] };
    }
    const seen = new Map<string, unknown>();
    for (const doc of openScan(collection, { filter, hint }, ctx.server.readOptionsFor(ctx))) {
      for (const v of getPathValues(doc, key)) {
        const k = keyString(v);
        if (!seen.has(k)) seen.set(k, v);
      }
    }
    return { values: [...seen.values()].sort(compareValues) };
  },
};
