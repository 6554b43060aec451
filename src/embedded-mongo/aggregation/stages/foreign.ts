/**
 * Reads of other collections for $lookup / $graphLookup: each foreign collection is read once per
 * top-level run (a snapshot, as mongod reads at one point in time) and equality indexes on a
 * field are built once and shared by every outer document.
 */
import type { Document } from '../../bson.js';
import { isIndexComponent, keyString } from '../../values/index.js';
import { getField, isPlainObject } from '../expressions/core.js';
import { batchesOf, collect, type RunEnv } from './stage.js';

export function foreignDocuments(env: RunEnv, db: string, coll: string): Promise<Document[]> {
  const key = `docs\0${db}\0${coll}`;
  let p = env.cache.get(key) as Promise<Document[]> | undefined;
  if (!p) {
    p = collect(batchesOf(env.ctx.resolveCollection(db, coll)));
    env.cache.set(key, p);
  }
  return p;
}

/**
 * Equality keys of the values a path reaches, as a query `{path: v}` compares: arrays fan out
 * (a terminal array matches as a whole and by element, when `wholeArrays`), and a missing value
 * matches null.
 */
export function pathKeys(doc: Document, parts: readonly string[], wholeArrays: boolean): Set<string> {
  const keys = new Set<string>();
  const walk = (cur: unknown, i: number): void => {
    if (i === parts.length) {
      if (Array.isArray(cur)) {
        if (wholeArrays) keys.add(keyString(cur));
        for (const el of cur) keys.add(keyString(el));
      } else {
        keys.add(keyString(cur === undefined ? null : cur));
      }
      return;
    }
    if (Array.isArray(cur)) {
      const p = parts[i];
      if (isIndexComponent(p) && Number(p) < cur.length) walk(cur[Number(p)], i + 1);
      for (const el of cur) if (isPlainObject(el)) walk(el, i);
      return;
    }
    if (isPlainObject(cur)) {
      const v = getField(cur, parts[i]);
      if (v === undefined) keys.add(keyString(null));
      else walk(v, i + 1);
      return;
    }
    keys.add(keyString(null));
  };
  walk(doc, 0);
  return keys;
}

export interface ForeignIndex {
  readonly docs: Document[];
  /** Equality key -> positions in `docs`. */
  readonly positions: Map<string, number[]>;
}

export async function foreignIndex(
  env: RunEnv,
  db: string,
  coll: string,
  parts: readonly string[],
): Promise<ForeignIndex> {
  const key = `index\0${db}\0${coll}\0${parts.join('.')}`;
  let p = env.cache.get(key) as Promise<ForeignIndex> | undefined;
  if (!p) {
    p = foreignDocuments(env, db, coll).then((docs) => {
      const positions = new Map<string, number[]>();
      docs.forEach((d, i) => {
        for (const k of pathKeys(d, parts, true)) {
          const list = positions.get(k);
          if (list) list.push(i);
          else positions.set(k, [i]);
        }
      });
      return { docs, positions };
    });
    env.cache.set(key, p);
  }
  return p;
}

/** Documents of `index` matching any of `keys`, in collection order. */
export function lookupKeys(index: ForeignIndex, keys: Iterable<string>): Document[] {
  const hits = new Set<number>();
  for (const k of keys) for (const i of index.positions.get(k) ?? []) hits.add(i);
  return [...hits].sort((a, b) => a - b).map((i) => index.docs[i]);
}
