/**
 * The stages a user appends after `$changeStream` ($match, $project, $addFields/$set, $unset,
 * $replaceRoot/$replaceWith, $redact), compiled once and applied to each event synchronously.
 * Every stage is validated first (unknown stage 40324, bad spec: the stage's own code), then
 * stages a change stream does not allow fail with IllegalOperation (20), as in mongod.
 */
import type { Document } from '../bson.js';
import {
  compilePipeline,
  evaluateVariables,
  type PipelineContext,
  type RunEnv,
} from '../aggregation/index.js';
import { MongoCommandError, ErrorCodes } from '../errors.js';

const ALLOWED = new Set([
  '$match',
  '$project',
  '$addFields',
  '$set',
  '$unset',
  '$replaceRoot',
  '$replaceWith',
  '$redact',
  '$changeStreamSplitLargeEvent',
]);

/** Applies the user's stages to one event; undefined when a stage filtered it out. */
export type EventTransform = (event: Document) => Document | undefined;

export function compileEventPipeline(
  stages: readonly Document[],
  ctx: PipelineContext,
  letSpec: Document | undefined,
): EventTransform {
  const names = stages.map((s) => Object.keys(s)[0] ?? '');
  // Events are never larger than 16 MiB here, so there is nothing to split.
  const kept = stages.filter((_, i) => names[i] !== '$changeStreamSplitLargeEvent');
  const base = { NOW: ctx.now, CLUSTER_TIME: ctx.clusterTime };
  const userVars = letSpec ? evaluateVariables(letSpec, base) : {};
  const compiled = compilePipeline(kept, ctx, Object.keys(userVars));
  for (const name of names) {
    if (name === '$changeStream') {
      throw new MongoCommandError(40602, '$changeStream is only valid as the first stage in a pipeline');
    }
    if (!ALLOWED.has(name)) {
      throw new MongoCommandError(
        ErrorCodes.IllegalOperation,
        `${name} is not permitted in a $changeStream pipeline`,
      );
    }
  }
  const transforms = compiled.stages.map((s) => {
    if (s.kind !== 'transform') throw new Error(`change stream stage ${s.name} is not a per-document stage`);
    return s.transform;
  });
  if (transforms.length === 0) return (event) => event;
  return (event) => {
    const env: RunEnv = {
      vars: { ...userVars, NOW: new Date(), CLUSTER_TIME: ctx.clusterTime },
      ctx,
      cache: new Map(),
    };
    let d: Document | undefined = event;
    for (const t of transforms) {
      d = t(d, env);
      if (d === undefined) return undefined;
    }
    return d;
  };
}
