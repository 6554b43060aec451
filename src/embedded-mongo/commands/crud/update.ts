import type { Document } from '../../bson.js';
import { mongoError } from '../../errors.js';
import { MAX_WRITE_BATCH_SIZE } from '../../wire/constants.js';
import { collectionName, optionalBool, requiredDocumentArray } from '../args.js';
import type { CommandSpec } from '../types.js';
import { parseWriteConcern } from '../write-concern.js';
import { readCollation, readFilter, readHint, readSort, readVariables } from './query-options.js';
import { applyUpdateStatement, parseUpdateArg, type UpdateStatement } from './update-one-statement.js';
import { validatorFor } from './validation.js';
import { runStatements, writeReply } from './write-errors.js';

function parseStatement(raw: Document, variables: Document | undefined): UpdateStatement {
  const multi = optionalBool(raw, 'multi') ?? false;
  const upsert = optionalBool(raw, 'upsert') ?? false;
  const collation = readCollation(raw.collation);
  if (raw.u === undefined)
    throw mongoError('FailedToParse', "BSON field 'update.updates.u' is missing but a required field");
  const { parsed, arrayFilters } = parseUpdateArg(raw.u, raw.arrayFilters, multi);
  const sort = readSort(raw.sort);
  if (sort && multi) throw mongoError('FailedToParse', 'Cannot specify sort with multi=true');
  const constants = raw.c === undefined ? undefined : readVariables(raw.c);
  return {
    query: {
      filter: readFilter(raw.q, 'q'),
      hint: readHint(raw.hint),
      sort,
      collation,
      variables: constants || variables ? { ...variables, ...constants } : undefined,
    },
    update: parsed,
    arrayFilters,
    upsert,
    multi,
  };
}

export const updateCommand: CommandSpec = {
  name: 'update',
  help: 'Updates documents: operator updates, replacements, pipelines; multi, upsert, arrayFilters.',
  async run(ctx) {
    const b = ctx.body;
    const coll = collectionName(ctx.arg, 'update');
    const updates = requiredDocumentArray(b, 'updates');
    if (updates.length === 0 || updates.length > MAX_WRITE_BATCH_SIZE) {
      throw mongoError(
        'InvalidLength',
        `Write batch sizes must be between 1 and 100000. Got ${updates.length} operations.`,
      );
    }
    const ordered = optionalBool(b, 'ordered') ?? true;
    const variables = readVariables(b.let);
    const wc = parseWriteConcern(b, ctx.server.inTransaction(ctx));
    const ns = `${ctx.db}.${coll}`;
    const bypass = optionalBool(b, 'bypassDocumentValidation') ?? false;
    let n = 0;
    let nModified = 0;
    const upserted: Document[] = [];
    const writeErrors = await ctx.server.withWriteUnit(ctx, wc, (unit) => {
      const validate = validatorFor(
        ctx.server.catalog.getCollection(ctx.db, coll),
        bypass,
        ctx.server.logger,
      );
      return runStatements(updates, ordered, (raw, index) => {
        const st = parseStatement(raw, variables);
        const r = applyUpdateStatement(ctx.server, unit, ns, st, validate, ctx.server.pipelineRunner);
        n += r.matched;
        nModified += r.modified;
        if (r.upsertedId !== undefined) {
          n++;
          upserted.push({ index, _id: r.upsertedId });
        }
      });
    });
    const counts: Document = { n, nModified };
    if (upserted.length > 0) counts.upserted = upserted;
    return writeReply(counts, writeErrors, wc);
  },
};
