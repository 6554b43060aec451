/**
 * Dotted paths as stages read and write them ($unwind, $lookup `as`, $graphLookup): plain
 * document navigation that never descends into arrays (mongod's Document::getNestedField /
 * setNestedField). Writes copy the documents along the path and leave the input untouched.
 */
import type { Document } from '../../bson.js';
import { fail, getField, isPlainObject, setOwn } from '../expressions/core.js';

/** Splits and validates a field path given without '$' (16410 / 15998 / 40352). */
export function fieldPathParts(path: string): string[] {
  if (path === '') fail(40352, 'FieldPath cannot be constructed with empty string');
  const parts = path.split('.');
  for (const p of parts) {
    if (p === '') fail(15998, 'FieldPath field names may not be empty strings.');
    if (p.startsWith('$'))
      fail(16410, "FieldPath field names may not start with '$'. Consider using $getField or $setField.");
  }
  return parts;
}

export function getNested(doc: Document, parts: readonly string[]): unknown {
  let cur: unknown = doc;
  for (const p of parts) {
    if (!isPlainObject(cur)) return undefined;
    cur = getField(cur, p);
  }
  return cur;
}

/** A copy of `doc` with the value at `parts` replaced (removed when `value` is undefined). */
export function setNested(doc: Document, parts: readonly string[], value: unknown, i = 0): Document {
  const out: Document = {};
  const key = parts[i];
  let placed = false;
  for (const [k, v] of Object.entries(doc)) {
    if (v === undefined) continue;
    if (k !== key) {
      setOwn(out, k, v);
      continue;
    }
    placed = true;
    if (i === parts.length - 1) {
      if (value !== undefined) setOwn(out, k, value);
    } else {
      setOwn(out, k, setNested(isPlainObject(v) ? v : {}, parts, value, i + 1));
    }
  }
  if (!placed) {
    if (i === parts.length - 1) {
      if (value !== undefined) setOwn(out, key, value);
    } else if (value !== undefined) {
      setOwn(out, key, setNested({}, parts, value, i + 1));
    }
  }
  return out;
}
