/**
 * Applies a parsed operator update (./update-tree.ts) to one document, copy-on-write: only the
 * objects and arrays along changed paths are copied, everything else is shared with the input,
 * which is never mutated. Mirrors mongod's UpdateObjectNode / UpdateArrayNode walk:
 *
 * - children apply in key order, so created fields appear in lexicographic order;
 * - a missing path is created as objects (numeric components included); an index past the end
 *   of an existing array pads it with nulls;
 * - a path through a scalar, or through an array by a field name, is "not viable": modifiers
 *   that would create fail with PathNotViable, $unset ignores it;
 * - `$` uses the matched array position, `$[]` every element, `$[id]` the elements its array
 *   filter matches (subtrees hitting the same element are merged; two leaves there conflict);
 * - no-op leaves (result binary-identical to the old value) change nothing and log nothing.
 */
import type { Timestamp } from 'bson';
import type { Document } from '../bson.js';
import { MongoCommandError, ErrorCodes } from '../errors.js';
import { bsonTag, isPlainObject } from '../values/types.js';
import { documentEntries } from '../values/compare.js';
import { formatElement } from './format.js';
import { identical } from './identical.js';
import { ChangeRecorder } from './change-log.js';
import type { Blocker, LeafContext, LeafOp, RuntimePart } from './operators/index.js';
import {
  mergeNodes,
  sortedChildren,
  type ArrayNode,
  type ObjectNode,
  type UpdateNode,
} from './update-tree.js';

/** mongod refuses to pad an array by more than this many nulls. */
const MAX_PADDING = 1_500_000;

export interface WalkState {
  readonly doc: Document;
  readonly isInsert: boolean;
  /** The array position `$` stands for, or undefined when the query matched none. */
  readonly matchedField: string | undefined;
  readonly arrayFilters: ReadonlyMap<string, (element: unknown) => boolean>;
  readonly now: Date;
  readonly timestamp: () => Timestamp;
  readonly renameSources: ReadonlyMap<string, unknown>;
  readonly recorder: ChangeRecorder;
}

interface Position {
  readonly parts: readonly RuntimePart[];
  readonly parentIsArray: boolean;
  readonly blocker: Blocker | undefined;
}

type Outcome =
  | { readonly changed: false }
  | { readonly changed: true; readonly removed: false; readonly value: unknown }
  | { readonly changed: true; readonly removed: true };

const UNCHANGED: Outcome = Object.freeze({ changed: false });
const REMOVED: Outcome = Object.freeze({ changed: true, removed: true });
function changedTo(value: unknown): Outcome {
  return { changed: true, removed: false, value };
}

function dottedOf(parts: readonly RuntimePart[]): string {
  return parts.map((p) => p.name).join('.');
}

function lastName(parts: readonly RuntimePart[]): string {
  return parts.length === 0 ? '' : parts[parts.length - 1].name;
}

function child(at: Position, name: string, isIndex: boolean, blocker?: Blocker): Position {
  return { parts: [...at.parts, { name, isIndex }], parentIsArray: isIndex, blocker: blocker ?? at.blocker };
}

/** Sets an own enumerable property, also for keys like `__proto__`. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else obj[key] = value;
}

function ownValue(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** Array indexes in update paths are unsigned base-10 integers (leading zeros allowed, as mongod parses them). */
function arrayIndexOf(key: string): number | undefined {
  return /^[0-9]+$/.test(key) ? Number(key) : undefined;
}

/** A DBRef value is a document with $ref/$id/$db fields to an update; other documents are used as they are. */
function fieldsOf(obj: Record<string, unknown>): Record<string, unknown> {
  if (bsonTag(obj) !== 'DBRef') return obj;
  const out: Record<string, unknown> = {};
  for (const [k, v] of documentEntries(obj)) setOwn(out, k, v);
  return out;
}

function shallowCopy(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) setOwn(out, k, obj[k]);
  return out;
}

export function applyRoot(root: ObjectNode, st: WalkState): { doc: Document; modified: boolean } {
  const out = applyObject(root, st.doc, { parts: [], parentIsArray: false, blocker: undefined }, st, true);
  return out.changed && !out.removed
    ? { doc: out.value as Document, modified: true }
    : { doc: st.doc, modified: false };
}

function applyNode(node: UpdateNode, value: unknown, at: Position, st: WalkState, log: boolean): Outcome {
  // A subtree created where nothing existed is described once, as a whole, at its top.
  const creating = value === undefined && at.blocker === undefined;
  const out =
    node.kind === 'leaf'
      ? applyLeaf(node.op, value, at, st, log && !creating)
      : node.kind === 'object'
        ? applyObject(node, value, at, st, log && !creating)
        : applyArray(node, value, at, st, log && !creating);
  if (out.changed && !out.removed) {
    if (at.parts.length === 1 && !st.isInsert && at.parts[0].name.startsWith('$')) {
      const name = at.parts[0].name;
      throw new MongoCommandError(
        ErrorCodes.DollarPrefixedFieldName,
        `The dollar ($) prefixed field '${name}' in '${name}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
      );
    }
    if (creating && log) st.recorder.update(at.parts, out.value);
  }
  return out;
}

function guardImmutable(op: LeafOp, at: Position, st: WalkState): void {
  // `_id` may only be set while producing an upsert's document that had none.
  if (at.parts[0]?.name !== '_id' || st.doc._id === undefined) return;
  const path = dottedOf(at.parts);
  throw new MongoCommandError(
    ErrorCodes.ImmutableField,
    op.renameSourceOf !== undefined
      ? `Unsetting the path '${path}' using $rename would modify the immutable field '_id'`
      : `Performing an update on the path '${path}' would modify the immutable field '_id'`,
  );
}

function applyLeaf(op: LeafOp, value: unknown, at: Position, st: WalkState, log: boolean): Outcome {
  const ctx: LeafContext = {
    parts: at.parts,
    path: dottedOf(at.parts),
    parentIsArray: at.parentIsArray,
    blocker: at.blocker,
    doc: st.doc,
    isInsert: st.isInsert,
    now: st.now,
    timestamp: st.timestamp,
    renameSources: st.renameSources,
  };
  if (value === undefined) {
    const r = op.applyMissing(ctx);
    const b = at.blocker;
    if (b) {
      if (r.kind === 'set') {
        throw new MongoCommandError(
          ErrorCodes.PathNotViable,
          `Cannot create field '${b.part}' in element {${formatElement(b.name, b.value)}}`,
        );
      }
      if (op.checksViability) {
        throw new MongoCommandError(
          ErrorCodes.PathNotViable,
          `Cannot use the part (${b.part}) of (${ctx.path}) to traverse the element ({${formatElement(b.name, b.value)}})`,
        );
      }
      return UNCHANGED;
    }
    if (r.kind !== 'set') return UNCHANGED;
    guardImmutable(op, at, st);
    return changedTo(r.value);
  }
  const r = op.applyExisting(value, ctx);
  if (r.kind === 'noop') return UNCHANGED;
  if (r.kind === 'remove') {
    guardImmutable(op, at, st);
    if (at.parentIsArray) {
      // $unset of an array element leaves a null in its place.
      if (value === null) return UNCHANGED;
      if (log) st.recorder.update(at.parts, null);
      return changedTo(null);
    }
    if (log) st.recorder.remove(at.parts);
    return REMOVED;
  }
  if (identical(value, r.value)) return UNCHANGED;
  guardImmutable(op, at, st);
  if (log) {
    if (r.appendedFrom !== undefined && Array.isArray(r.value)) {
      for (let i = r.appendedFrom; i < r.value.length; i++) {
        st.recorder.update([...at.parts, { name: String(i), isIndex: true }], r.value[i]);
      }
    } else st.recorder.update(at.parts, r.value);
  }
  return changedTo(r.value);
}

function childrenOf(node: ObjectNode, at: Position, st: WalkState): [string, UpdateNode][] {
  const entries = sortedChildren(node.children);
  if (!node.positional) return entries;
  const matched = st.matchedField;
  if (matched === undefined) {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      'The positional operator did not find the match needed from the query.',
    );
  }
  const positional = node.positional;
  if (!node.children.has(matched)) return [...entries, [matched, positional]];
  const path = [...at.parts.map((p) => p.name), matched];
  return entries.map(([k, c]): [string, UpdateNode] => [
    k,
    k === matched ? mergeNodes(c, positional, path) : c,
  ]);
}

function applyObject(node: ObjectNode, value: unknown, at: Position, st: WalkState, log: boolean): Outcome {
  const entries = childrenOf(node, at, st);
  if (isPlainObject(value)) {
    const fields = fieldsOf(value);
    let out: Record<string, unknown> | undefined;
    for (const [key, c] of entries) {
      const r = applyNode(c, ownValue(out ?? fields, key), child(at, key, false), st, log);
      if (!r.changed) continue;
      out ??= shallowCopy(fields);
      if (r.removed) delete out[key];
      else setOwn(out, key, r.value);
    }
    return out ? changedTo(out) : UNCHANGED;
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (const [key, c] of entries) {
      const index = arrayIndexOf(key);
      if (index === undefined) {
        applyNode(
          c,
          undefined,
          child(at, key, false, { name: lastName(at.parts), value, part: key }),
          st,
          log,
        );
        continue;
      }
      const current = out ?? value;
      const element = index < current.length ? (current[index] ?? null) : undefined;
      const r = applyNode(c, element, child(at, key, true), st, log);
      if (!r.changed) continue;
      out ??= value.slice();
      if (index > out.length && index - out.length > MAX_PADDING) {
        throw new MongoCommandError(
          ErrorCodes.CannotBackfillArray,
          `can't backfill more than ${MAX_PADDING} elements`,
        );
      }
      while (out.length < index) out.push(null);
      out[index] = r.removed ? null : r.value;
    }
    return out ? changedTo(out) : UNCHANGED;
  }
  if (value === undefined) {
    // Missing (or below a non-viable element, when at.blocker is set): children create into a new document.
    let out: Record<string, unknown> | undefined;
    for (const [key, c] of entries) {
      const r = applyNode(c, undefined, child(at, key, false), st, log);
      if (!r.changed || r.removed) continue;
      out ??= {};
      setOwn(out, key, r.value);
    }
    return out ? changedTo(out) : UNCHANGED;
  }
  // A scalar: nothing can exist below it.
  for (const [key, c] of entries) {
    applyNode(c, undefined, child(at, key, false, { name: lastName(at.parts), value, part: key }), st, log);
  }
  return UNCHANGED;
}

function applyArray(node: ArrayNode, value: unknown, at: Position, st: WalkState, log: boolean): Outcome {
  if (value === undefined) {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      `The path '${dottedOf(at.parts)}' must exist in the document in order to apply array updates.`,
    );
  }
  if (!Array.isArray(value)) {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      `Cannot apply array updates to non-array element ${formatElement(lastName(at.parts), value)}`,
    );
  }
  const entries = sortedChildren(node.children);
  const matches = new Map<number, UpdateNode[]>();
  value.forEach((raw, i) => {
    const element = raw ?? null;
    for (const [id, c] of entries) {
      if (id === '' || st.arrayFilters.get(id)?.(element)) {
        const list = matches.get(i);
        if (list) list.push(c);
        else matches.set(i, [c]);
      }
    }
  });
  // As mongod: with several matched elements the array describes the change (the element, or all of it).
  const selfLog = matches.size <= 1;
  let out: unknown[] | undefined;
  let nModified = 0;
  let lastModified = -1;
  for (const [i, nodes] of matches) {
    const at2 = child(at, String(i), true);
    const path = at2.parts.map((p) => p.name);
    const merged = nodes.reduce((a, b) => mergeNodes(a, b, path));
    const r = applyNode(merged, (out ?? value)[i] ?? null, at2, st, log && selfLog);
    if (!r.changed) continue;
    out ??= value.slice();
    out[i] = r.removed ? null : r.value;
    nModified += 1;
    lastModified = i;
  }
  if (out && log && !selfLog) {
    if (nModified > 1) st.recorder.update(at.parts, out);
    else st.recorder.update([...at.parts, { name: String(lastModified), isIndex: true }], out[lastModified]);
  }
  return out ? changedTo(out) : UNCHANGED;
}
