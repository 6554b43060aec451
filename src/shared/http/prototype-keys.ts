/**
 * Refuses JSON bodies with a `__proto__`, `constructor` or `prototype` key at any depth. JSON.parse
 * keeps such a key as an own property, but class-transformer assigns it (`dto.__proto__ = {...}`),
 * which replaces the DTO's prototype instead of failing validation as an unknown field: such a body
 * was accepted (202). Express middleware after the JSON parser (bodies are at most MAX_JSON_DEPTH
 * deep by then, so the walk is bounded): 400 REQUEST.VALIDATION_FAILED with the offending paths in
 * `details`, as the validation pipe answers an unknown field (and as the query string is refused).
 */
import type { NextFunction, Request, Response } from 'express';
import { badRequest } from '../errors/app-error.js';
import type { FieldError } from '../errors/validation.js';

export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Dotted paths (`items.0.__proto__`) of every prototype key in `value`. */
export function prototypeKeyPaths(value: unknown, prefix = '', out: string[] = []): string[] {
  if (value === null || typeof value !== 'object') return out;
  // Object.keys lists own keys, `__proto__` from JSON.parse included (it is an own property there).
  for (const key of Object.keys(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (PROTOTYPE_KEYS.has(key)) out.push(path);
    prototypeKeyPaths((value as Record<string, unknown>)[key], path, out);
  }
  return out;
}

export function rejectPrototypeKeys(req: Request, _res: Response, next: NextFunction): void {
  const paths = prototypeKeyPaths(req.body);
  if (paths.length === 0) {
    next();
    return;
  }
  const details: FieldError[] = paths.map((field) => ({
    field,
    errors: [`property ${field.split('.').pop()} is not allowed`],
  }));
  next(badRequest('REQUEST.VALIDATION_FAILED', `Validation failed for ${paths.join(', ')}`, details));
}
