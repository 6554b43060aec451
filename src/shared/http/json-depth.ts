/**
 * Refuses JSON request bodies nested deeper than MAX_JSON_DEPTH before they are parsed: validation
 * (class-transformer) walks a body recursively, so a body like `[[[[...]]]]` 40,000 levels deep
 * (80 kB, within BODY_LIMIT) overflowed the stack and answered 500. Used as body-parser's `verify`
 * hook, so the answer is 400 REQUEST.TOO_DEEP in the error shape.
 */

/** Deeper than any request DTO needs (the deepest, place-order, has 3 levels). */
export const MAX_JSON_DEPTH = 32;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/** The deepest nesting of objects and arrays in JSON text (brackets inside strings ignored). */
export function jsonDepth(text: Uint8Array, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
  }
  return max;
}

/** The error body-parser passes on: status 400 with the API's error code. */
export class JsonTooDeepError extends Error {
  readonly status = 400;
  readonly code = 'REQUEST.TOO_DEEP';
  readonly expose = true;

  constructor() {
    super(`Request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    this.name = 'JsonTooDeepError';
  }
}

/** body-parser `verify` hook: throws JsonTooDeepError for a body nested too deeply. */
export function rejectDeepJson(_req: unknown, _res: unknown, body: Buffer): void {
  if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new JsonTooDeepError();
}
