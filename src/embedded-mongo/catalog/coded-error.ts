/**
 * Errors by code name from ../errors.ts's table (kept as a thin alias for the catalog's callers).
 */
import { mongoError, type ErrorCodeName, type MongoCommandError } from '../errors.js';

export function codedError(
  name: Extract<ErrorCodeName, 'CannotIndexParallelArrays' | 'AmbiguousIndexKeyPattern'>,
  message: string,
  extra: Record<string, unknown> = {},
): MongoCommandError {
  return mongoError(name, message, extra);
}
