/**
 * What a pipeline stage is to the pipeline: a parser from the stage's specification to a compiled
 * stage. A compiled stage is either a per-document transform (fused with its neighbours into one
 * loop: $match, $project, $addFields, ...) or a stream operator over the whole input ($group,
 * $sort, $lookup, ...). Compiled stages hold no per-run state, so a sub-pipeline compiles once and
 * runs once per outer document.
 *
 * Documents flow between stages in batches (arrays), which keeps the cost of async iteration per
 * batch rather than per document; a batch is never empty.
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

/** Documents in non-empty batches. */
export type Batches = AsyncIterable<Document[]>;

export type Transform = (doc: Document, env: RunEnv) => Document | undefined;

export interface TransformStage {
  readonly name: string;
  readonly kind: 'transform';
  readonly transform: Transform;
}

export interface StreamStage {
  readonly name: string;
  readonly kind: 'stream';
  run(input: Batches, env: RunEnv): Batches;
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
  run(input: AsyncIterable<Document> | Iterable<Document>, env: RunEnv): Batches;
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

export const BATCH_SIZE = 1024;

/** Drains batches into one array. */
export async function collect(input: Batches): Promise<Document[]> {
  const out: Document[] = [];
  for await (const batch of input) for (const d of batch) out.push(d);
  return out;
}

/** Splits an array into batches. */
export function* chunks(docs: readonly Document[]): Iterable<Document[]> {
  for (let i = 0; i < docs.length; i += BATCH_SIZE) yield docs.slice(i, i + BATCH_SIZE);
}

function isSyncIterable(v: unknown): v is Iterable<Document> {
  return typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

/**
 * A document source as batches. Synchronous sources are cut into full batches; asynchronous
 * ones pass each document on as it arrives (a slow source, such as a change stream, must not be
 * held back waiting for a batch to fill).
 */
export async function* batchesOf(input: AsyncIterable<Document> | Iterable<Document>): Batches {
  if (Array.isArray(input)) {
    yield* chunks(input as Document[]);
    return;
  }
  if (isSyncIterable(input)) {
    let batch: Document[] = [];
    for (const d of input) {
      batch.push(d);
      if (batch.length === BATCH_SIZE) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
    return;
  }
  for await (const d of input) yield [d];
}

/** Batches as single documents (for consumers that want documents). */
export async function* unbatch(input: Batches): AsyncIterable<Document> {
  for await (const batch of input) yield* batch;
}
