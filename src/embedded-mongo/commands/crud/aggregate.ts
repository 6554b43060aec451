import type { Document } from '../../bson.js';
import type { PipelineContext } from '../../aggregation/context.js';
import { runPipeline } from '../../aggregation/pipeline.js';
import { mongoError } from '../../errors.js';
import { hasText } from '../../text/index.js';
import { isPlainObject } from '../../values/types.js';
import { optionalBool, optionalDocument, optionalNumber } from '../args.js';
import { sessionKeyOf } from '../sessions-args.js';
import type { CommandContext, CommandSpec } from '../types.js';
import { parseWriteConcern } from '../write-concern.js';
import { writeAggregateOutput } from './aggregate-output.js';
import { readCollation, openScan, readHint, readVariables } from './query-options.js';
import { systemStage } from './system-stages.js';
import { isChangeStreamPipeline, runChangeStreamAggregate } from '../../change-streams/index.js';
import { scoredTextMatches, unservedTextMatcher } from './text-match-source.js';

function pipelineOf(body: Document): Document[] {
  const p = body.pipeline;
  if (!Array.isArray(p))
    throw mongoError(
      'TypeMismatch',
      "BSON field 'aggregate.pipeline' is the wrong type, expected type 'array'",
    );
  p.forEach((s, i) => {
    if (!isPlainObject(s))
      throw mongoError(
        'TypeMismatch',
        `Each element of the 'pipeline' array must be an object (element ${i})`,
      );
  });
  return p as Document[];
}

/**
 * The documents a collection-level pipeline starts from. A leading $match (and a $sort right
 * after it) is pushed down to the planner so indexes serve it; the rest runs in the pipeline.
 */
function sourceOf(
  ctx: CommandContext,
  coll: string,
  pipeline: Document[],
  hint: string | Document | undefined,
  variables: Document | undefined,
  collation: Document | undefined,
): { input: Iterable<Document>; rest: Document[] } {
  const collection = ctx.server.catalog.getCollection(ctx.db, coll);
  if (!collection) return { input: [], rest: pipeline };
  let filter: Document = {};
  let sort: Document | undefined;
  let i = 0;
  const first = pipeline[0];
  if (first && Object.keys(first).length === 1 && isPlainObject(first.$match) && hasText(first.$match)) {
    // $text: always pushed down (the text index serves it), its scores become metadata.
    const spec = { filter: first.$match, hint, variables, collation };
    const rest = pipeline.slice(1);
    return { input: scoredTextMatches(collection, spec, ctx.server.readOptionsFor(ctx), rest), rest };
  }
  if (first && Object.keys(first).length === 1 && isPlainObject(first.$match) && !('$text' in first.$match)) {
    filter = first.$match;
    i = 1;
    const second = pipeline[1];
    if (
      second &&
      Object.keys(second).length === 1 &&
      isPlainObject(second.$sort) &&
      !Object.values(second.$sort).some(isPlainObject)
    ) {
      sort = second.$sort;
      i = 2;
    }
  }
  const input = openScan(
    collection,
    { filter, sort, hint, variables, collation },
    ctx.server.readOptionsFor(ctx),
  );
  return { input, rest: pipeline.slice(i) };
}

export const aggregateCommand: CommandSpec = {
  name: 'aggregate',
  help: 'Runs an aggregation pipeline on a collection (or, with aggregate: 1, on the database).',
  async run(ctx) {
    const b = ctx.body;
    const pipeline = pipelineOf(b);
    if (isChangeStreamPipeline(pipeline)) return runChangeStreamAggregate(ctx, pipeline);
    const explain = optionalBool(b, 'explain') ?? false;
    const cursorOpts = optionalDocument(b, 'cursor');
    if (!cursorOpts && !explain) {
      throw mongoError(
        'FailedToParse',
        "The 'cursor' option is required, except for aggregate with the explain argument",
      );
    }
    const collation = readCollation(b.collation);
    const letSpec = optionalDocument(b, 'let');
    const variables = readVariables(letSpec);
    const hint = readHint(b.hint);
    const batchSize = optionalNumber(cursorOpts ?? {}, 'batchSize');
    const dbLevel = typeof ctx.arg !== 'string';
    if (
      dbLevel &&
      !(ctx.arg === 1 || (typeof ctx.arg === 'object' && ctx.arg !== null && Number(ctx.arg.valueOf()) === 1))
    ) {
      throw mongoError('InvalidNamespace', `Invalid value for aggregate: must be a collection name or 1`);
    }
    const coll = dbLevel ? undefined : (ctx.arg as string);
    if (coll === '')
      throw mongoError(
        'InvalidNamespace',
        'Invalid namespace specified for aggregate: empty collection name',
      );
    const wc = parseWriteConcern(b, ctx.server.inTransaction(ctx));
    const writes = pipeline.some((s) => '$out' in s || '$merge' in s);
    const rc = optionalDocument(b, 'readConcern');
    if (writes && rc?.level === 'linearizable') {
      throw mongoError(
        'InvalidOptions',
        "$out and $merge cannot be used with a 'linearizable' read concern level",
      );
    }
    const pctx: PipelineContext = {
      db: ctx.db,
      let: letSpec,
      now: new Date(),
      clusterTime: ctx.server.clusterTime(),
      allowDiskUse: optionalBool(b, 'allowDiskUse'),
      collation,
      resolveCollection: (db, name) => {
        const c = ctx.server.catalog.getCollection(db, name);
        return c ? [...c.scan({}, ctx.server.readOptionsFor(ctx))] : [];
      },
      writeOutput: (target, docs, mode) => writeAggregateOutput(ctx, wc, target, docs, mode),
      systemStage: (name, spec) => systemStage(ctx, coll, name, spec),
    };
    if (explain) {
      const stages = pipeline.map((s) => s);
      return { explainVersion: '1', stages, command: b };
    }
    const { input, rest } =
      coll === undefined
        ? { input: [], rest: pipeline }
        : sourceOf(ctx, coll, pipeline, hint, variables, collation);
    pctx.textMatcher = unservedTextMatcher(pipeline.length - rest.length, `${ctx.db}.${coll ?? ''}`);
    const docs = runPipeline(input, rest, pctx);
    const ns = coll === undefined ? `${ctx.db}.$cmd.aggregate` : `${ctx.db}.${coll}`;
    const cursor = await ctx.server.cursors.open(docs, { ns, sessionKey: sessionKeyOf(b.lsid) }, batchSize);
    const reply: Document = { cursor };
    if (wc.error) reply.writeConcernError = wc.error;
    return reply;
  },
};
