/**
 * Index key generation, as mongod's B-tree key generator does it:
 *  - one key tuple per combination of the values found at each indexed path (arrays fan out, so an
 *    array field yields one key per element: a multikey index);
 *  - a missing field (or an empty array) is keyed as null, except that a sparse index skips
 *    documents in which every indexed field is missing;
 *  - two indexed fields that both meet arrays, different arrays, cannot be indexed
 *    (CannotIndexParallelArrays, 171);
 *  - a partial index holds only documents matching its partialFilterExpression.
 * Path traversal follows values/paths.ts getPathValues (numeric components index arrays) and
 * also reports which arrays were met, for multikey and parallel-array detection.
 */
import { compareValues } from '../values/compare.js';
import { keyString } from '../values/keystring.js';
import { isIndexComponent } from '../values/paths.js';
import { isPlainObject } from '../values/types.js';
import type { Document } from '../bson.js';
import { codedError } from './coded-error.js';

export type KeyTuple = readonly unknown[];

export interface KeyField {
  readonly path: string;
  readonly parts: readonly string[];
  /** 1 ascending, -1 descending. */
  readonly dir: 1 | -1;
}

interface PathScan {
  values: unknown[];
  exists: boolean;
  /** Dotted prefixes at which arrays were met (fan-out or terminal). */
  arrays: string[];
}

function scanPath(doc: unknown, parts: readonly string[]): PathScan {
  const out: PathScan = { values: [], exists: false, arrays: [] };
  walk(doc, parts, 0, out);
  return out;
}

function noteArray(out: PathScan, parts: readonly string[], depth: number): void {
  const p = parts.slice(0, depth).join('.');
  if (!out.arrays.includes(p)) out.arrays.push(p);
}

function walk(cur: unknown, parts: readonly string[], i: number, out: PathScan): void {
  if (i === parts.length) {
    if (Array.isArray(cur)) {
      out.exists = true;
      noteArray(out, parts, i);
      for (const el of cur) out.values.push(el);
    } else if (cur !== undefined) {
      out.exists = true;
      out.values.push(cur);
    }
    return;
  }
  const p = parts[i];
  if (Array.isArray(cur)) {
    if (isIndexComponent(p) && Number(p) < cur.length) {
      walk(cur[Number(p)], parts, i + 1, out);
      return;
    }
    noteArray(out, parts, i);
    for (const el of cur) if (isPlainObject(el)) walk(el, parts, i, out);
    return;
  }
  if (isPlainObject(cur) && Object.prototype.hasOwnProperty.call(cur, p)) walk(cur[p], parts, i + 1, out);
}

function dedupe(values: unknown[]): unknown[] {
  if (values.length < 2) return values;
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const v of values) {
    const k = keyString(v);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(v);
    }
  }
  return out;
}

/** Canonical string of a key tuple: equal strings iff the tuples compare equal field by field. */
export function tupleKey(t: KeyTuple): string {
  let s = '';
  for (const v of t) {
    const k = keyString(v);
    s += k.length + ':' + k;
  }
  return s;
}

export function tuplesEqual(a: KeyTuple, b: KeyTuple): boolean {
  for (let i = 0; i < a.length; i++) if (compareValues(a[i], b[i]) !== 0) return false;
  return true;
}

export interface DocumentKeys {
  /** Distinct key tuples ([] when the document is not in the index). */
  readonly keys: KeyTuple[];
  /** Per field: whether an array was met on its path. */
  readonly arrayFields: boolean[];
}

const NOT_INDEXED: DocumentKeys = { keys: [], arrayFields: [] };

export class KeyGenerator {
  constructor(
    readonly fields: readonly KeyField[],
    readonly sparse: boolean,
    readonly partial: ((doc: Document) => boolean) | undefined,
  ) {}

  keysOf(doc: Document): DocumentKeys {
    if (this.partial && !this.partial(doc)) return NOT_INDEXED;
    const fields = this.fields;
    if (fields.length === 1) {
      const s = scanPath(doc, fields[0].parts);
      if (!s.exists && this.sparse) return NOT_INDEXED;
      const values = s.values.length === 0 ? [null] : dedupe(s.values);
      return { keys: values.map((v) => [v]), arrayFields: [s.arrays.length > 0] };
    }
    const scans = fields.map((f) => scanPath(doc, f.parts));
    if (this.sparse && scans.every((s) => !s.exists)) return NOT_INDEXED;
    this.checkParallel(scans);
    let keys: unknown[][] = [[]];
    for (const s of scans) {
      const values = s.values.length === 0 ? [null] : dedupe(s.values);
      if (values.length === 1) {
        for (const k of keys) k.push(values[0]);
        continue;
      }
      const next: unknown[][] = [];
      for (const k of keys) for (const v of values) next.push([...k, v]);
      keys = next;
    }
    return { keys, arrayFields: scans.map((s) => s.arrays.length > 0) };
  }

  private checkParallel(scans: PathScan[]): void {
    for (let a = 0; a < scans.length; a++) {
      if (scans[a].arrays.length === 0) continue;
      for (let b = a + 1; b < scans.length; b++) {
        if (scans[b].arrays.length === 0) continue;
        const onlyA = scans[a].arrays.some((p) => !scans[b].arrays.includes(p));
        const onlyB = scans[b].arrays.some((p) => !scans[a].arrays.includes(p));
        if (onlyA && onlyB) {
          throw codedError(
            'CannotIndexParallelArrays',
            `cannot index parallel arrays [${this.fields[b].path}] [${this.fields[a].path}]`,
          );
        }
      }
    }
  }
}
