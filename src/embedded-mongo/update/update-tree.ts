/**
 * The parsed form of an operator update: a tree keyed by path component, like mongod's
 * UpdateObjectNode / UpdateArrayNode. Building it detects conflicting paths
 * ("Updating the path 'a.b' would create a conflict at 'a'"); walking it in key order gives
 * MongoDB's field order for created fields (lexicographic by field name).
 *
 * - object node: children by field name (or array index), plus the positional `$` child;
 * - array node: children by array filter identifier ('' for `$[]`), applied to each matching element;
 * - leaf: one modifier.
 */
import { MongoCommandError } from '../errors.js';
import { CONFLICTING_UPDATE_OPERATORS } from './codes.js';
import { compareStrings } from '../values/compare.js';
import type { LeafOp } from './operators/index.js';

export interface LeafNode {
  readonly kind: 'leaf';
  readonly op: LeafOp;
}

export interface ObjectNode {
  readonly kind: 'object';
  readonly children: Map<string, UpdateNode>;
  positional: UpdateNode | undefined;
}

export interface ArrayNode {
  readonly kind: 'array';
  /** Keyed by array filter identifier; '' stands for `$[]`. */
  readonly children: Map<string, UpdateNode>;
}

export type UpdateNode = LeafNode | ObjectNode | ArrayNode;

export function objectNode(): ObjectNode {
  return { kind: 'object', children: new Map(), positional: undefined };
}

function arrayNode(): ArrayNode {
  return { kind: 'array', children: new Map() };
}

export function isPositionalPart(part: string): boolean {
  return part === '$';
}

export function isArrayFilterPart(part: string): boolean {
  return part.length >= 3 && part.startsWith('$[') && part.endsWith(']');
}

export function arrayFilterIdentifier(part: string): string {
  return part.slice(2, -1);
}

function childKey(part: string): string {
  return isArrayFilterPart(part) ? arrayFilterIdentifier(part) : part;
}

function getChild(node: ObjectNode | ArrayNode, part: string): UpdateNode | undefined {
  if (node.kind === 'object' && isPositionalPart(part)) return node.positional;
  return node.children.get(childKey(part));
}

function setChild(node: ObjectNode | ArrayNode, part: string, child: UpdateNode): void {
  if (node.kind === 'object' && isPositionalPart(part)) node.positional = child;
  else node.children.set(childKey(part), child);
}

function conflict(path: string, at: string): MongoCommandError {
  return new MongoCommandError(
    CONFLICTING_UPDATE_OPERATORS,
    `Updating the path '${path}' would create a conflict at '${at}'`,
  );
}

/** Adds a leaf at `parts` (already validated), creating internal nodes on the way. */
export function insertLeaf(root: ObjectNode, parts: readonly string[], op: LeafOp): void {
  const dotted = parts.join('.');
  let current: ObjectNode | ArrayNode = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const shouldBeArray = isArrayFilterPart(parts[i + 1]);
    let child = getChild(current, parts[i]);
    if (child) {
      if (child.kind !== (shouldBeArray ? 'array' : 'object'))
        throw conflict(dotted, parts.slice(0, i + 1).join('.'));
    } else {
      child = shouldBeArray ? arrayNode() : objectNode();
      setChild(current, parts[i], child);
    }
    current = child as ObjectNode | ArrayNode;
  }
  const last = parts[parts.length - 1];
  if (getChild(current, last)) throw conflict(dotted, dotted);
  setChild(current, last, { kind: 'leaf', op });
}

function mergeConflict(path: readonly string[]): MongoCommandError {
  return new MongoCommandError(
    CONFLICTING_UPDATE_OPERATORS,
    `Update created a conflict at '${path.join('.')}'`,
  );
}

function mergeMaps(
  a: ReadonlyMap<string, UpdateNode>,
  b: ReadonlyMap<string, UpdateNode>,
  path: readonly string[],
  keyToPart: (k: string) => string,
): Map<string, UpdateNode> {
  const out = new Map(a);
  for (const [k, child] of b) {
    const existing = out.get(k);
    out.set(k, existing ? mergeNodes(existing, child, [...path, keyToPart(k)]) : child);
  }
  return out;
}

/**
 * Combines two subtrees that apply to the same element (a positional child and a literal one,
 * or several array filters matching one element). Two leaves on one path are a conflict.
 */
export function mergeNodes(a: UpdateNode, b: UpdateNode, path: readonly string[]): UpdateNode {
  if (a.kind === 'object' && b.kind === 'object') {
    let positional = a.positional ?? b.positional;
    if (a.positional && b.positional) positional = mergeNodes(a.positional, b.positional, [...path, '$']);
    return { kind: 'object', children: mergeMaps(a.children, b.children, path, (k) => k), positional };
  }
  if (a.kind === 'array' && b.kind === 'array') {
    return { kind: 'array', children: mergeMaps(a.children, b.children, path, (k) => `$[${k}]`) };
  }
  throw mergeConflict(path);
}

const sortedCache = new WeakMap<ReadonlyMap<string, UpdateNode>, [string, UpdateNode][]>();

/** Children in MongoDB's application order: byte-wise lexicographic by key. */
export function sortedChildren(children: ReadonlyMap<string, UpdateNode>): [string, UpdateNode][] {
  let sorted = sortedCache.get(children);
  if (!sorted) {
    sorted = [...children].sort(([x], [y]) => compareStrings(x, y));
    sortedCache.set(children, sorted);
  }
  return sorted;
}
