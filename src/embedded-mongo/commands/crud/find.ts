import { Long, type Document } from '../../bson.js';
import { mongoError } from '../../errors.js';
import { compileProjection } from '../../query/projection.js';
import { textSearchFor } from '../../text/index.js';
import { optionalBool, optionalDocument, optionalNumber, collectionName } from '../args.js';
import type { CommandSpec } from '../types.js';
import { sessionKeyOf } from '../sessions-args.js';
import {
  filterOptionsOf,
  readCollation,
  openScan,
  readFilter,
  readHint,
  readSort,
  readVariables,
  validateQuery,
} from './query-options.js';

function* skipAndProject(
  src: Iterable<Document>,
  skip: number,
  project?: (d: Document) => Document,
): Generator<Document> {
  let skipped = 0;
  for (const doc of src) {
    if (skipped < skip) {
      skipped++;
      continue;
    }
    yield project ? project(doc) : doc;
  }
}

export const findCommand: CommandSpec = {
  name: 'find',
  help: 'Queries a collection: filter, projection, sort, skip, limit, batchSize, hint.',
  async run(ctx) {
    const b = ctx.body;
    const coll = collectionName(ctx.arg, 'find');
    const filter = readFilter(b.filter, 'filter');
    const sort = readSort(b.sort);
    const hint = readHint(b.hint);
    const variables = readVariables(b.let);
    const collation = readCollation(b.collation);
    const projection = optionalDocument(b, 'projection');
    const skip = optionalNumber(b, 'skip') ?? 0;
    if (skip < 0) throw mongoError('BadValue', `skip value must be non-negative, but received: ${skip}`);
    let limit = optionalNumber(b, 'limit') ?? 0;
    let singleBatch = optionalBool(b, 'singleBatch') ?? false;
    if (limit < 0) {
      // Legacy negative limit: one batch of |limit| documents.
      limit = -limit;
      singleBatch = true;
    }
    const batchSize = optionalNumber(b, 'batchSize');
    if (batchSize !== undefined && batchSize < 0) {
      throw mongoError('BadValue', `BatchSize value must be non-negative, but received: ${batchSize}`);
    }
    if (b.tailable === true) {
      throw mongoError(
        'BadValue',
        'tailable cursors need a capped collection; capped collections are not supported',
      );
    }
    const ns = `${ctx.db}.${coll}`;
    const collection = ctx.server.catalog.getCollection(ctx.db, coll);
    const text = textSearchFor(collection, filter, ns);
    const spec = {
      filter,
      sort,
      hint,
      variables,
      collation,
      text,
      limit: limit > 0 ? limit + skip : undefined,
    };
    const project =
      projection && Object.keys(projection).length > 0
        ? compileProjection(projection, {
            filter,
            variables,
            filterOptions: text ? filterOptionsOf(spec) : undefined,
            textScore: text?.score,
          })
        : undefined;
    if (!collection) {
      validateQuery(spec);
      return { cursor: { id: Long.ZERO, ns, firstBatch: [] } };
    }
    const scan = openScan(collection, spec, ctx.server.readOptionsFor(ctx));
    const docs = skipAndProject(scan, skip, project);
    const cursor = await ctx.server.cursors.open(
      docs,
      {
        ns,
        sessionKey: sessionKeyOf(b.lsid),
        limit: limit > 0 ? limit : undefined,
        noTimeout: optionalBool(b, 'noCursorTimeout') ?? false,
      },
      batchSize,
      singleBatch,
    );
    return { cursor };
  },
};
