/**
 * Parsing of update statements, done once per statement: classification (operator update,
 * replacement document, pipeline), validation with mongod's codes and messages, array filters,
 * and the operator tree (./update-tree.ts).
 */
import type { Document } from '../bson.js';
import { MongoCommandError, ErrorCodes } from '../errors.js';
import { isPlainObject } from '../values/types.js';
import { formatElement, formatValue, typeName } from './format.js';
import {
  LEAF_PARSERS,
  MODIFIER_NAMES,
  renameDestination,
  renameSource,
  type CompileFilter,
  type LeafOp,
  type ModifierName,
  type ParseEnv,
} from './operators/index.js';
import {
  arrayFilterIdentifier,
  insertLeaf,
  isArrayFilterPart,
  isPositionalPart,
  objectNode,
  type ObjectNode,
} from './update-tree.js';
import { PIPELINE_STAGE_ONE_FIELD, UNRECOGNIZED_PIPELINE_STAGE } from './codes.js';

export type ArrayFilterPredicate = (element: unknown) => boolean;

export interface RenameSpec {
  readonly from: string;
  readonly to: string;
}

export interface ParsedModifierUpdate {
  readonly kind: 'modifier';
  readonly update: Document;
  readonly root: ObjectNode;
  /** Whether some path uses the positional `$`. */
  readonly positional: boolean;
  /** For each positional path, the path of the array `$` indexes ('a.b' for 'a.b.$.c'). */
  readonly positionalArrayPaths: readonly string[];
  readonly renames: readonly RenameSpec[];
  readonly arrayFilters: ReadonlyMap<string, ArrayFilterPredicate>;
}

export interface ParsedReplacement {
  readonly kind: 'replacement';
  readonly replacement: Document;
}

export interface ParsedPipelineUpdate {
  readonly kind: 'pipeline';
  /** Validated stages; the same array is handed to the runner on every application (callers may cache by identity). */
  readonly pipeline: Document[];
}

export type ParsedUpdate = ParsedModifierUpdate | ParsedReplacement | ParsedPipelineUpdate;

export interface ParseUpdateOptions {
  arrayFilters?: readonly Document[];
  /** The query matcher (for arrayFilters and $pull conditions). */
  compileFilter: CompileFilter;
}

/** An update document whose first field is `$`-prefixed: a modifier update (mongod decides on the first field). */
export function isOperatorUpdate(u: unknown): u is Document {
  if (!isPlainObject(u)) return false;
  const first = Object.keys(u)[0];
  return first !== undefined && first.startsWith('$');
}

/** A replacement document: any document that is not an operator update (including `{}`). */
export function isReplacement(u: unknown): u is Document {
  return isPlainObject(u) && !isOperatorUpdate(u);
}

export function isPipelineUpdate(u: unknown): u is Document[] {
  return Array.isArray(u);
}

// ---- array filters -------------------------------------------------------------------------

const IDENTIFIER = /^[a-z][a-zA-Z0-9]*$/;

function placeholdersOf(filter: Document, out: string[]): void {
  for (const [key, value] of Object.entries(filter)) {
    if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(value)) {
      for (const branch of value) if (isPlainObject(branch)) placeholdersOf(branch, out);
    } else if (!key.startsWith('$')) {
      const name = key.split('.')[0];
      if (!out.includes(name)) out.push(name);
    }
  }
}

/**
 * Validates `arrayFilters` and compiles each into a predicate on one array element: the filter
 * `{'i.b': 5}` matches element e when the query matches `{i: e}`.
 */
export function parseArrayFilters(
  filters: readonly unknown[] | undefined,
  compileFilter: CompileFilter,
): Map<string, ArrayFilterPredicate> {
  const out = new Map<string, ArrayFilterPredicate>();
  if (filters === undefined) return out;
  if (!Array.isArray(filters)) {
    throw new MongoCommandError(
      ErrorCodes.TypeMismatch,
      `arrayFilters must be an array, not ${typeName(filters)}`,
    );
  }
  filters.forEach((filter: unknown, i) => {
    if (!isPlainObject(filter)) {
      throw new MongoCommandError(
        ErrorCodes.TypeMismatch,
        `BSON field 'arrayFilters.${i}' is the wrong type '${typeName(filter)}', expected type 'object'`,
      );
    }
    const names: string[] = [];
    placeholdersOf(filter, names);
    if (names.length === 0) {
      throw new MongoCommandError(
        ErrorCodes.FailedToParse,
        'Cannot use an expression without a top-level field name in arrayFilters',
      );
    }
    if (names.length > 1) {
      throw new MongoCommandError(
        ErrorCodes.FailedToParse,
        `Error parsing array filter :: caused by :: Expected a single top-level field name, found '${names[0]}' and '${names[1]}'`,
      );
    }
    const id = names[0];
    if (!IDENTIFIER.test(id)) {
      throw new MongoCommandError(
        ErrorCodes.BadValue,
        `Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${id}'`,
      );
    }
    if (out.has(id)) {
      throw new MongoCommandError(
        ErrorCodes.FailedToParse,
        `Found multiple array filters with the same top-level field name ${id}`,
      );
    }
    const test = compileFilter(filter);
    out.set(id, (element) => test({ [id]: element }));
  });
  return out;
}

// ---- operator updates ----------------------------------------------------------------------

/** fieldchecker::isUpdatable plus the positional rules of UpdateObjectNode::parseAndMerge. */
function validatePath(path: string): string[] {
  if (path === '')
    throw new MongoCommandError(ErrorCodes.EmptyFieldName, 'An empty update path is not valid.');
  const parts = path.split('.');
  if (parts.some((p) => p === '')) {
    throw new MongoCommandError(
      ErrorCodes.EmptyFieldName,
      `The update path '${path}' contains an empty field name, which is not allowed.`,
    );
  }
  const positions = parts.flatMap((p, i) => (isPositionalPart(p) ? [i] : []));
  if (positions.length > 1) {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      `Too many positional (i.e. '$') elements found in path '${path}'`,
    );
  }
  if (positions[0] === 0) {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      `Cannot have positional (i.e. '$') element in the first position in path '${path}'`,
    );
  }
  return parts;
}

class TreeBuilder {
  readonly root = objectNode();
  readonly usedIdentifiers = new Set<string>();
  readonly positionalArrayPaths: string[] = [];

  constructor(private readonly arrayFilters: ReadonlyMap<string, ArrayFilterPredicate>) {}

  add(parts: string[], op: LeafOp): void {
    const path = parts.join('.');
    parts.forEach((part, i) => {
      if (!isArrayFilterPart(part)) return;
      if (i === 0) {
        throw new MongoCommandError(
          ErrorCodes.BadValue,
          `Cannot have array filter identifier (i.e. '$[<id>]') element in the first position in path '${path}'`,
        );
      }
      const id = arrayFilterIdentifier(part);
      if (id === '') return;
      if (!this.arrayFilters.has(id)) {
        throw new MongoCommandError(
          ErrorCodes.BadValue,
          `No array filter found for identifier '${id}' in path '${path}'`,
        );
      }
      this.usedIdentifiers.add(id);
    });
    const p = parts.indexOf('$');
    if (p > 0) this.positionalArrayPaths.push(parts.slice(0, p).join('.'));
    insertLeaf(this.root, parts, op);
  }
}

function hasDynamicPart(parts: readonly string[]): boolean {
  return parts.some((p) => isPositionalPart(p) || isArrayFilterPart(p));
}

function isPrefixOf(a: readonly string[], b: readonly string[]): boolean {
  return a.length < b.length && a.every((p, i) => p === b[i]);
}

function addRename(builder: TreeBuilder, from: string, to: unknown, renames: RenameSpec[]): void {
  // As mongod: a placeholder at the source goes into the tree first (so conflicts on it are
  // reported first), then the destination is validated and placed.
  builder.add(validatePath(from), renameSource(from, typeof to === 'string' ? to : ''));
  if (typeof to !== 'string') {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      `The 'to' field for $rename must be a string: ${formatElement(from, to)}`,
    );
  }
  const fromParts = from.split('.');
  const toParts = validatePath(to);
  const spec = formatElement(from, to);
  if (from === to) {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      `The source and target field for $rename must differ: ${spec}`,
    );
  }
  if (isPrefixOf(fromParts, toParts) || isPrefixOf(toParts, fromParts)) {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      `The source and target field for $rename must not be on the same path: ${spec}`,
    );
  }
  if (hasDynamicPart(fromParts)) {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      `The source field for $rename may not be dynamic: ${from}`,
    );
  }
  if (hasDynamicPart(toParts)) {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      `The destination field for $rename may not be dynamic: ${to}`,
    );
  }
  builder.add(toParts, renameDestination(from, to));
  renames.push({ from, to });
}

function parseModifierUpdate(
  update: Document,
  arrayFilters: ReadonlyMap<string, ArrayFilterPredicate>,
  env: ParseEnv,
): ParsedModifierUpdate {
  const builder = new TreeBuilder(arrayFilters);
  const renames: RenameSpec[] = [];
  for (const [modifier, fields] of Object.entries(update)) {
    if (modifier === '$v') {
      throw new MongoCommandError(
        ErrorCodes.FailedToParse,
        'The $v update field is only recognized internally',
      );
    }
    if (!MODIFIER_NAMES.has(modifier)) {
      throw new MongoCommandError(
        ErrorCodes.FailedToParse,
        `Unknown modifier: ${modifier}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    if (!isPlainObject(fields)) {
      throw new MongoCommandError(
        ErrorCodes.FailedToParse,
        `Modifiers operate on fields but we found type ${typeName(fields)} instead. For example: {$mod: {<field>: ...}} not {${formatElement(modifier, fields)}}`,
      );
    }
    const name = modifier as ModifierName;
    for (const [path, arg] of Object.entries(fields)) {
      if (name === '$rename') {
        addRename(builder, path, arg, renames);
        continue;
      }
      const parts = validatePath(path);
      builder.add(parts, LEAF_PARSERS[name](path, arg, env));
    }
  }
  for (const id of arrayFilters.keys()) {
    if (!builder.usedIdentifiers.has(id)) {
      throw new MongoCommandError(
        ErrorCodes.FailedToParse,
        `The array filter for identifier '${id}' was not used in the update ${formatValue(update)}`,
      );
    }
  }
  return {
    kind: 'modifier',
    update,
    root: builder.root,
    positional: builder.positionalArrayPaths.length > 0,
    positionalArrayPaths: builder.positionalArrayPaths,
    renames,
    arrayFilters,
  };
}

// ---- pipelines -----------------------------------------------------------------------------

/** Stages an update pipeline may use (those whose output is one document per input document). */
const UPDATE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

/** Other aggregation stages: recognised, but not allowed within an update. */
const OTHER_STAGES = new Set([
  '$bucket',
  '$bucketAuto',
  '$changeStream',
  '$changeStreamSplitLargeEvent',
  '$collStats',
  '$count',
  '$currentOp',
  '$densify',
  '$documents',
  '$facet',
  '$fill',
  '$geoNear',
  '$graphLookup',
  '$group',
  '$indexStats',
  '$limit',
  '$listLocalSessions',
  '$listSampledQueries',
  '$listSearchIndexes',
  '$listSessions',
  '$lookup',
  '$match',
  '$merge',
  '$out',
  '$planCacheStats',
  '$redact',
  '$sample',
  '$search',
  '$searchMeta',
  '$setWindowFields',
  '$skip',
  '$sort',
  '$sortByCount',
  '$unionWith',
  '$unwind',
  '$vectorSearch',
]);

export function validatePipelineUpdate(pipeline: readonly unknown[]): Document[] {
  return pipeline.map((stage) => {
    if (!isPlainObject(stage)) {
      throw new MongoCommandError(
        ErrorCodes.TypeMismatch,
        "Each element of the 'pipeline' array must be an object",
      );
    }
    const names = Object.keys(stage);
    if (names.length !== 1) {
      throw new MongoCommandError(
        PIPELINE_STAGE_ONE_FIELD,
        'A pipeline stage specification object must contain exactly one field.',
      );
    }
    const name = names[0];
    if (UPDATE_STAGES.has(name)) return stage;
    if (OTHER_STAGES.has(name)) {
      throw new MongoCommandError(
        ErrorCodes.InvalidOptions,
        `${name} is not allowed to be used within an update`,
      );
    }
    throw new MongoCommandError(UNRECOGNIZED_PIPELINE_STAGE, `Unrecognized pipeline stage name: '${name}'`);
  });
}

// ---- entry ---------------------------------------------------------------------------------

/**
 * Parses and validates one update statement's `u` (with its `arrayFilters`). Throws the error
 * mongod reports for an invalid update; the result can be applied to any number of documents.
 */
export function parseUpdate(update: unknown, options: ParseUpdateOptions): ParsedUpdate {
  if (Array.isArray(update)) {
    if (options.arrayFilters !== undefined && options.arrayFilters.length > 0) {
      throw new MongoCommandError(
        ErrorCodes.FailedToParse,
        'arrayFilters may not be specified for pipeline-style updates',
      );
    }
    return { kind: 'pipeline', pipeline: validatePipelineUpdate(update) };
  }
  if (!isPlainObject(update)) {
    throw new MongoCommandError(
      ErrorCodes.FailedToParse,
      'Update argument must be either an object or an array',
    );
  }
  const arrayFilters = parseArrayFilters(options.arrayFilters, options.compileFilter);
  if (!isOperatorUpdate(update)) return { kind: 'replacement', replacement: update };
  return parseModifierUpdate(update, arrayFilters, { compileFilter: options.compileFilter });
}
