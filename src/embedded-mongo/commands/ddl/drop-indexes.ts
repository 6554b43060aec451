import type { Document } from '../../bson.js';
import { mongoError } from '../../errors.js';
import { isPlainObject } from '../../values/types.js';
import { collectionName } from '../args.js';
import type { CommandSpec } from '../types.js';
import { parseWriteConcern } from '../write-concern.js';

export const dropIndexesCommand: CommandSpec = {
  name: 'dropIndexes',
  aliases: ['deleteIndexes'],
  help: "Drops indexes by name, key pattern, list of names, or '*' (all but _id_).",
  async run(ctx) {
    const name = collectionName(ctx.arg, 'dropIndexes');
    const index = ctx.body.index;
    let target: string | string[] | Document;
    if (typeof index === 'string') target = index;
    else if (Array.isArray(index) && index.every((x) => typeof x === 'string')) target = index as string[];
    else if (isPlainObject(index)) target = index;
    else
      throw mongoError(
        'TypeMismatch',
        "BSON field 'dropIndexes.index' must be a string, an array of strings or an object",
      );
    const wc = parseWriteConcern(ctx.body, ctx.server.inTransaction(ctx));
    const r = await ctx.server.catalog.dropIndexes(ctx.db, name, target, { durable: wc.durable });
    return wc.error ? { ...r, writeConcernError: wc.error } : { ...r };
  },
};
