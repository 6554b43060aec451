/**
 * Update semantics of the embedded server: operator updates, replacement documents and
 * pipeline-style updates applied to one document at a time, plus the upsert seed.
 */
export {
  applyUpdate,
  applyUpdateAsync,
  applyParsedUpdate,
  applyParsedUpdateAsync,
  applyReplacement,
  validateUpdate,
  type ApplyUpdateOptions,
  type ApplyUpdateResult,
  type PipelineRunner,
  type PipelineUpdateContext,
  type ValidateUpdateOptions,
} from './apply-update.js';
export {
  isOperatorUpdate,
  isPipelineUpdate,
  isReplacement,
  type ParsedUpdate,
  type ParsedModifierUpdate,
  type ParsedReplacement,
  type ParsedPipelineUpdate,
} from './parse-update.js';
export {
  buildUpsertSeed,
  finalizeUpsertDocument,
  validateIdValue,
  type UpsertSeedOptions,
} from './upsert.js';
export type { UpdateDescription, TruncatedArray } from './change-log.js';
export type { CompileFilter } from './operators/index.js';
