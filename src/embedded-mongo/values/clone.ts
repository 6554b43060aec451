/**
 * Deep copy of a document's plain objects and arrays. BSON value wrappers (ObjectId, Long, Date,
 * Binary, ...) are immutable in the server and shared, not copied.
 */
import { isPlainObject } from './types.js';

export function deepClone<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x: unknown) => deepClone(x)) as T;
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (k === '__proto__')
        Object.defineProperty(out, k, {
          value: deepClone(x),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[k] = deepClone(x);
    }
    return out as T;
  }
  return v;
}
