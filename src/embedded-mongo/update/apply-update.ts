/**
 * Applying one update statement to one document, with MongoDB's semantics.
 *
 * Contract:
 * - the input document is never mutated; unchanged subtrees are shared with the result;
 * - `modified` is false when the result is binary-identical to the input (mongod's nModified);
 * - `updateDescription` is what a change stream 'update' event reports for the change (empty
 *   for replacements, whose events are 'replace');
 * - errors are MongoCommandErrors carrying mongod's codes.
 *
 * Positional `$`: pass `matchedArrayIndex` (the index of the array element the query matched)
 * when the caller's matcher knows it; otherwise it is recomputed from `query` (see
 * ./positional.ts). For an upsert insert `$` has no match, as in mongod.
 *
 * Upserts: `buildUpsertSeed(query)`, then `applyUpdate(seed, update, {isUpsertInsert: true})`,
 * then `finalizeUpsertDocument(result.doc)` (puts `_id` first, generating an ObjectId if absent).
 *
 * Pipeline-style updates run through the injected `runPipeline` (the aggregation engine);
 * use `applyUpdateAsync` when that runner is asynchronous.
 */
import type { Timestamp } from 'bson';
import type { Document } from '../bson.js';
import { MongoCommandError, ErrorCodes } from '../errors.js';
import { isPlainObject } from '../values/types.js';
import { formatElement } from './format.js';
import { identical } from './identical.js';
import { applyRoot } from './apply-tree.js';
import { ChangeRecorder, emptyDescription, type UpdateDescription } from './change-log.js';
import { localTimestamp, type CompileFilter } from './operators/index.js';
import { findMatchedArrayIndex } from './positional.js';
import {
  parseUpdate,
  type ParsedModifierUpdate,
  type ParsedUpdate,
  type RenameSpec,
} from './parse-update.js';
import { diffDocuments, replaceDocument } from './replacement.js';
import { defaultCompileFilter } from './default-matcher.js';

/** What a pipeline-style update's stages see besides the document. */
export interface PipelineUpdateContext {
  /** `let` / `c` variables of the update command (evaluated values). */
  readonly variables: Document;
  /** $$NOW for this update. */
  readonly now: Date;
}

/** Runs an update pipeline over the given documents (the aggregation engine, injected). */
export type PipelineRunner = (
  docs: Document[],
  pipeline: Document[],
  ctx: PipelineUpdateContext,
) => Document[] | Promise<Document[]>;

export interface ApplyUpdateOptions {
  arrayFilters?: readonly Document[];
  /** The update produces an upsert's new document: $setOnInsert applies, `$` has no match. */
  isUpsertInsert?: boolean;
  /** The statement's query, to find what the positional `$` stands for. */
  query?: Document;
  /** The array index the query matched (takes precedence over `query`). */
  matchedArrayIndex?: number;
  runPipeline?: PipelineRunner;
  /** Values of the statement's `let` / `c` variables (already evaluated), for pipeline-style updates. */
  variables?: Document;
  /** Clock for $currentDate and $$NOW (default: the system clock). */
  now?: () => Date;
  /** Timestamps for `$currentDate: {$type: 'timestamp'}` (default: seconds of `now` and a counter). */
  currentTimestamp?: () => Timestamp;
  /** The query matcher (default: ../query/matcher.js). */
  compileFilter?: CompileFilter;
}

export interface ApplyUpdateResult {
  doc: Document;
  modified: boolean;
  kind: ParsedUpdate['kind'];
  updateDescription: UpdateDescription;
  /** change streams' `disambiguatedPaths` for the paths in `updateDescription` (only ambiguous ones). */
  disambiguatedPaths: Document;
}

export interface ValidateUpdateOptions {
  arrayFilters?: readonly Document[];
  compileFilter?: CompileFilter;
}

/** Parses and validates an update statement (throws mongod's error); reuse the result for many documents. */
export function validateUpdate(update: unknown, options: ValidateUpdateOptions = {}): ParsedUpdate {
  return parseUpdate(update, {
    arrayFilters: options.arrayFilters,
    compileFilter: options.compileFilter ?? defaultCompileFilter,
  });
}

function ownValue(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/**
 * Values of the `$rename` sources present in `doc` (RenameNode: a source through a scalar is
 * PathNotViable; a source inside an array is refused).
 */
function renameSources(doc: Document, renames: readonly RenameSpec[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const { from } of renames) {
    const parts = from.split('.');
    let cur: unknown = doc;
    let arrayName: string | undefined;
    let found = true;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      let next: unknown;
      if (isPlainObject(cur)) next = ownValue(cur, part);
      else if (Array.isArray(cur) && /^[0-9]+$/.test(part)) {
        arrayName = parts[i - 1];
        next = cur[Number(part)];
      } else {
        throw new MongoCommandError(
          ErrorCodes.PathNotViable,
          `cannot use the part (${parts[i - 1]} of ${from}) to traverse the element ({${formatElement(parts[i - 1], cur)}})`,
        );
      }
      if (next === undefined) {
        found = false;
        break;
      }
      cur = next;
    }
    if (!found) continue;
    if (arrayName !== undefined) {
      const id = doc._id === undefined ? 'no id' : formatElement('_id', doc._id);
      throw new MongoCommandError(
        ErrorCodes.BadValue,
        `The source field cannot be an array element, '${from}' in doc with ${id} has an array field called '${arrayName}'`,
      );
    }
    out.set(from, cur);
  }
  return out;
}

function matchedField(
  doc: Document,
  parsed: ParsedModifierUpdate,
  options: ApplyUpdateOptions,
): string | undefined {
  if (!parsed.positional || options.isUpsertInsert) return undefined;
  if (options.matchedArrayIndex !== undefined) return String(options.matchedArrayIndex);
  if (!options.query) return undefined;
  const index = findMatchedArrayIndex(
    doc,
    options.query,
    parsed.positionalArrayPaths,
    options.compileFilter ?? defaultCompileFilter,
  );
  return index === undefined ? undefined : String(index);
}

function applyModifiers(
  doc: Document,
  parsed: ParsedModifierUpdate,
  options: ApplyUpdateOptions,
): ApplyUpdateResult {
  const recorder = new ChangeRecorder();
  const now = (options.now ?? (() => new Date()))();
  const { doc: out, modified } = applyRoot(parsed.root, {
    doc,
    isInsert: options.isUpsertInsert === true,
    matchedField: matchedField(doc, parsed, options),
    arrayFilters: parsed.arrayFilters,
    now,
    timestamp: options.currentTimestamp ?? (() => localTimestamp(now)),
    renameSources: renameSources(doc, parsed.renames),
    recorder,
  });
  return {
    doc: out,
    modified,
    kind: 'modifier',
    updateDescription: modified ? recorder.description() : emptyDescription(),
    disambiguatedPaths: modified ? recorder.disambiguatedPaths() : {},
  };
}

function replacementResult(
  doc: Document,
  out: Document,
  kind: 'replacement' | 'pipeline',
): ApplyUpdateResult {
  const modified = !identical(doc, out);
  if (kind === 'replacement' || !modified) {
    return {
      doc: modified ? out : doc,
      modified,
      kind,
      updateDescription: emptyDescription(),
      disambiguatedPaths: {},
    };
  }
  const recorder = new ChangeRecorder();
  diffDocuments(doc, out, recorder);
  return {
    doc: out,
    modified,
    kind,
    updateDescription: recorder.description(),
    disambiguatedPaths: recorder.disambiguatedPaths(),
  };
}

/**
 * Applies a replacement document: the result is `replacement`, keeping `doc`'s `_id` (which it
 * may repeat but not change).
 */
export function applyReplacement(
  doc: Document,
  replacement: Document,
  options: { isUpsertInsert?: boolean } = {},
): ApplyUpdateResult {
  const out = replaceDocument(doc, replacement, { allowTopLevelDollar: options.isUpsertInsert === true });
  return replacementResult(doc, out, 'replacement');
}

function pipelineOutput(docs: Document[]): Document {
  if (docs.length !== 1 || !isPlainObject(docs[0])) {
    throw new MongoCommandError(
      ErrorCodes.InternalError,
      `an update pipeline must produce exactly one document, produced ${docs.length}`,
    );
  }
  return docs[0];
}

function pipelineInputs(doc: Document, pipeline: Document[], options: ApplyUpdateOptions) {
  const runner = options.runPipeline;
  if (!runner) {
    throw new MongoCommandError(ErrorCodes.InternalError, 'pipeline-style updates need a pipeline runner');
  }
  const ctx: PipelineUpdateContext = {
    variables: options.variables ?? {},
    now: (options.now ?? (() => new Date()))(),
  };
  return { runner, ctx, docs: [doc], stages: pipeline };
}

function finishPipeline(doc: Document, produced: Document[]): ApplyUpdateResult {
  const out = replaceDocument(doc, pipelineOutput(produced), { allowTopLevelDollar: true });
  return replacementResult(doc, out, 'pipeline');
}

/** Applies an already parsed update (see validateUpdate). Pipelines need a synchronous runner here. */
export function applyParsedUpdate(
  doc: Document,
  parsed: ParsedUpdate,
  options: ApplyUpdateOptions = {},
): ApplyUpdateResult {
  switch (parsed.kind) {
    case 'modifier':
      return applyModifiers(doc, parsed, options);
    case 'replacement':
      return applyReplacement(doc, parsed.replacement, options);
    case 'pipeline': {
      const { runner, ctx, docs, stages } = pipelineInputs(doc, parsed.pipeline, options);
      const produced = runner(docs, stages, ctx);
      if (produced instanceof Promise) {
        throw new MongoCommandError(
          ErrorCodes.InternalError,
          'the pipeline runner is asynchronous: use applyUpdateAsync / applyParsedUpdateAsync',
        );
      }
      return finishPipeline(doc, produced);
    }
  }
}

export async function applyParsedUpdateAsync(
  doc: Document,
  parsed: ParsedUpdate,
  options: ApplyUpdateOptions = {},
): Promise<ApplyUpdateResult> {
  if (parsed.kind !== 'pipeline') return applyParsedUpdate(doc, parsed, options);
  const { runner, ctx, docs, stages } = pipelineInputs(doc, parsed.pipeline, options);
  return finishPipeline(doc, await runner(docs, stages, ctx));
}

/** Parses `update` (operator document, replacement document or pipeline) and applies it to `doc`. */
export function applyUpdate(
  doc: Document,
  update: Document | Document[],
  options: ApplyUpdateOptions = {},
): ApplyUpdateResult {
  return applyParsedUpdate(doc, validateUpdate(update, options), options);
}

export async function applyUpdateAsync(
  doc: Document,
  update: Document | Document[],
  options: ApplyUpdateOptions = {},
): Promise<ApplyUpdateResult> {
  return applyParsedUpdateAsync(doc, validateUpdate(update, options), options);
}
