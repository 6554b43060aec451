/**
 * Pipelines: parsing (all stage specifications are validated before any document flows, with
 * mongod's error codes), light optimisation ($sort followed by $limit keeps only the top k;
 * consecutive per-document stages run as one fused loop), and streaming execution. Blocking
 * stages ($group, $sort, $bucket*, $facet, $sample, $out/$merge) buffer; everything else streams.
 */
import type { Document } from '../bson.js';
import type { PipelineContext } from './context.js';
import { createCompileContext, evaluateVariables, validateUserVariableName } from './expressions.js';
import { fail, isPlainObject, type Vars } from './expressions/core.js';
import { lookupStage } from './stages/registry.js';
import {
  batchesOf,
  unbatch,
  type Batches,
  type CompiledPipeline,
  type CompiledStage,
  type RunEnv,
  type StageParseContext,
  type StreamStage,
  type SubPipelineKind,
  type Transform,
} from './stages/stage.js';

export type { CompiledPipeline, RunEnv } from './stages/stage.js';

interface ParseOptions {
  readonly ctx: PipelineContext;
  readonly variables: ReadonlySet<string>;
  readonly within?: SubPipelineKind;
}

const NOT_WITHIN_CODES: Record<SubPipelineKind, [number, (n: string) => string]> = {
  $lookup: [51047, (n) => `${n} is not allowed within a $lookup's sub-pipeline`],
  $facet: [40600, (n) => `${n} is not allowed to be used within a $facet stage`],
  $unionWith: [31441, (n) => `${n} is not allowed within a $unionWith's sub-pipeline`],
};

function parseStages(pipeline: unknown, opts: ParseOptions): CompiledPipeline {
  if (!Array.isArray(pipeline)) fail(14, "'pipeline' option must be specified as an array");
  const stages: CompiledStage[] = [];
  const cx = createCompileContext(opts.variables);
  pipeline.forEach((spec: unknown, index: number) => {
    if (!isPlainObject(spec)) fail(14, "Each element of the 'pipeline' array must be an object");
    const keys = Object.keys(spec).filter((k) => spec[k] !== undefined);
    if (keys.length !== 1)
      fail(40323, 'A pipeline stage specification object must contain exactly one field.');
    const name = keys[0];
    const def = lookupStage(name);
    if (!def) fail(40324, `Unrecognized pipeline stage name: '${name}'`);
    if (opts.within && def.notWithin?.includes(opts.within)) {
      const [code, msg] = NOT_WITHIN_CODES[opts.within];
      fail(code, msg(name));
    }
    if (def.first && index !== 0) fail(40602, `${name} is only valid as the first stage in a pipeline`);
    if (def.last && index !== pipeline.length - 1)
      fail(40601, `${name} can only be the final stage in the pipeline`);
    const pc: StageParseContext = {
      ctx: opts.ctx,
      variables: opts.variables,
      index,
      isLast: index === pipeline.length - 1,
      within: opts.within,
      compileContext: cx,
      compile: (e) => cx.compile(e),
      parseSubPipeline: (sub, within, extra = []) =>
        parseStages(sub, {
          ctx: opts.ctx,
          variables: extra.length ? new Set([...opts.variables, ...extra]) : opts.variables,
          within,
        }),
    };
    const parsed = def.parse(spec[name], pc, name);
    if (Array.isArray(parsed)) stages.push(...parsed);
    else stages.push(parsed);
  });
  return assemble(coalesce(stages));
}

/** $sort followed by $limit (optionally with a $skip between) keeps only the top skip+limit. */
function coalesce(stages: CompiledStage[]): CompiledStage[] {
  const out = [...stages];
  for (let i = 0; i < out.length - 1; i++) {
    const s = out[i];
    if (s.kind !== 'stream' || !s.withLimit) continue;
    const next = out[i + 1];
    if (next.kind !== 'stream') continue;
    if (next.limit !== undefined) {
      out[i] = s.withLimit(next.limit);
    } else if (next.skip !== undefined) {
      const after = out[i + 2];
      if (after?.kind === 'stream' && after.limit !== undefined)
        out[i] = s.withLimit(next.skip + after.limit);
    }
  }
  return out;
}

async function* runFused(transforms: readonly Transform[], input: Batches, env: RunEnv): Batches {
  for await (const batch of input) {
    const out: Document[] = [];
    outer: for (const doc of batch) {
      let d: Document | undefined = doc;
      for (const t of transforms) {
        d = t(d, env);
        if (d === undefined) continue outer;
      }
      out.push(d);
    }
    if (out.length) yield out;
  }
}

function assemble(stages: CompiledStage[]): CompiledPipeline {
  const segments: (StreamStage | Transform[])[] = [];
  for (const s of stages) {
    if (s.kind === 'transform') {
      const last = segments[segments.length - 1];
      if (Array.isArray(last)) last.push(s.transform);
      else segments.push([s.transform]);
    } else {
      segments.push(s);
    }
  }
  return {
    stages,
    run(input, env) {
      let it: Batches = batchesOf(input);
      for (const seg of segments) it = Array.isArray(seg) ? runFused(seg, it, env) : seg.run(it, env);
      return it;
    },
  };
}

/** The variables a top-level run sees: user `let` values plus NOW and CLUSTER_TIME. */
function runVariables(ctx: PipelineContext): Record<string, unknown> {
  const base: Record<string, unknown> = { NOW: ctx.now, CLUSTER_TIME: ctx.clusterTime };
  const user: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ctx.variables ?? {})) {
    validateUserVariableName(k);
    user[k] = v;
  }
  if (ctx.let !== undefined) {
    if (!isPlainObject(ctx.let)) fail(14, "'let' must be an object");
    Object.assign(user, evaluateVariables(ctx.let, base));
  }
  return { ...user, ...base };
}

function userVariableNames(vars: Vars): string[] {
  return Object.keys(vars).filter((k) => k !== 'NOW' && k !== 'CLUSTER_TIME');
}

/**
 * Parses and validates a pipeline without running it (every stage error surfaces here).
 * `variables` names the user variables in scope (the command's `let`).
 */
export function compilePipeline(
  pipeline: unknown,
  ctx: PipelineContext,
  variables: Iterable<string> = [],
): CompiledPipeline {
  return parseStages(pipeline, { ctx, variables: new Set(variables) });
}

/**
 * Runs `pipeline` over `input` (a collection's documents, or nothing for a db-level aggregate).
 * Parsing and validation happen before this returns, so spec errors throw synchronously; errors
 * met while documents flow reject the iteration.
 */
export function runPipeline(
  input: AsyncIterable<Document> | Iterable<Document>,
  pipeline: Document[],
  ctx: PipelineContext,
): AsyncIterable<Document> {
  return unbatch(runPipelineBatches(input, pipeline, ctx));
}

/** runPipeline, yielding the output in batches (cheaper for consumers that fill reply batches). */
export function runPipelineBatches(
  input: AsyncIterable<Document> | Iterable<Document>,
  pipeline: Document[],
  ctx: PipelineContext,
): AsyncIterable<Document[]> {
  const vars = runVariables(ctx);
  const compiled = compilePipeline(pipeline, ctx, userVariableNames(vars));
  return compiled.run(input, { vars, ctx, cache: new Map() });
}

/** Runs a pipeline to completion and returns its output (convenience for small results and tests). */
export async function aggregate(
  input: AsyncIterable<Document> | Iterable<Document>,
  pipeline: Document[],
  ctx: PipelineContext,
): Promise<Document[]> {
  const out: Document[] = [];
  for await (const batch of runPipelineBatches(input, pipeline, ctx)) for (const d of batch) out.push(d);
  return out;
}

const UPDATE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

const DETACHED_CONTEXT: PipelineContext = {
  db: '',
  now: new Date(0),
  resolveCollection: () => [],
};

/**
 * Compiles an update pipeline (update with an aggregation pipeline, $merge whenMatched) into a
 * synchronous document transform. Only $addFields/$set/$project/$unset/$replaceRoot/$replaceWith
 * are allowed (InvalidOptions, 72, otherwise). `variables` names the user variables in scope
 * (e.g. `new` for $merge); the transform receives their values, plus NOW / CLUSTER_TIME.
 */
export function compileUpdatePipeline(
  pipeline: unknown,
  variables: Iterable<string> = [],
): (doc: Document, vars: Vars) => Document {
  if (!Array.isArray(pipeline)) fail(14, 'an update pipeline must be an array');
  for (const stage of pipeline) {
    if (!isPlainObject(stage)) fail(14, "Each element of the 'pipeline' array must be an object");
    const name = Object.keys(stage)[0];
    if (name !== undefined && !UPDATE_STAGES.has(name) && Object.keys(stage).length === 1) {
      fail(72, `${name} is not allowed to be used within an update`);
    }
  }
  const compiled = parseStages(pipeline, { ctx: DETACHED_CONTEXT, variables: new Set(variables) });
  const transforms = compiled.stages.map((s) => (s.kind === 'transform' ? s.transform : undefined));
  return (doc, vars) => {
    const env: RunEnv = { vars, ctx: DETACHED_CONTEXT, cache: new Map() };
    let d = doc;
    for (const t of transforms) {
      const next = t?.(d, env);
      if (next === undefined) fail(8, 'update pipeline stage produced no document');
      d = next;
    }
    return d;
  };
}

const updatePipelines = new WeakMap<
  object,
  { names: string; apply: (doc: Document, vars: Vars) => Document }
>();

/**
 * The pipeline runner update/apply-update.ts expects (PipelineRunner): applies an update pipeline
 * to documents with the statement's evaluated `let` variables and $$NOW. Compiled once per
 * pipeline array.
 */
export function runUpdatePipeline(
  docs: Document[],
  pipeline: Document[],
  ctx: { readonly variables: Document; readonly now: Date },
): Document[] {
  const names = Object.keys(ctx.variables);
  const signature = names.join('\0');
  let entry = updatePipelines.get(pipeline);
  if (!entry || entry.names !== signature) {
    entry = { names: signature, apply: compileUpdatePipeline(pipeline, names) };
    updatePipelines.set(pipeline, entry);
  }
  const vars: Vars = { ...ctx.variables, NOW: ctx.now };
  const apply = entry.apply;
  return docs.map((d) => apply(d, vars));
}

/** '$out' or '$merge' when the pipeline ends with one (the aggregate then writes and returns no documents). */
export function pipelineWriteStage(pipeline: readonly unknown[]): '$out' | '$merge' | undefined {
  const last = pipeline[pipeline.length - 1];
  if (!isPlainObject(last)) return undefined;
  const keys = Object.keys(last);
  if (keys.length !== 1) return undefined;
  return keys[0] === '$out' || keys[0] === '$merge' ? keys[0] : undefined;
}
