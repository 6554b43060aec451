/**
 * Dotted field paths ("a.b.0.c") over documents.
 *
 * - getPath: plain traversal (numeric components index arrays); undefined when missing. No fan-out.
 * - getPathValues: index-key extraction semantics. Arrays met on the way fan out over their
 *   elements (a numeric component indexes instead); terminal arrays are expanded into their
 *   elements. Missing paths yield []. This is what an index on the path stores for a document.
 */
import { isPlainObject } from './types.js';

export function splitPath(path: string): string[] {
  return path.split('.');
}

export function isIndexComponent(c: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(c);
}

export function getPath(doc: unknown, path: string | string[]): unknown {
  const parts = typeof path === 'string' ? splitPath(path) : path;
  let cur: unknown = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) {
      if (!isIndexComponent(p)) return undefined;
      cur = cur[Number(p)];
    } else if (isPlainObject(cur)) {
      cur = Object.prototype.hasOwnProperty.call(cur, p) ? cur[p] : undefined;
    } else {
      return undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

export function getPathValues(doc: unknown, path: string | string[]): unknown[] {
  const parts = typeof path === 'string' ? splitPath(path) : path;
  const out: unknown[] = [];
  collect(doc, parts, 0, out);
  return out;
}

function collect(cur: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    if (Array.isArray(cur)) out.push(...cur);
    else if (cur !== undefined) out.push(cur);
    return;
  }
  const p = parts[i];
  if (Array.isArray(cur)) {
    if (isIndexComponent(p) && Number(p) < cur.length) {
      collect(cur[Number(p)], parts, i + 1, out);
      return;
    }
    for (const el of cur) if (isPlainObject(el)) collect(el, parts, i, out);
    return;
  }
  if (isPlainObject(cur) && Object.prototype.hasOwnProperty.call(cur, p)) collect(cur[p], parts, i + 1, out);
}
