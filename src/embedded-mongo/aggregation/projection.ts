/**
 * Aggregation projections: $project (inclusion, exclusion, computed fields), $addFields / $set
 * (computed fields merged into the document) and $unset (exclusion).
 *
 * Semantics follow mongod: dotted and nested specs build one tree; an array met on a projected
 * path applies the sub-projection to each element (inclusion drops non-document elements unless
 * computed fields replace them; exclusion keeps them); included fields keep the input document's
 * order and computed fields follow in spec order; a computed value that is missing ($$REMOVE)
 * leaves the field out. Spec errors carry mongod's codes (31250 path collision, 31253 / 31254 mixed
 * inclusion and exclusion, 51270 empty sub-projection, 51272 empty projection).
 */
import type { Document } from '../bson.js';
import { numericKind, toDouble, toDec } from '../values/index.js';
import { fail, isPlainObject, setOwn, type CompiledExpr, type Vars } from './expressions/core.js';

type Child =
  | { kind: 'include' }
  | { kind: 'exclude' }
  | { kind: 'computed'; expr: CompiledExpr }
  | { kind: 'node'; node: ProjectionNode };

export interface ProjectionNode {
  readonly children: Map<string, Child>;
  /** Whether a computed field lives at or below this node. */
  hasComputed: boolean;
}

export type ProjectionMode = 'inclusion' | 'exclusion' | 'addFields';

export interface Projection {
  readonly mode: ProjectionMode;
  apply(doc: Document, vars: Vars): Document;
}

function newNode(): ProjectionNode {
  return { children: new Map(), hasComputed: false };
}

function validatePath(path: string): string[] {
  if (path === '') fail(40352, 'FieldPath cannot be constructed with empty string');
  if (path.startsWith('$')) {
    fail(16410, `FieldPath field names may not start with '$'. Consider using $getField or $setField.`);
  }
  const parts = path.split('.');
  for (const p of parts) {
    if (p === '') fail(15998, `FieldPath field names may not be empty strings.`);
  }
  return parts;
}

function insert(root: ProjectionNode, parts: string[], child: Child, fullPath: string): void {
  let node = root;
  const trail: ProjectionNode[] = [root];
  for (let i = 0; i < parts.length - 1; i++) {
    const existing = node.children.get(parts[i]);
    if (existing === undefined) {
      const next = newNode();
      node.children.set(parts[i], { kind: 'node', node: next });
      node = next;
    } else if (existing.kind === 'node') {
      node = existing.node;
    } else {
      fail(31250, `Invalid $project :: caused by :: Path collision at ${fullPath}`);
    }
    trail.push(node);
  }
  const last = parts[parts.length - 1];
  if (node.children.has(last)) fail(31250, `Invalid $project :: caused by :: Path collision at ${fullPath}`);
  node.children.set(last, child);
  if (child.kind === 'computed' || (child.kind === 'node' && child.node.hasComputed)) {
    for (const n of trail) n.hasComputed = true;
  }
}

function isNumericOrBool(v: unknown): boolean {
  return typeof v === 'boolean' || numericKind(v) !== undefined;
}

function truthyFlag(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (numericKind(v) === 'decimal') return !toDec(v).isZero();
  return toDouble(v) !== 0;
}

function isExpressionObject(v: Record<string, unknown>): boolean {
  const keys = Object.keys(v);
  return keys.length > 0 && keys[0].startsWith('$');
}

/**
 * Parses a $project specification. `compile` compiles computed-field expressions in the stage's
 * variable scope.
 */
export function parseProjectSpec(spec: Document, compile: (e: unknown) => CompiledExpr): Projection {
  const root = newNode();
  let mode: 'inclusion' | 'exclusion' | undefined;
  let idSpecified = false;

  const visit = (obj: Document, prefix: string): void => {
    for (const [key, value] of Object.entries(obj)) {
      if (value === undefined) continue;
      const fullPath = prefix ? `${prefix}.${key}` : key;
      const parts = validatePath(key);
      const full = prefix ? [...prefix.split('.'), ...parts] : parts;
      const isId = fullPath === '_id';
      if (isId) idSpecified = true;
      if (isNumericOrBool(value)) {
        const include = truthyFlag(value);
        if (!isId) {
          if (include && mode === 'exclusion') {
            fail(
              31253,
              `Invalid $project :: caused by :: Cannot do inclusion on field ${fullPath} in exclusion projection`,
            );
          }
          if (!include && mode === 'inclusion') {
            fail(
              31254,
              `Invalid $project :: caused by :: Cannot do exclusion on field ${fullPath} in inclusion projection`,
            );
          }
          mode = include ? 'inclusion' : 'exclusion';
        }
        insert(root, full, include ? { kind: 'include' } : { kind: 'exclude' }, fullPath);
        continue;
      }
      if (isPlainObject(value) && !isExpressionObject(value)) {
        if (Object.keys(value).length === 0) {
          fail(51270, `An empty sub-projection is not a valid value. Found empty object at path`);
        }
        visit(value, fullPath);
        continue;
      }
      // A computed field (an expression or a literal).
      if (mode === 'exclusion') {
        fail(
          31252,
          `Invalid $project :: caused by :: Cannot use expression other than $meta in exclusion projection`,
        );
      }
      mode = 'inclusion';
      insert(root, full, { kind: 'computed', expr: compile(value) }, fullPath);
    }
  };

  if (Object.keys(spec).length === 0) {
    fail(51272, 'Invalid $project :: caused by :: projection specification must have at least one field');
  }
  visit(spec, '');
  if (mode === undefined) {
    // Only _id was specified: {_id: 0} excludes it, {_id: 1} keeps just _id.
    const id = root.children.get('_id');
    mode = id?.kind === 'exclude' ? 'exclusion' : 'inclusion';
  }
  if (mode === 'inclusion' && !idSpecified) {
    // _id is included unless excluded explicitly; it goes first among included fields.
    const children = new Map<string, Child>([['_id', { kind: 'include' }], ...root.children]);
    root.children.clear();
    for (const [k, v] of children) root.children.set(k, v);
  }
  if (mode === 'exclusion') {
    return { mode, apply: (doc) => applyExclusion(root, doc) };
  }
  return { mode, apply: (doc, vars) => applyInclusion(root, doc, doc, vars) };
}

/** Parses an $addFields / $set specification: every leaf is an expression, nested objects merge. */
export function parseAddFieldsSpec(spec: Document, compile: (e: unknown) => CompiledExpr): Projection {
  const root = newNode();
  const visit = (obj: Document, prefix: string): void => {
    for (const [key, value] of Object.entries(obj)) {
      if (value === undefined) continue;
      const fullPath = prefix ? `${prefix}.${key}` : key;
      const parts = validatePath(key);
      const full = prefix ? [...prefix.split('.'), ...parts] : parts;
      if (isPlainObject(value) && !isExpressionObject(value) && Object.keys(value).length > 0) {
        visit(value, fullPath);
        continue;
      }
      insert(root, full, { kind: 'computed', expr: compile(value) }, fullPath);
    }
  };
  visit(spec, '');
  return { mode: 'addFields', apply: (doc, vars) => applyAddFields(root, doc, doc, vars) };
}

/** Parses $unset: a field path or a non-empty array of them. */
export function parseUnsetSpec(spec: unknown): Projection {
  const paths = typeof spec === 'string' ? [spec] : spec;
  if (!Array.isArray(paths)) fail(31002, '$unset specification must be a string or an array');
  if (paths.length === 0)
    fail(31119, '$unset specification must be a string or an array with at least one field');
  const root = newNode();
  for (const p of paths) {
    if (typeof p !== 'string') {
      fail(31120, '$unset specification must be a string or an array containing only string values');
    }
    insert(root, validatePath(p), { kind: 'exclude' }, p);
  }
  return { mode: 'exclusion', apply: (doc) => applyExclusion(root, doc) };
}

// ---------------------------------------------------------------------------------------------

function applyExclusion(node: ProjectionNode, doc: Document): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v === undefined) continue;
    const c = node.children.get(k);
    if (!c) setOwn(out, k, v);
    else if (c.kind === 'node') setOwn(out, k, excludeValue(c.node, v));
  }
  return out;
}

function excludeValue(node: ProjectionNode, v: unknown): unknown {
  if (isPlainObject(v)) return applyExclusion(node, v);
  if (Array.isArray(v)) return v.map((el) => excludeValue(node, el));
  return v;
}

function applyInclusion(node: ProjectionNode, doc: Document, root: Document, vars: Vars): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v === undefined) continue;
    const c = node.children.get(k);
    if (!c) continue;
    if (c.kind === 'include') setOwn(out, k, v);
    else if (c.kind === 'node') {
      const r = includeValue(c.node, v, root, vars);
      if (r !== undefined) setOwn(out, k, r);
    }
  }
  if (node.hasComputed) {
    for (const [k, c] of node.children) {
      if (c.kind === 'computed') {
        const v = c.expr(root, vars);
        if (v !== undefined) setOwn(out, k, v);
      } else if (c.kind === 'node' && c.node.hasComputed && !Object.prototype.hasOwnProperty.call(out, k)) {
        setOwn(out, k, applyInclusion(c.node, {}, root, vars));
      }
    }
  }
  return out;
}

function includeValue(node: ProjectionNode, v: unknown, root: Document, vars: Vars): unknown {
  if (isPlainObject(v)) return applyInclusion(node, v, root, vars);
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const el of v) {
      const r = includeValue(node, el, root, vars);
      if (r !== undefined) out.push(r);
    }
    return out;
  }
  return node.hasComputed ? applyInclusion(node, {}, root, vars) : undefined;
}

function applyAddFields(node: ProjectionNode, doc: Document, root: Document, vars: Vars): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(doc)) if (v !== undefined) setOwn(out, k, v);
  for (const [k, c] of node.children) {
    if (c.kind === 'computed') {
      const v = c.expr(root, vars);
      if (v === undefined) delete out[k];
      else setOwn(out, k, v);
    } else if (c.kind === 'node') {
      const existing = Object.prototype.hasOwnProperty.call(doc, k) ? doc[k] : undefined;
      setOwn(out, k, addFieldsValue(c.node, existing, root, vars));
    }
  }
  return out;
}

function addFieldsValue(node: ProjectionNode, v: unknown, root: Document, vars: Vars): unknown {
  if (isPlainObject(v)) return applyAddFields(node, v, root, vars);
  if (Array.isArray(v)) return v.map((el) => addFieldsValue(node, el, root, vars));
  return applyAddFields(node, {}, root, vars);
}
