/**
 * `aggregate` whose first stage is `$changeStream`: a collection stream (`aggregate: <coll>`), a
 * database stream (`aggregate: 1`), or a deployment-wide stream (`aggregate: 1` on admin with
 * `allChangesForCluster: true`). Opens a tailable awaitData cursor over the oplog; the user's
 * later stages apply to each event.
 *
 * Where a stream starts: after `resumeAfter` / `startAfter` (a token), at `startAtOperationTime`,
 * or else after everything committed so far (mongod: one tick after the last applied operation).
 * Before answering, everything committed so far is made durable, so the reply's
 * postBatchResumeToken never names a point a crash could undo.
 */
import type { Document } from '../bson.js';
import type { PipelineContext } from '../aggregation/index.js';
import { MongoCommandError, mongoError } from '../errors.js';
import { oplogOf } from '../oplog/index.js';
import type { Oplog } from '../oplog/oplog.js';
import { optionalDocument, optionalNumber } from '../commands/args.js';
import { sessionKeyOf } from '../commands/sessions-args.js';
import type { CommandContext } from '../commands/types.js';
import { parseChangeStreamSpec, scopeOf, type ChangeStreamOptions } from './change-stream-options.js';
import { ChangeStreamCursor } from './change-stream-cursor.js';
import { ChangeStreamReader, checkResumable } from './change-stream-reader.js';
import type { EventContext } from './change-events.js';
import { compileEventPipeline } from './event-pipeline.js';
import { labelGetMoreError } from './error-labels.js';
import { beforeTimestamp, highWaterMark, type StreamPosition } from './resume-token.js';

/** Whether an aggregate pipeline is a change stream (its first stage is `$changeStream`). */
export function isChangeStreamPipeline(pipeline: readonly Document[]): boolean {
  const first = pipeline[0];
  return first !== undefined && Object.keys(first)[0] === '$changeStream';
}

function startOf(opts: ChangeStreamOptions, oplog: Oplog, now: StreamPosition): StreamPosition {
  const token = opts.resumeAfter ?? opts.startAfter;
  if (token) {
    checkResumable(oplog, token);
    return token;
  }
  if (opts.startAtOperationTime) {
    const start = beforeTimestamp(opts.startAtOperationTime);
    checkResumable(oplog, start);
    return start;
  }
  return now;
}

function collectionArg(ctx: CommandContext): string | undefined {
  if (typeof ctx.arg === 'string') {
    if (ctx.arg === '') {
      throw mongoError(
        'InvalidNamespace',
        'Invalid namespace specified for aggregate: empty collection name',
      );
    }
    return ctx.arg;
  }
  const one = ctx.arg !== null && typeof ctx.arg === 'object' ? Number(ctx.arg.valueOf()) : Number(ctx.arg);
  if (one !== 1)
    throw mongoError('InvalidNamespace', 'Invalid value for aggregate: must be a collection name or 1');
  return undefined;
}

/** `explain` of a change stream: its validated stages (nothing is opened). */
function explainChangeStream(ctx: CommandContext, pipeline: readonly Document[]): Document {
  const options = parseChangeStreamSpec(pipeline[0].$changeStream);
  scopeOf(ctx.db, collectionArg(ctx), options);
  const pctx: PipelineContext = { db: ctx.db, now: new Date(), resolveCollection: () => [] };
  compileEventPipeline(pipeline.slice(1), pctx, optionalDocument(ctx.body, 'let'));
  return { explainVersion: '1', stages: [...pipeline], command: ctx.body };
}

export async function runChangeStreamAggregate(
  ctx: CommandContext,
  pipeline: readonly Document[],
): Promise<Document> {
  const b = ctx.body;
  const server = ctx.server;
  if (b.explain === true) return explainChangeStream(ctx, pipeline);
  const cursorOpts = optionalDocument(b, 'cursor');
  if (!cursorOpts) {
    throw mongoError(
      'FailedToParse',
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  }
  if (server.inTransaction(ctx)) {
    throw mongoError(
      'OperationNotSupportedInTransaction',
      'Operation not permitted in transaction :: caused by :: $changeStream is not allowed in a transaction',
    );
  }
  const batchSize = optionalNumber(cursorOpts, 'batchSize');
  const coll = collectionArg(ctx);
  const options = parseChangeStreamSpec(pipeline[0].$changeStream);
  const scope = scopeOf(ctx.db, coll, options);
  const oplog = oplogOf(server.catalog);
  if (!oplog) throw new MongoCommandError(40573, 'The $changeStream stage is only supported on replica sets');
  const pctx: PipelineContext = {
    db: ctx.db,
    now: new Date(),
    clusterTime: server.clusterTime(),
    resolveCollection: () => [],
  };
  const transform = compileEventPipeline(pipeline.slice(1), pctx, optionalDocument(b, 'let'));
  oplog.enforceRetention();
  // "Now" must be durable: checked synchronously with reading the clock, since a commit may
  // slip in while we wait.
  while (oplog.visibleEndSeq < oplog.endSeq && !oplog.isClosed) await oplog.waitUntilVisible();
  const start = startOf(options, oplog, highWaterMark(server.clusterTime()));
  const events: EventContext = {
    scope,
    options,
    lookup: (ns, id) => server.catalog.getCollectionByNs(ns)?.findById(id) ?? null,
  };
  const stream = new ChangeStreamCursor(new ChangeStreamReader(oplog, events, start), oplog, transform);
  const ns = coll === undefined ? `${ctx.db}.$cmd.aggregate` : `${ctx.db}.${coll}`;
  const cursor = await server.cursors.open(
    stream,
    {
      ns,
      sessionKey: sessionKeyOf(b.lsid),
      tailable: true,
      awaitData: (ms) => stream.awaitData(ms),
      ended: () => stream.ended,
      decorateReply: (reply) => stream.decorate(reply),
      decorateError: labelGetMoreError,
    },
    batchSize,
  );
  return { cursor };
}
