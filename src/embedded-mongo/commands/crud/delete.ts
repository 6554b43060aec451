import type { Document } from '../../bson.js';
import { mongoError } from '../../errors.js';
import { numberValueOf } from '../../values/types.js';
import { MAX_WRITE_BATCH_SIZE } from '../../wire/constants.js';
import { collectionName, optionalBool, requiredDocumentArray } from '../args.js';
import type { CommandSpec } from '../types.js';
import { parseWriteConcern } from '../write-concern.js';
import {
  readCollation,
  openScan,
  readFilter,
  readHint,
  readVariables,
  validateQuery,
} from './query-options.js';
import { runStatements, writeReply } from './write-errors.js';

export const deleteCommand: CommandSpec = {
  name: 'delete',
  help: 'Deletes documents matching each statement (limit 1 or 0 = all).',
  async run(ctx) {
    const b = ctx.body;
    const coll = collectionName(ctx.arg, 'delete');
    const deletes = requiredDocumentArray(b, 'deletes');
    if (deletes.length === 0 || deletes.length > MAX_WRITE_BATCH_SIZE) {
      throw mongoError(
        'InvalidLength',
        `Write batch sizes must be between 1 and 100000. Got ${deletes.length} operations.`,
      );
    }
    const ordered = optionalBool(b, 'ordered') ?? true;
    const variables = readVariables(b.let);
    const wc = parseWriteConcern(b, ctx.server.inTransaction(ctx));
    const ns = `${ctx.db}.${coll}`;
    let n = 0;
    const writeErrors = await ctx.server.withWriteUnit(ctx, wc, (unit) =>
      runStatements(deletes, ordered, (raw: Document) => {
        const limit = numberValueOf(raw.limit);
        if (limit !== 0 && limit !== 1) {
          throw mongoError(
            'FailedToParse',
            `The limit field in delete objects must be 0 or 1. Got ${String(limit)}`,
          );
        }
        const collation = readCollation(raw.collation);
        const filter = readFilter(raw.q, 'q');
        const spec = {
          filter,
          hint: readHint(raw.hint),
          variables,
          collation,
          limit: limit === 1 ? 1 : undefined,
        };
        const collection = ctx.server.catalog.getCollection(ctx.db, coll);
        if (!collection) {
          validateQuery(spec);
          return;
        }
        const targets = [...openScan(collection, spec, { unit })];
        for (const doc of targets) if (unit.delete(ns, doc._id)) n++;
      }),
    );
    return writeReply({ n }, writeErrors, wc);
  },
};
