import type { Document } from '../../bson.js';
import { mongoError } from '../../errors.js';
import { compileProjection } from '../../query/projection.js';
import { collectionName, optionalBool, optionalDocument } from '../args.js';
import type { CommandSpec } from '../types.js';
import { parseWriteConcern } from '../write-concern.js';
import { checkStorable } from './document-checks.js';
import { readCollation, openScan, readFilter, readHint, readSort, readVariables } from './query-options.js';
import { applyUpdateStatement, parseUpdateArg } from './update-one-statement.js';
import { validatorFor } from './validation.js';

export const findAndModifyCommand: CommandSpec = {
  name: 'findAndModify',
  aliases: ['findandmodify'],
  help: 'Atomically updates, replaces or removes one document and returns it (before or after).',
  async run(ctx) {
    const b = ctx.body;
    const coll = collectionName(ctx.arg, 'findAndModify');
    const remove = optionalBool(b, 'remove') ?? false;
    const returnNew = optionalBool(b, 'new') ?? false;
    const upsert = optionalBool(b, 'upsert') ?? false;
    const hasUpdate = b.update !== undefined && b.update !== null;
    if (remove && hasUpdate)
      throw mongoError('FailedToParse', 'Cannot specify both an update and remove=true');
    if (!remove && !hasUpdate)
      throw mongoError('FailedToParse', 'Either an update or remove=true must be specified');
    if (remove && returnNew) {
      throw mongoError(
        'FailedToParse',
        "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document",
      );
    }
    if (remove && upsert)
      throw mongoError('FailedToParse', 'Cannot specify both upsert=true and remove=true');
    const collation = readCollation(b.collation);
    const filter = readFilter(b.query, 'query');
    const query = {
      filter,
      sort: readSort(b.sort),
      hint: readHint(b.hint),
      variables: readVariables(b.let),
      collation,
    };
    const fields = optionalDocument(b, 'fields');
    const project =
      fields && Object.keys(fields).length > 0 ? compileProjection(fields, { filter }) : (d: Document) => d;
    const update = hasUpdate ? parseUpdateArg(b.update, b.arrayFilters, false) : undefined;
    const wc = parseWriteConcern(b, ctx.server.inTransaction(ctx));
    const ns = `${ctx.db}.${coll}`;
    const bypass = optionalBool(b, 'bypassDocumentValidation') ?? false;

    const reply = await ctx.server.withWriteUnit(ctx, wc, (unit) => {
      const collection = ctx.server.catalog.getCollection(ctx.db, coll);
      if (remove) {
        const doc = collection
          ? openScan(collection, { ...query, limit: 1 }, { unit }).take(1)[0]
          : undefined;
        if (!doc) return { lastErrorObject: { n: 0 }, value: null };
        unit.delete(ns, doc._id);
        return { lastErrorObject: { n: 1 }, value: project(doc) };
      }
      const validate = validatorFor(collection, bypass, ctx.server.logger);
      const st = { query, update: update!.parsed, arrayFilters: update!.arrayFilters, upsert, multi: false };
      const r = applyUpdateStatement(ctx.server, unit, ns, st, validate, ctx.server.pipelineRunner);
      if (r.after) checkStorable(r.after);
      const lastErrorObject: Document = {
        n: r.matched > 0 || r.upsertedId !== undefined ? 1 : 0,
        updatedExisting: r.matched > 0,
      };
      if (r.upsertedId !== undefined) lastErrorObject.upserted = r.upsertedId;
      const value = returnNew ? r.after : r.before;
      return { lastErrorObject, value: value ? project(value) : null };
    });
    if (wc.error) (reply as Document).writeConcernError = wc.error;
    return reply;
  },
};
