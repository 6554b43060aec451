import type { Long } from '../../bson.js';
import { mongoError } from '../../errors.js';
import { bsonTag } from '../../values/types.js';
import { collectionName } from '../args.js';
import type { CommandSpec } from '../types.js';

export const killCursorsCommand: CommandSpec = {
  name: 'killCursors',
  help: 'Closes cursors by id.',
  async run(ctx) {
    collectionName(ctx.arg, 'killCursors');
    const ids = ctx.body.cursors;
    if (!Array.isArray(ids) || ids.some((id) => bsonTag(id) !== 'Long')) {
      throw mongoError('TypeMismatch', "BSON field 'killCursors.cursors' must be an array of longs");
    }
    const { killed, notFound } = await ctx.server.cursors.kill(ids as Long[]);
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [] };
  },
};
