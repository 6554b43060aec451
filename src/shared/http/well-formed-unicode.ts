/**
 * Refuses JSON bodies with a lone UTF-16 surrogate (`"\ud800"`) in any string or key: such text
 * has no UTF-8/BSON form, so the driver stores U+FFFD instead (silently changing the data) and an
 * email with one answered 500. Express middleware after the JSON parser (bodies are at most
 * MAX_JSON_DEPTH deep by then, so the walk is bounded): 400 REQUEST.INVALID_UNICODE.
 */
import type { NextFunction, Request, Response } from 'express';
import { badRequest } from '../errors/app-error.js';

/** With the `u` flag a surrogate pair is one code point, so only a lone surrogate matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Whether any string or object key in `value` is not well-formed UTF-16. */
export function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => LONE_SURROGATE.test(k) || hasLoneSurrogate(v));
  return false;
}

export function rejectLoneSurrogates(req: Request, _res: Response, next: NextFunction): void {
  if (hasLoneSurrogate(req.body)) {
    next(
      badRequest(
        'REQUEST.INVALID_UNICODE',
        'Request body contains a lone UTF-16 surrogate (\\ud800-\\udfff without its pair)',
      ),
    );
    return;
  }
  next();
}
