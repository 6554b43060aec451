import { mongoError } from '../errors.js';
import { isPlainObject } from '../values/types.js';
import { keyString } from '../values/keystring.js';

/** Session keys (keyString of the lsid's `id`) from an array of `{id: UUID}` documents. */
export function requiredSessionIds(arg: unknown, command: string): string[] {
  if (!Array.isArray(arg)) throw mongoError('TypeMismatch', `${command} expects an array of session ids`);
  return arg.map((s) => {
    if (!isPlainObject(s) || s.id === undefined)
      throw mongoError('BadValue', `${command}: each session must be {id: UUID}`);
    return keyString(s.id);
  });
}

/** Key of the `lsid` of a command, if it has one. */
export function sessionKeyOf(lsid: unknown): string | undefined {
  if (!isPlainObject(lsid) || lsid.id === undefined) return undefined;
  return keyString(lsid.id);
}
