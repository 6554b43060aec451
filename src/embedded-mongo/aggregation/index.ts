/**
 * The aggregation framework of the embedded server: expressions, accumulators and pipelines.
 * The command layer implements PipelineContext (collection reads, $out / $merge writes, system
 * stages) and calls runPipeline; the query layer reaches expressions through evaluateExpression.
 */
export type { OutputMode, OutputTarget, PipelineContext } from './context.js';
export {
  compileExpression,
  createCompileContext,
  evaluateExpression,
  evaluateVariables,
  validateUserVariableName,
  EXPRESSION_OPERATORS,
  type CompileContext,
  type CompileOptions,
  type CompiledExpr,
  type Vars,
} from './expressions.js';
export {
  ACCUMULATOR_NAMES,
  isAccumulatorName,
  parseAccumulatorStatement,
  startAccumulator,
  type Accumulator,
  type AccumulatorSpec,
} from './accumulators.js';
export {
  aggregate,
  compilePipeline,
  compileUpdatePipeline,
  pipelineWriteStage,
  runPipeline,
  runPipelineBatches,
  runUpdatePipeline,
  type CompiledPipeline,
  type RunEnv,
} from './pipeline.js';
export { STAGE_NAMES } from './stages/registry.js';
export { normalizeMergeSpec } from './stages/out.js';
export { getDocumentMetadata, setDocumentMetadata, type DocumentMetadata } from './metadata.js';
