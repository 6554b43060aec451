import { mongoError } from '../../errors.js';
import { MAX_WRITE_BATCH_SIZE } from '../../wire/constants.js';
import { collectionName, optionalBool, requiredDocumentArray } from '../args.js';
import type { CommandSpec } from '../types.js';
import { parseWriteConcern } from '../write-concern.js';
import { checkStorable, withId } from './document-checks.js';
import { validatorFor } from './validation.js';
import { runStatements, writeReply } from './write-errors.js';

export const insertCommand: CommandSpec = {
  name: 'insert',
  help: 'Inserts documents (ordered stops at the first error; unordered reports every error).',
  async run(ctx) {
    const b = ctx.body;
    const coll = collectionName(ctx.arg, 'insert');
    const documents = requiredDocumentArray(b, 'documents');
    if (documents.length === 0)
      throw mongoError('InvalidLength', 'Write batch sizes must be between 1 and 100000. Got 0 operations.');
    if (documents.length > MAX_WRITE_BATCH_SIZE) {
      throw mongoError(
        'InvalidLength',
        `Write batch sizes must be between 1 and 100000. Got ${documents.length} operations.`,
      );
    }
    const ordered = optionalBool(b, 'ordered') ?? true;
    const wc = parseWriteConcern(b, ctx.server.inTransaction(ctx));
    const ns = `${ctx.db}.${coll}`;
    const validate = validatorFor(
      ctx.server.catalog.getCollection(ctx.db, coll),
      optionalBool(b, 'bypassDocumentValidation') ?? false,
      ctx.server.logger,
    );
    let n = 0;
    const writeErrors = await ctx.server.withWriteUnit(ctx, wc, (unit) =>
      runStatements(documents, ordered, (raw) => {
        const doc = withId(raw);
        checkStorable(doc);
        validate(doc, null);
        unit.insert(ns, doc);
        n++;
      }),
    );
    return writeReply({ n }, writeErrors, wc);
  },
};
