/**
 * Errors whose codes are missing from ../errors.ts's table (owned elsewhere): built here with the
 * right code name until the table lists them, so clients still see mongod's exact code and name.
 */
import { MongoCommandError } from '../errors.js';

export const EXTRA_CODES = Object.freeze({
  CannotIndexParallelArrays: 171,
  AmbiguousIndexKeyPattern: 275,
} as const);

export function codedError(
  name: keyof typeof EXTRA_CODES,
  message: string,
  extra: Record<string, unknown> = {},
): MongoCommandError {
  const err = new MongoCommandError(EXTRA_CODES[name], message, extra);
  Object.defineProperty(err, 'codeName', { value: name, enumerable: true });
  return err;
}
