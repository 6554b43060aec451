/**
 * The 8.0 client-level `bulkWrite` (admin command): inserts, updates and deletes across several
 * namespaces in one command. Results come back as a cursor of per-operation entries (only errors
 * with `errorsOnly`), plus totals.
 */
import { Long, type Document } from '../../bson.js';
import { ErrorCodes, MongoCommandError, mongoError } from '../../errors.js';
import { isPlainObject, numberValueOf } from '../../values/types.js';
import { MAX_WRITE_BATCH_SIZE } from '../../wire/constants.js';
import { optionalBool, requiredDocumentArray } from '../args.js';
import type { CommandSpec } from '../types.js';
import { parseWriteConcern } from '../write-concern.js';
import { checkStorable, withId } from './document-checks.js';
import { readCollation, openScan, readFilter, readHint, readSort, readVariables } from './query-options.js';
import { applyUpdateStatement, parseUpdateArg } from './update-one-statement.js';
import { validatorFor } from './validation.js';

interface Totals {
  nErrors: number;
  nInserted: number;
  nMatched: number;
  nModified: number;
  nUpserted: number;
  nDeleted: number;
}

function namespaceOf(nsInfo: Document[], index: unknown): string {
  const i = numberValueOf(index);
  if (i === undefined || !Number.isInteger(i) || i < 0 || i >= nsInfo.length) {
    throw mongoError(
      'BadValue',
      `BulkWrite ops entry refers to namespace index ${String(index)}, but nsInfo has ${nsInfo.length} entries`,
    );
  }
  const ns = nsInfo[i].ns;
  if (typeof ns !== 'string' || !ns.includes('.'))
    throw mongoError('InvalidNamespace', `Invalid namespace: ${String(ns)}`);
  return ns;
}

function split(ns: string): [string, string] {
  const dot = ns.indexOf('.');
  return [ns.slice(0, dot), ns.slice(dot + 1)];
}

export const clientBulkWriteCommand: CommandSpec = {
  name: 'bulkWrite',
  adminOnly: true,
  help: 'Client bulk write: inserts, updates and deletes across namespaces in one command.',
  async run(ctx) {
    const b = ctx.body;
    const ops = requiredDocumentArray(b, 'ops');
    const nsInfo = requiredDocumentArray(b, 'nsInfo');
    if (ops.length === 0 || ops.length > MAX_WRITE_BATCH_SIZE) {
      throw mongoError(
        'InvalidLength',
        `Write batch sizes must be between 1 and 100000. Got ${ops.length} operations.`,
      );
    }
    const ordered = optionalBool(b, 'ordered') ?? true;
    const errorsOnly = optionalBool(b, 'errorsOnly') ?? false;
    const bypass = optionalBool(b, 'bypassDocumentValidation') ?? false;
    const variables = readVariables(b.let);
    const wc = parseWriteConcern(b, ctx.server.inTransaction(ctx));
    const totals: Totals = { nErrors: 0, nInserted: 0, nMatched: 0, nModified: 0, nUpserted: 0, nDeleted: 0 };
    const results: Document[] = [];
    const catalog = ctx.server.catalog;

    await ctx.server.withWriteUnit(ctx, wc, (unit) => {
      for (let idx = 0; idx < ops.length; idx++) {
        const op = ops[idx];
        const kind = Object.keys(op)[0];
        try {
          let entry: Document;
          if (kind === 'insert') {
            const ns = namespaceOf(nsInfo, op.insert);
            if (!isPlainObject(op.document))
              throw mongoError('TypeMismatch', "BSON field 'document' must be an object");
            const doc = withId(op.document);
            checkStorable(doc);
            validatorFor(catalog.getCollection(...split(ns)), bypass, ctx.server.logger)(doc, null);
            unit.insert(ns, doc);
            totals.nInserted++;
            entry = { ok: 1, idx, n: 1 };
          } else if (kind === 'update') {
            const ns = namespaceOf(nsInfo, op.update);
            const multi = optionalBool(op, 'multi') ?? false;
            const collation = readCollation(op.collation);
            const { parsed, arrayFilters } = parseUpdateArg(op.updateMods, op.arrayFilters, multi);
            const constants = op.constants === undefined ? undefined : readVariables(op.constants);
            const st = {
              query: {
                filter: readFilter(op.filter, 'filter'),
                hint: readHint(op.hint),
                sort: readSort(op.sort),
                collation,
                variables: constants || variables ? { ...variables, ...constants } : undefined,
              },
              update: parsed,
              arrayFilters,
              upsert: optionalBool(op, 'upsert') ?? false,
              multi,
            };
            const validate = validatorFor(catalog.getCollection(...split(ns)), bypass, ctx.server.logger);
            const r = applyUpdateStatement(ctx.server, unit, ns, st, validate, ctx.server.pipelineRunner);
            totals.nMatched += r.matched;
            totals.nModified += r.modified;
            entry = { ok: 1, idx, n: r.matched, nModified: r.modified };
            if (r.upsertedId !== undefined) {
              totals.nUpserted++;
              entry.n = 1;
              entry.upserted = { _id: r.upsertedId };
            }
          } else if (kind === 'delete') {
            const ns = namespaceOf(nsInfo, op.delete);
            const multi = optionalBool(op, 'multi') ?? false;
            const collation = readCollation(op.collation);
            const coll = catalog.getCollection(...split(ns));
            const filter = readFilter(op.filter, 'filter');
            let n = 0;
            if (coll) {
              const targets = [
                ...openScan(
                  coll,
                  { filter, hint: readHint(op.hint), variables, collation, limit: multi ? undefined : 1 },
                  { unit },
                ),
              ];
              for (const doc of targets) if (unit.delete(ns, doc._id)) n++;
            }
            totals.nDeleted += n;
            entry = { ok: 1, idx, n };
          } else {
            throw mongoError('FailedToParse', `Unrecognized bulkWrite operation: ${String(kind)}`);
          }
          if (!errorsOnly) results.push(entry);
        } catch (e) {
          if (!(e instanceof MongoCommandError) || e.code === ErrorCodes.WriteConflict) throw e;
          if (e.errorLabels.includes('TransientTransactionError')) throw e;
          totals.nErrors++;
          results.push({
            ok: 0,
            idx,
            code: e.code,
            codeName: e.codeName,
            errmsg: e.message,
            ...e.extra,
            n: 0,
          });
          if (ordered) break;
        }
      }
    });
    const reply: Document = {
      cursor: { id: Long.ZERO, firstBatch: results, ns: 'admin.$cmd.bulkWrite' },
      ...totals,
    };
    if (wc.error) reply.writeConcernError = wc.error;
    return reply;
  },
};
