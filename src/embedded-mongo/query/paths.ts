/**
 * Field paths as the matcher walks them, compiled once per predicate.
 *
 * `walkPath` yields the values a dotted path reaches in a document with MongoDB's matcher rules
 * (src/mongo/db/matcher/path.cpp, BSONElementIterator) and stops at the first one the predicate
 * accepts:
 * - an array met before the last component is traversed: each element that is a document is
 *   searched for the rest of the path; when the next component is a number `n`, element `n` is
 *   also used positionally (a nested array there is walked with the rest of the path);
 * - an array at the end of the path yields each element and then the array itself, unless the
 *   predicate wants whole arrays only (`$elemMatch`, `$size`);
 * - a missing field, or a scalar where a document was needed, yields `undefined` (MongoDB's EOO),
 *   except inside arrays, where such elements yield nothing.
 * The result says where the match came from, which positional projection and `$` updates need:
 * NO_MATCH, MATCH (no array offset), or the offset (>= 0) of the outermost array element that was
 * traversed implicitly.
 */
export type Pred = (v: unknown) => boolean;

export const NO_MATCH = -1;
export const MATCH = -2;

export interface CompiledPath {
  readonly dotted: string;
  readonly parts: readonly string[];
  /** Per component: the array index it denotes (canonical decimal digits), else -1. */
  readonly index: readonly number[];
  /** Per component: plain property access is safe (the name is not on Object.prototype). */
  readonly safe: readonly boolean[];
}

export function compilePath(dotted: string): CompiledPath {
  const parts = dotted.split('.');
  return {
    dotted,
    parts,
    index: parts.map((p) => (/^(0|[1-9][0-9]*)$/.test(p) && p.length < 10 ? Number(p) : -1)),
    safe: parts.map((p) => !(p in Object.prototype)),
  };
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Own field of a document (never an inherited Object.prototype member). */
export function ownField(doc: Record<string, unknown>, key: string): unknown {
  return hasOwn.call(doc, key) ? doc[key] : undefined;
}

function dbRefDocument(v: unknown): Record<string, unknown> {
  const r = v as { collection: string; oid: unknown; db?: string; fields?: Record<string, unknown> };
  const out: Record<string, unknown> = { $ref: r.collection, $id: r.oid };
  if (r.db) out.$db = r.db;
  if (r.fields) Object.assign(out, r.fields);
  return out;
}

/**
 * The value as a document the matcher can look into: plain objects as they are, DBRefs as
 * `{$ref, $id, $db, ...}`; undefined for everything else (arrays, scalars, BSON wrappers).
 */
export function docOf(v: unknown): Record<string, unknown> | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const tag = (v as { _bsontype?: unknown })._bsontype;
  if (tag !== undefined) return tag === 'DBRef' ? dbRefDocument(v) : undefined;
  if (v instanceof Date || v instanceof RegExp || v instanceof Uint8Array) return undefined;
  return v as Record<string, unknown>;
}

/** An array element as `$elemMatch` sees it: documents, and arrays as `{"0": .., "1": ..}`. */
export function elementAsDocument(v: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < v.length; i++) out[String(i)] = v[i];
    return out;
  }
  return docOf(v);
}

/** Walks `p` from component `i` of document `doc`. See the module comment for the result. */
export function walkDocument(
  doc: Record<string, unknown>,
  p: CompiledPath,
  i: number,
  pred: Pred,
  expandLeafArrays: boolean,
): number {
  const last = p.parts.length - 1;
  let cur = doc;
  for (let k = i; ; k++) {
    const key = p.parts[k];
    const v = p.safe[k] ? cur[key] : ownField(cur, key);
    if (Array.isArray(v)) return walkArray(v, p, k + 1, pred, expandLeafArrays);
    if (k === last) return pred(v) ? MATCH : NO_MATCH;
    const sub = docOf(v);
    if (sub === undefined) return pred(undefined) ? MATCH : NO_MATCH;
    cur = sub;
  }
}

/** Walks array `arr` found at component `j - 1` of `p` (so `j` is the first component after it). */
export function walkArray(
  arr: unknown[],
  p: CompiledPath,
  j: number,
  pred: Pred,
  expandLeafArrays: boolean,
): number {
  const parts = p.parts;
  if (j === parts.length) {
    if (expandLeafArrays) {
      for (let idx = 0; idx < arr.length; idx++) if (pred(arr[idx])) return idx;
    }
    return pred(arr) ? MATCH : NO_MATCH;
  }
  const offset = p.index[j];
  const lastComponent = j === parts.length - 1;
  for (let idx = 0; idx < arr.length; idx++) {
    const el = arr[idx];
    const sub = docOf(el);
    if (sub !== undefined) {
      if (walkDocument(sub, p, j, pred, expandLeafArrays) !== NO_MATCH) return idx;
      if (idx === offset) {
        if (lastComponent) {
          if (pred(el)) return MATCH;
        } else {
          const r = walkDocument(sub, p, j + 1, pred, expandLeafArrays);
          if (r !== NO_MATCH) return r;
        }
      }
    } else if (idx === offset) {
      if (lastComponent) {
        if (pred(el)) return MATCH;
      } else if (Array.isArray(el)) {
        const r = walkArray(el, p, j + 1, pred, expandLeafArrays);
        if (r !== NO_MATCH) return r;
      }
    }
  }
  return NO_MATCH;
}
