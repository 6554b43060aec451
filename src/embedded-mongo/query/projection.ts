/**
 * find() projections, parsed once (MongoDB's projection_parser.cpp rules and error codes) and
 * applied per document (projection_executor semantics, 4.4+).
 *
 * Contract:
 * - Inclusion projections keep the included fields in the document's order, then append computed
 *   fields in the projection's order; `_id` is included unless excluded. Exclusion projections
 *   keep everything else in place. Mixing is an error (31253 / 31254) except for `_id`.
 * - Sub-paths reach into sub-documents and into arrays of sub-documents, element by element
 *   (nested arrays too); an inclusion drops the scalars of such arrays.
 * - Find-only operators: `$slice` (n or [skip, limit]), `$elemMatch` (top-level fields; the
 *   result is appended after the other fields), positional `path.$` (needs `options.filter`;
 *   keeps the array element the filter matched, 51246 / 51247 when there is none).
 * - `{$meta: 'textScore'}` reads `options.textScore`; `{$meta: 'randVal'}` is a random number.
 * - Any other value that is not 0/1/true/false is an aggregation expression or a literal, computed
 *   against the whole input document by the aggregation evaluator (see expression-evaluator.ts);
 *   constants are computed here.
 * The input document is never modified; unchanged sub-values are shared with it.
 */
import type { Document } from '../bson.js';
import { MongoCommandError, mongoError } from '../errors.js';
import { bsonTypeOf, isNumericType, isPlainObject } from '../values/index.js';
import {
  isKnownExpressionOperator,
  lateBoundEvaluator,
  type ExpressionEvaluator,
} from './expression-evaluator.js';
import { compileFilter, filterPaths, type FilterOptions, type MatchDetails } from './matcher.js';
import { exactNumber, trueValue } from './predicates.js';

export interface ProjectionOptions {
  /** The query filter, for positional (`path.$`) projections. */
  filter?: Document;
  /** Options the filter is compiled with (default: this projection's variables and evaluator). */
  filterOptions?: FilterOptions;
  /** Aggregation expression evaluator for computed fields; defaults to aggregation/expressions.ts. */
  evaluateExpr?: ExpressionEvaluator;
  /** `let` variables for computed fields. */
  variables?: Document;
  /** The text score of a document, when the query has `$text`. */
  textScore?: (doc: Document) => number | undefined;
}

export type Projector = (doc: Document) => Document;

type Evaluate = (root: Document) => unknown;

interface PathNode {
  readonly kind: 'path';
  readonly children: Map<string, ProjectionNode>;
}
interface IncludeNode {
  readonly kind: 'include';
}
interface ExcludeNode {
  readonly kind: 'exclude';
}
interface ComputedNode {
  readonly kind: 'computed';
  readonly evaluate: Evaluate;
}
type ProjectionNode = PathNode | IncludeNode | ExcludeNode | ComputedNode;

/** A post-processing step over (input document, projected document), as MongoDB's find $slice / positional. */
type PostStep = (pre: Document, post: Document) => Document;

type ProjectionType = 'inclusion' | 'exclusion';

interface ParseContext {
  readonly options: ProjectionOptions;
  readonly evaluate: ExpressionEvaluator;
  type?: ProjectionType;
  idIncludedEntirely: boolean;
  idExcludedEntirely: boolean;
  hasPositional: boolean;
  hasElemMatch: boolean;
  hasFindSlice: boolean;
  hasMeta: boolean;
  readonly post: PostStep[];
}

const INCLUDE: IncludeNode = { kind: 'include' };
const EXCLUDE: ExcludeNode = { kind: 'exclude' };

const VALID_META = new Set([
  'textScore',
  'randVal',
  'searchScore',
  'searchHighlights',
  'searchScoreDetails',
  'geoNearDistance',
  'geoNearPoint',
  'recordId',
  'indexKey',
  'sortKey',
  'vectorSearchScore',
  'score',
  'scoreDetails',
]);

function fail(code: number, msg: string): MongoCommandError {
  return new MongoCommandError(code, msg);
}

function newPathNode(): PathNode {
  return { kind: 'path', children: new Map() };
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** FieldPath validation (MongoDB's FieldPath constructor). */
function fieldPath(path: string): string[] {
  if (path === '') throw fail(40352, 'FieldPath cannot be constructed with empty string');
  const parts = path.split('.');
  for (const p of parts) {
    if (p === '') throw fail(15998, 'FieldPath field names may not be empty strings.');
    if (p.startsWith('$')) {
      throw fail(
        16410,
        "FieldPath field names may not start with '$'. Consider using $getField or $setField.",
      );
    }
    if (p.includes('\0')) throw fail(16411, "FieldPath field names may not contain '\\0'.");
  }
  return parts;
}

function addNodeAtPath(
  root: PathNode,
  parts: readonly string[],
  node: ProjectionNode,
  fullPath: string,
): void {
  let parent = root;
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i];
    const child = parent.children.get(name);
    if (i === parts.length - 1) {
      if (child) throw fail(31250, `Path collision at ${fullPath}`);
      parent.children.set(name, node);
      return;
    }
    if (!child) {
      const created = newPathNode();
      parent.children.set(name, created);
      parent = created;
    } else if (child.kind === 'path') {
      parent = child;
    } else {
      throw fail(31249, `Path collision at ${fullPath} remaining portion ${parts.slice(i + 1).join('.')}`);
    }
  }
}

/** Where the first positional operator is in a projection key ('.$.' inside, '.$' at the end, or '$'). */
function firstPositional(name: string): [number, number] | undefined {
  const inside = name.indexOf('.$.');
  if (inside >= 0) return [inside, inside + 3];
  if (name.endsWith('.$')) return [name.length - 2, name.length];
  if (name === '$') return [0, 1];
  return undefined;
}

function isInclusionOrExclusionValue(v: unknown): boolean {
  return typeof v === 'boolean' || isNumericType(bsonTypeOf(v));
}

/** Whether an operand is a constant (no field paths, variables or expression objects in it). */
function isConstant(v: unknown): boolean {
  if (typeof v === 'string') return !v.startsWith('$');
  if (Array.isArray(v)) return v.every(isConstant);
  return !isPlainObject(v);
}

function operand(ctx: ParseContext, v: unknown): Evaluate {
  if (isConstant(v)) return () => v;
  const evaluate = ctx.evaluate;
  const vars = ctx.options.variables;
  return (root) => evaluate(v, root, vars);
}

// ---------------------------------------------------------------------------------------------
// Find-only operators

function toInt32(v: unknown): number {
  const n = exactNumber(v) ?? Number(String(v));
  if (Number.isNaN(n)) return 0;
  if (n >= 2147483647) return 2147483647;
  if (n <= -2147483648) return -2147483648;
  return Math.trunc(n);
}

function sliceArray(arr: readonly unknown[], skip: number | undefined, limit: number): unknown[] {
  const len = arr.length;
  let start = 0;
  let count: number;
  if (skip === undefined) {
    if (limit < 0) {
      start = Math.max(0, len + limit);
      count = len - start;
    } else {
      count = Math.min(len, limit);
    }
  } else {
    start = skip < 0 ? Math.max(0, len + skip) : Math.min(len, skip);
    count = Math.min(len - start, limit);
  }
  return arr.slice(start, start + count);
}

function applySliceAt(
  input: Record<string, unknown>,
  parts: readonly string[],
  i: number,
  skip: number | undefined,
  limit: number,
): Record<string, unknown> {
  const key = parts[i];
  if (!Object.prototype.hasOwnProperty.call(input, key)) return input;
  const v = input[key];
  let next: unknown;
  if (Array.isArray(v)) {
    next =
      i + 1 === parts.length
        ? sliceArray(v, skip, limit)
        : v.map((el) => (isPlainObject(el) ? applySliceAt(el, parts, i + 1, skip, limit) : el));
  } else if (isPlainObject(v) && i + 1 < parts.length) {
    next = applySliceAt(v, parts, i + 1, skip, limit);
  } else {
    return input;
  }
  return { ...input, [key]: next };
}

/** Parses find's `$slice`; returns false when the argument is not of the find() form. */
function tryFindSlice(ctx: ParseContext, fullParts: readonly string[], arg: unknown): boolean {
  let skip: number | undefined;
  let limit: number;
  if (isNumericType(bsonTypeOf(arg))) {
    limit = toInt32(arg);
  } else if (Array.isArray(arg) && arg.length === 2) {
    if (!isNumericType(bsonTypeOf(arg[0])) || !isNumericType(bsonTypeOf(arg[1]))) return false;
    skip = toInt32(arg[0]);
    limit = toInt32(arg[1]);
    if (limit <= 0) return false;
  } else {
    return false;
  }
  ctx.post.push((_pre, post) => applySliceAt(post, fullParts, 0, skip, limit));
  ctx.hasFindSlice = true;
  return true;
}

function filterOptionsOf(options: ProjectionOptions): FilterOptions {
  return options.filterOptions ?? { variables: options.variables, evaluateExpr: options.evaluateExpr };
}

function positionalStep(
  filter: Document,
  filterOptions: FilterOptions | undefined,
  parts: readonly string[],
): PostStep {
  const matcher = compileFilter(filter, filterOptions);
  return (pre, post) => {
    const details: MatchDetails = {};
    matcher(pre, details);
    let cur: Record<string, unknown> = post;
    for (let i = 0; i < parts.length; i++) {
      const v = Object.prototype.hasOwnProperty.call(cur, parts[i]) ? cur[parts[i]] : undefined;
      if (Array.isArray(v)) {
        if (details.elemMatchKey === undefined) {
          throw fail(51246, "positional operator '.$' couldn't find a matching element in the array");
        }
        const idx = Number(details.elemMatchKey);
        if (idx >= v.length) throw fail(51247, "positional operator '.$' element mismatch");
        // The containers along the path were created by the projection, so they may be updated.
        cur[parts[i]] = [v[idx]];
        return post;
      }
      if (!isPlainObject(v)) return post;
      cur = v;
    }
    return post;
  };
}

function metaEvaluator(ctx: ParseContext, arg: unknown): Evaluate {
  if (typeof arg !== 'string' || !VALID_META.has(arg)) {
    throw fail(17308, `Unsupported argument to $meta: ${describe(arg)}`);
  }
  if (arg === 'randVal') return () => Math.random();
  if (arg !== 'textScore')
    throw mongoError('BadValue', `$meta '${arg}' is not supported by the embedded server`);
  const score = ctx.options.textScore;
  if (!score) throw fail(40218, 'query requires text score metadata, but it is not available');
  return (root) => score(root);
}

// ---------------------------------------------------------------------------------------------
// Parsing (projection_parser.cpp)

function requireInclusionForExpression(ctx: ParseContext, isMeta: boolean): void {
  if (ctx.type === 'exclusion' && !isMeta) {
    throw fail(31252, 'Cannot use expression other than $meta in exclusion projection');
  }
  if (!isMeta) ctx.type = 'inclusion';
}

/** `{field: {$op: ...}}` with a single `$` key: a find operator or an expression. */
function parseSubObjectAsExpression(
  ctx: ParseContext,
  name: string,
  parentParts: readonly string[],
  op: string,
  arg: unknown,
  parent: PathNode,
  isRootParent: boolean,
): void {
  const parts = fieldPath(name);
  const fullParts = [...parentParts, ...parts];
  const full = fullParts.join('.');
  if (op === '$slice') {
    if (tryFindSlice(ctx, fullParts, arg)) {
      // In an inclusion projection the sliced field is included; resolved once the type is known.
      addNodeAtPath(parent, parts, SLICED, full);
      return;
    }
    if (!Array.isArray(arg) || arg.length < 2 || arg.length > 3) {
      const n = Array.isArray(arg) ? arg.length : 1;
      throw fail(
        28667,
        `Invalid $slice syntax. The given syntax did not match the find() syntax because :: $slice only supports numbers and [skip, limit] arrays :: The given syntax did not match the expression $slice syntax. :: caused by :: Expression $slice takes at least 2 arguments, and at most 3, but ${n} were passed in.`,
      );
    }
  }
  if (op === '$elemMatch') {
    if (!isPlainObject(arg)) {
      throw fail(31274, `elemMatch: Invalid argument, object required, but got ${bsonTypeOf(arg)}`);
    }
    if (ctx.hasPositional) throw fail(31255, 'Cannot specify positional operator and $elemMatch.');
    if (parts.length !== 1 || !isRootParent)
      throw fail(31275, 'Cannot use $elemMatch projection on a nested field.');
    const field = parts[0];
    const matcher = compileFilter({ [field]: { $elemMatch: arg } }, filterOptionsOf(ctx.options));
    addNodeAtPath(
      parent,
      parts,
      {
        kind: 'computed',
        evaluate: (root) => {
          const details: MatchDetails = {};
          if (!matcher(root, details)) return undefined;
          const v = root[field];
          if (!Array.isArray(v) || details.elemMatchKey === undefined) return undefined;
          const el = v[Number(details.elemMatchKey)];
          return el === undefined ? undefined : [el];
        },
      },
      full,
    );
    ctx.hasElemMatch = true;
    return;
  }
  const isMeta = op === '$meta';
  if (!isMeta && op !== '$slice' && isKnownExpressionOperator(op) === false) {
    throw fail(31325, `Unknown expression ${op}`);
  }
  requireInclusionForExpression(ctx, isMeta);
  const evaluate = isMeta ? metaEvaluator(ctx, arg) : operand(ctx, { [op]: arg });
  addNodeAtPath(parent, parts, { kind: 'computed', evaluate }, full);
  if (isMeta) ctx.hasMeta = true;
}

/** Placeholder for a find `$slice` field: included in inclusion projections, kept in exclusion ones. */
const SLICED: ComputedNode = { kind: 'computed', evaluate: () => undefined };

function parseSubObject(
  ctx: ParseContext,
  name: string,
  parentParts: readonly string[],
  obj: Record<string, unknown>,
  parent: PathNode,
  isRootParent: boolean,
): void {
  const keys = Object.keys(obj);
  if (keys.length === 0) {
    throw fail(
      51270,
      `An empty sub-projection is not a valid value. Found empty object at path ${[...parentParts, name].join('.')}`,
    );
  }
  if (keys.length === 1 && keys[0].startsWith('$')) {
    parseSubObjectAsExpression(ctx, name, parentParts, keys[0], obj[keys[0]], parent, isRootParent);
    return;
  }
  const parts = fieldPath(name);
  let node: PathNode = parent;
  for (const p of parts) {
    const existing = node.children.get(p);
    if (existing && existing.kind !== 'path')
      throw fail(31250, `Path collision at ${[...parentParts, ...parts].join('.')}`);
    let next = existing;
    if (!next) {
      next = newPathNode();
      node.children.set(p, next);
    }
    node = next;
  }
  const fullParts = [...parentParts, ...parts];
  for (const [k, v] of Object.entries(obj)) parseElement(ctx, k, v, fullParts, node, false);
}

function parseInclusion(
  ctx: ParseContext,
  name: string,
  parentParts: readonly string[],
  parent: PathNode,
  isRootParent: boolean,
  positional: [number, number] | undefined,
): void {
  const isTopLevelId = name === '_id' && isRootParent;
  if (!positional) {
    addNodeAtPath(parent, fieldPath(name), INCLUDE, [...parentParts, name].join('.'));
    if (isTopLevelId) ctx.idIncludedEntirely = true;
  } else {
    if (ctx.hasPositional) throw fail(31276, 'Cannot specify more than one positional projection per query.');
    if (ctx.hasElemMatch) throw fail(31256, 'Cannot specify positional operator and $elemMatch.');
    const matchField = parentParts.length > 0 ? parentParts[0] : name.split('.')[0];
    const filter = ctx.options.filter ?? {};
    if (!filterPaths(filter).some((p) => p.split('.')[0] === matchField)) {
      throw fail(31277, `Positional projection '${name}' does not match the query document.`);
    }
    if (name.endsWith('.$.')) throw fail(31270, "Path cannot end with '.$.'");
    const rest = name.slice(positional[1]);
    if (firstPositional(rest) !== undefined || rest === '$') {
      throw fail(31287, `Cannot use positional operator twice: ${name}`);
    }
    const parts = fieldPath(name.slice(0, positional[0]));
    const fullParts = [...parentParts, ...parts];
    addNodeAtPath(parent, parts, INCLUDE, fullParts.join('.'));
    ctx.post.push(positionalStep(filter, filterOptionsOf(ctx.options), fullParts));
    ctx.hasPositional = true;
  }
  if (!isTopLevelId) {
    if (ctx.type === 'exclusion')
      throw fail(31253, `Cannot do inclusion on field ${name} in exclusion projection`);
    ctx.type = 'inclusion';
  }
}

function parseExclusion(
  ctx: ParseContext,
  name: string,
  parentParts: readonly string[],
  parent: PathNode,
  isRootParent: boolean,
): void {
  addNodeAtPath(parent, fieldPath(name), EXCLUDE, [...parentParts, name].join('.'));
  if (name === '_id' && isRootParent) {
    ctx.idExcludedEntirely = true;
    return;
  }
  if (ctx.type === 'inclusion')
    throw fail(31254, `Cannot do exclusion on field ${name} in inclusion projection`);
  ctx.type = 'exclusion';
}

function parseElement(
  ctx: ParseContext,
  name: string,
  value: unknown,
  parentParts: readonly string[],
  parent: PathNode,
  isRootParent: boolean,
): void {
  const positional = firstPositional(name);
  if (isPlainObject(value)) {
    if (positional)
      throw fail(31271, 'positional projection cannot be used with an expression or sub object');
    parseSubObject(ctx, name, parentParts, value, parent, isRootParent);
  } else if (isInclusionOrExclusionValue(value)) {
    if (trueValue(value)) parseInclusion(ctx, name, parentParts, parent, isRootParent, positional);
    else parseExclusion(ctx, name, parentParts, parent, isRootParent);
  } else {
    if (positional) throw fail(31308, 'positional projection cannot be used with a literal');
    const parts = fieldPath(name);
    addNodeAtPath(
      parent,
      parts,
      { kind: 'computed', evaluate: operand(ctx, value === undefined ? null : value) },
      [...parentParts, ...parts].join('.'),
    );
    if (ctx.type === 'exclusion') {
      throw fail(31310, `Cannot use an expression ${name}: ${describe(value)} in an exclusion projection`);
    }
    ctx.type = 'inclusion';
  }
}

function computeProjectionType(ctx: ParseContext): ProjectionType {
  if (ctx.hasFindSlice) return ctx.idIncludedEntirely ? 'inclusion' : 'exclusion';
  if (ctx.hasElemMatch) return 'inclusion';
  if (ctx.hasMeta) return ctx.idIncludedEntirely && !ctx.idExcludedEntirely ? 'inclusion' : 'exclusion';
  if (ctx.idIncludedEntirely) return 'inclusion';
  return 'exclusion';
}

/** Replaces the find-$slice placeholders: an inclusion in inclusion projections, nothing otherwise. */
function resolveSliced(node: PathNode, type: ProjectionType): void {
  for (const [k, child] of node.children) {
    if (child === SLICED) {
      if (type === 'inclusion') node.children.set(k, INCLUDE);
      else node.children.delete(k);
    } else if (child.kind === 'path') {
      resolveSliced(child, type);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Execution (projection_node.cpp)

interface CompiledNode {
  readonly node: PathNode;
  /** The subtree has computed fields (so the expression pass must visit it). */
  readonly computed: boolean;
  /** Include/path children to find in an input document (inclusion only; lets the scan stop early). */
  readonly wanted: number;
  readonly children: Map<string, CompiledNode>;
}

function compileNode(node: PathNode): CompiledNode {
  const children = new Map<string, CompiledNode>();
  let computed = false;
  let wanted = 0;
  for (const [k, child] of node.children) {
    if (child.kind === 'path') {
      const c = compileNode(child);
      children.set(k, c);
      if (c.computed) computed = true;
      wanted++;
    } else if (child.kind === 'computed') {
      computed = true;
    } else if (child.kind === 'include') {
      wanted++;
    }
  }
  return { node, computed, wanted, children };
}

function isDocument(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v);
}

function includeInDocument(c: CompiledNode, input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let found = 0;
  for (const key in input) {
    if (!Object.prototype.hasOwnProperty.call(input, key)) continue;
    const child = c.node.children.get(key);
    if (child === undefined) continue;
    const v = input[key];
    if (child.kind === 'include') {
      if (v !== undefined) out[key] = v;
      found++;
    } else if (child.kind === 'path') {
      const pv = includeInValue(c.children.get(key) as CompiledNode, v);
      if (pv !== undefined) out[key] = pv;
      found++;
    }
    if (found === c.wanted) break;
  }
  return out;
}

/**
 * Holds the place of an array element the inclusion dropped when computed fields will turn it
 * into a document (MongoDB keeps a missing value there, which an expression then replaces).
 */
const DROPPED = Symbol('dropped element');

function includeInValue(c: CompiledNode, v: unknown): unknown {
  if (isDocument(v)) return includeInDocument(c, v);
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const el of v) {
      const pv = includeInValue(c, el);
      if (pv !== undefined) out.push(pv);
      else if (c.computed) out.push(DROPPED);
    }
    return out;
  }
  return undefined;
}

function excludeInDocument(c: CompiledNode, input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in input) {
    if (!Object.prototype.hasOwnProperty.call(input, key)) continue;
    const v = input[key];
    if (v === undefined) continue;
    const child = c.node.children.get(key);
    if (child === undefined) {
      out[key] = v;
    } else if (child.kind === 'path') {
      out[key] = excludeInValue(c.children.get(key) as CompiledNode, v);
    } else if (child.kind !== 'exclude') {
      out[key] = v;
    }
  }
  return out;
}

function excludeInValue(c: CompiledNode, v: unknown): unknown {
  if (isDocument(v)) return excludeInDocument(c, v);
  if (Array.isArray(v)) return v.map((el) => excludeInValue(c, el));
  return v;
}

function setField(doc: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) delete doc[key];
  else doc[key] = value;
}

/** Adds the computed fields of `c` to `out` (which this projection created, so may be updated). */
function applyComputed(c: CompiledNode, out: Record<string, unknown>, root: Document): void {
  for (const [key, child] of c.node.children) {
    if (child.kind === 'computed') {
      setField(out, key, child.evaluate(root));
    } else if (child.kind === 'path') {
      const sub = c.children.get(key) as CompiledNode;
      if (sub.computed) setField(out, key, computedInValue(sub, out[key], root));
    }
  }
}

function computedInValue(c: CompiledNode, v: unknown, root: Document): unknown {
  if (isDocument(v)) {
    const copy = { ...v };
    applyComputed(c, copy, root);
    return copy;
  }
  if (Array.isArray(v)) return v.map((el) => computedInValue(c, el, root));
  const doc: Record<string, unknown> = {};
  applyComputed(c, doc, root);
  return doc;
}

/**
 * Compiles a find() projection. Throws MongoDB's errors for an invalid projection; an empty
 * projection returns documents unchanged.
 */
export function compileProjection(projection: Document, options: ProjectionOptions = {}): Projector {
  if (!isPlainObject(projection)) throw mongoError('TypeMismatch', 'projection must be an object');
  const root = newPathNode();
  const ctx: ParseContext = {
    options,
    evaluate: lateBoundEvaluator(options.evaluateExpr, 'A computed projection field'),
    idIncludedEntirely: false,
    idExcludedEntirely: false,
    hasPositional: false,
    hasElemMatch: false,
    hasFindSlice: false,
    hasMeta: false,
    post: [],
  };
  let idSpecified = false;
  const entries = Object.entries(projection).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return (doc) => doc;
  for (const [name, value] of entries) {
    if (name === '_id' || name.startsWith('_id.')) idSpecified = true;
    parseElement(ctx, name, value, [], root, true);
  }
  const type = ctx.type ?? computeProjectionType(ctx);
  resolveSliced(root, type);
  if (!idSpecified && type === 'inclusion') addNodeAtPath(root, ['_id'], INCLUDE, '_id');
  if (type === 'exclusion' && idSpecified && ctx.idIncludedEntirely) root.children.delete('_id');

  const compiled = compileNode(root);
  const post = ctx.post;
  const inclusion = type === 'inclusion';
  return (doc) => {
    let out = inclusion ? includeInDocument(compiled, doc) : excludeInDocument(compiled, doc);
    if (compiled.computed) applyComputed(compiled, out, doc);
    for (const step of post) out = step(doc, out);
    return out;
  };
}
