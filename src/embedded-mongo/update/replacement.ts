/**
 * Whole-document results: replacement documents and the output of pipeline-style updates
 * (mongod's ObjectReplaceExecutor). The new document keeps the old `_id` when it has none, may
 * not change it, and (for replacement documents outside an upsert insert) may not have
 * `$`-prefixed top-level fields. A pipeline's change is described as mongod's document diff
 * does it (nested changes by path, array elements by index, shrunk arrays as truncations).
 */
import type { Document } from '../bson.js';
import { MongoCommandError, ErrorCodes } from '../errors.js';
import { isPlainObject } from '../values/types.js';
import { compareValues } from '../values/compare.js';
import { formatElement } from './format.js';
import { identical } from './identical.js';
import { setOwn } from './apply-tree.js';
import { validateIdValue } from './upsert.js';
import { ChangeRecorder } from './change-log.js';
import type { RuntimePart } from './operators/index.js';

export interface ReplaceOptions {
  /** Top-level `$`-prefixed fields are allowed (pipeline output, upsert inserts). */
  allowTopLevelDollar: boolean;
}

export function replaceDocument(
  original: Document,
  replacement: Document,
  options: ReplaceOptions,
): Document {
  if (!options.allowTopLevelDollar) {
    for (const key of Object.keys(replacement)) {
      if (key.startsWith('$')) {
        throw new MongoCommandError(
          ErrorCodes.DollarPrefixedFieldName,
          `The dollar ($) prefixed field '${key}' in '${key}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
        );
      }
    }
  }
  let result: Document = replacement;
  if (replacement._id === undefined && original._id !== undefined) {
    result = { _id: original._id };
    for (const [k, v] of Object.entries(replacement)) if (k !== '_id') setOwn(result, k, v);
  }
  if (result._id !== undefined) validateIdValue(result._id);
  if (original._id !== undefined && compareValues(original._id, result._id) !== 0) {
    throw new MongoCommandError(
      ErrorCodes.ImmutableField,
      `After applying the update, the (immutable) field '_id' was found to have been altered to ${formatElement('_id', result._id)}`,
    );
  }
  return result;
}

function diffObject(
  pre: Record<string, unknown>,
  post: Record<string, unknown>,
  parts: RuntimePart[],
  rec: ChangeRecorder,
): void {
  const preKeys = Object.keys(pre).filter((k) => pre[k] !== undefined);
  const postKeys = Object.keys(post).filter((k) => post[k] !== undefined);
  const at = (k: string): RuntimePart[] => [...parts, { name: k, isIndex: false }];
  const deletes = new Set<string>();
  let i = 0;
  let j = 0;
  while (i < preKeys.length && j < postKeys.length) {
    const k = preKeys[i];
    if (k === postKeys[j]) {
      diffValue(pre[k], post[k], at(k), rec);
      j++;
    } else {
      // Not in place: removed, unless it reappears later (then it is reported as updated).
      deletes.add(k);
    }
    i++;
  }
  for (; i < preKeys.length; i++) rec.remove(at(preKeys[i]));
  for (; j < postKeys.length; j++) {
    const k = postKeys[j];
    deletes.delete(k);
    rec.update(at(k), post[k]);
  }
  for (const k of deletes) rec.remove(at(k));
}

function diffArray(
  pre: readonly unknown[],
  post: readonly unknown[],
  parts: RuntimePart[],
  rec: ChangeRecorder,
): void {
  const n = Math.min(pre.length, post.length);
  const at = (i: number): RuntimePart[] => [...parts, { name: String(i), isIndex: true }];
  for (let i = 0; i < n; i++) diffValue(pre[i] ?? null, post[i] ?? null, at(i), rec);
  for (let i = n; i < post.length; i++) rec.update(at(i), post[i] ?? null);
  if (pre.length > post.length) rec.truncate(parts, post.length);
}

function diffValue(a: unknown, b: unknown, parts: RuntimePart[], rec: ChangeRecorder): void {
  if (identical(a, b)) return;
  if (isPlainObject(a) && isPlainObject(b)) diffObject(a, b, parts, rec);
  else if (Array.isArray(a) && Array.isArray(b)) diffArray(a, b, parts, rec);
  else rec.update(parts, b);
}

/** Describes `before` -> `after` as a change stream update event would. */
export function diffDocuments(before: Document, after: Document, rec: ChangeRecorder): void {
  diffObject(before, after, [], rec);
}
