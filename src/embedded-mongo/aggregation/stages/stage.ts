/**
 * What a pipeline stage is to the pipeline: a parser from the stage's specification to a compiled
 * stage. A compiled stage is either a per-document transform (fused with its neighbours into one
 * loop: $match, $project, $addFields, ...) or a stream operator over the whole input ($group,
 * $sort, $lookup, ...). Compiled stages hold no per-run state, so a sub-pipeline compiles once and
 * runs once per outer document.
 */
import type { Document } from '../../bson.js';
import type { CompileContext, CompiledExpr, Vars } from '../expressions/core.js';
import type { PipelineContext } from '../context.js';

/** Where a nested pipeline lives (stages restrict what may appear inside each). */
export type SubPipelineKind = '$lookup' | '$facet' | '$unionWith';

export interface RunEnv {
  /** User variables plus NOW / CLUSTER_TIME. */
  readonly vars: Vars;
  readonly ctx: PipelineContext;
  /** Per-run caches shared by all stages of one top-level run (foreign collections, indexes). */
  readonly cache: Map<string, unknown>;
}

export type Transform = (doc: Document, env: RunEnv) => Document | undefined;

export interface TransformStage {
  readonly name: string;
  readonly kind: 'transform';
  readonly transform: Transform;
}

export interface StreamStage {
  readonly name: string;
  readonly kind: 'stream';
  run(input: AsyncIterable<Document>, env: RunEnv): AsyncIterable<Document>;
  /** For $limit: its value, so a preceding $sort can keep only the top k documents. */
  readonly limit?: number;
  /** For $skip: its value. */
  readonly skip?: number;
  /** For $sort: the same sort keeping only the first `k` documents. */
  withLimit?(k: number): StreamStage;
}

export type CompiledStage = TransformStage | StreamStage;

export interface CompiledPipeline {
  readonly stages: readonly CompiledStage[];
  run(input: AsyncIterable<Document> | Iterable<Document>, env: RunEnv): AsyncIterable<Document>;
}

export interface StageParseContext {
  readonly ctx: PipelineContext;
  /** User variables in scope. */
  readonly variables: ReadonlySet<string>;
  /** Position of the stage in its pipeline. */
  readonly index: number;
  readonly isLast: boolean;
  /** Set when parsing inside $lookup / $facet / $unionWith. */
  readonly within?: SubPipelineKind;
  /** Compiles an expression with the variables in scope. */
  compile(expr: unknown): CompiledExpr;
  /** The same scope as a compile context (for accumulators). */
  readonly compileContext: CompileContext;
  /** Parses a nested pipeline with extra variables in scope. */
  parseSubPipeline(
    stages: unknown,
    within: SubPipelineKind,
    extraVariables?: readonly string[],
  ): CompiledPipeline;
}

/** Parses a stage specification into one or more compiled stages (desugaring stages return several). */
export type StageParser = (
  spec: unknown,
  pc: StageParseContext,
  name: string,
) => CompiledStage | CompiledStage[];

export interface StageDefinition {
  readonly parse: StageParser;
  /** Must be the first stage of its pipeline (40602). */
  readonly first?: boolean;
  /** Must be the last stage of its pipeline (40601). */
  readonly last?: boolean;
  /** Not allowed inside these sub-pipelines. */
  readonly notWithin?: readonly SubPipelineKind[];
}

export function transformStage(name: string, transform: Transform): TransformStage {
  return { name, kind: 'transform', transform };
}

export function streamStage(name: string, run: StreamStage['run']): StreamStage {
  return { name, kind: 'stream', run };
}

/** Drains an async iterable into an array. */
export async function collect(input: AsyncIterable<Document>): Promise<Document[]> {
  const out: Document[] = [];
  for await (const d of input) out.push(d);
  return out;
}

/** Any (async) iterable of documents as an async iterable. */
export async function* toAsync(input: AsyncIterable<Document> | Iterable<Document>): AsyncIterable<Document> {
  yield* input;
}
