import { Long } from '../../bson.js';
import { mongoError } from '../../errors.js';
import { bsonTag } from '../../values/types.js';
import { optionalNumber, optionalString } from '../args.js';
import type { CommandSpec } from '../types.js';

export const getMoreCommand: CommandSpec = {
  name: 'getMore',
  help: 'Returns the next batch of a cursor.',
  async run(ctx) {
    const id = ctx.arg;
    if (bsonTag(id) !== 'Long') {
      throw mongoError(
        'TypeMismatch',
        "BSON field 'getMore.getMore' is the wrong type, expected type 'long'",
      );
    }
    const coll = optionalString(ctx.body, 'collection');
    if (coll === undefined)
      throw mongoError('BadValue', "BSON field 'getMore.collection' is missing but a required field");
    const batchSize = optionalNumber(ctx.body, 'batchSize');
    if (batchSize !== undefined && batchSize < 0) {
      throw mongoError('BadValue', `Batch size for getMore must be non-negative, but received: ${batchSize}`);
    }
    const maxTimeMS = optionalNumber(ctx.body, 'maxTimeMS');
    const cursor = await ctx.server.cursors.getMore(id as Long, `${ctx.db}.${coll}`, batchSize, maxTimeMS);
    return { cursor };
  },
};
