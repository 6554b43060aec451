/**
 * Writes the result of a final $out or $merge stage, atomically (one write unit):
 * - $out replaces the target's documents and keeps its indexes; on any error (e.g. DuplicateKey)
 *   the target is left exactly as it was, as mongod's temp-collection-and-rename does;
 * - $merge matches each result on the `on` fields (which must be unique-indexed, as in mongod)
 *   and applies whenMatched (replace / keepExisting / merge / fail / pipeline) and
 *   whenNotMatched (insert / discard / fail).
 */
import type { Document } from '../../bson.js';
import { compileUpdatePipeline } from '../../aggregation/pipeline.js';
import type { OutputMode, OutputTarget } from '../../aggregation/context.js';
import type { WriteUnit } from '../../catalog/write-unit.js';
import { MongoCommandError, mongoError } from '../../errors.js';
import type { ServerState } from '../../server-state.js';
import { isPlainObject } from '../../values/types.js';
import { getPath } from '../../values/paths.js';
import type { CommandContext } from '../types.js';
import type { WriteConcern } from '../write-concern.js';
import { checkStorable, withId } from './document-checks.js';
import { openScan } from './query-options.js';

function mergeDocuments(existing: Document, incoming: Document): Document {
  return { ...existing, ...incoming };
}

function mergeOne(server: ServerState, unit: WriteUnit, ns: string, doc: Document, spec: Document): void {
  const [db, ...rest] = ns.split('.');
  const coll = server.catalog.getCollection(db, rest.join('.'));
  const on = spec.on as string[];
  const filter: Document = {};
  for (const path of on) {
    const v = getPath(doc, path);
    if (v === undefined || Array.isArray(v)) {
      throw new MongoCommandError(
        51132,
        `$merge write error: 'on' field '${path}' cannot be missing, null, undefined or an array`,
      );
    }
    filter[path] = v;
  }
  const existing = coll ? openScan(coll, { filter, limit: 2 }, { unit }).take(2) : [];
  if (existing.length > 1)
    throw new MongoCommandError(51138, `$merge 'on' fields must identify at most one document in ${ns}`);
  const match = existing[0];
  if (!match) {
    if (spec.whenNotMatched === 'discard') return;
    if (spec.whenNotMatched === 'fail')
      throw new MongoCommandError(
        13113,
        `$merge could not find a matching document in the target collection for at least one document in the source collection`,
      );
    const stored = withId(doc);
    checkStorable(stored);
    unit.insert(ns, stored);
    return;
  }
  const { whenMatched } = spec;
  let next: Document;
  if (whenMatched === 'keepExisting') return;
  if (whenMatched === 'fail') {
    throw mongoError('DuplicateKey', `$merge failed: a document in the target collection ${ns} matches`, {
      keyPattern: Object.fromEntries(on.map((p) => [p, 1])),
      keyValue: filter,
    });
  }
  if (whenMatched === 'replace') next = { ...doc, _id: match._id };
  else if (whenMatched === 'merge') next = mergeDocuments(match, { ...doc, _id: match._id });
  else {
    const letSpec = isPlainObject(spec.let) ? spec.let : { new: '$$ROOT' };
    const vars: Record<string, unknown> = { NOW: new Date(), CLUSTER_TIME: server.clusterTime() };
    for (const name of Object.keys(letSpec)) vars[name] = name === 'new' ? doc : letSpec[name];
    next = compileUpdatePipeline(whenMatched, Object.keys(letSpec))(match, vars);
  }
  checkStorable(next);
  unit.replace(ns, match._id, next);
}

export async function writeAggregateOutput(
  ctx: CommandContext,
  wc: WriteConcern,
  target: OutputTarget,
  docs: Document[],
  mode: OutputMode,
): Promise<void> {
  const ns = `${target.db}.${target.coll}`;
  const server = ctx.server;
  if (mode === 'out' && !server.catalog.getCollection(target.db, target.coll)) {
    await server.catalog.createCollection(target.db, target.coll, {}, { durable: false });
  }
  await server.withWriteUnit(ctx, wc, (unit) => {
    if (mode === 'out') {
      const coll = server.catalog.getCollection(target.db, target.coll);
      if (coll) for (const old of [...coll.scan({}, { unit })]) unit.delete(ns, old._id);
      for (const doc of docs) {
        const stored = withId(doc);
        checkStorable(stored);
        unit.insert(ns, stored);
      }
      return;
    }
    for (const doc of docs) mergeOne(server, unit, ns, doc, mode.merge);
  });
}
