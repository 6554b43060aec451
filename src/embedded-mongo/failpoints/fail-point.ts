/**
 * One named fail point, with mongod's modes: `'off'`, `'alwaysOn'`, `{times: n}` (fires n times,
 * then turns itself off), `{skip: n}` (lets n evaluations pass, then fires every time) and
 * `{activationProbability: p}`. An evaluation that the caller's filter rejects (another command,
 * another appName...) neither fires nor counts, as in mongod's `executeIf`.
 */
import type { Document } from '../bson.js';
import { mongoError } from '../errors.js';
import { bsonTypeOf, isPlainObject, numberValueOf } from '../values/types.js';

export type FailPointMode =
  | { readonly kind: 'off' }
  | { readonly kind: 'alwaysOn' }
  | { readonly kind: 'times'; remaining: number }
  | { readonly kind: 'skip'; remaining: number }
  | { readonly kind: 'activationProbability'; readonly p: number };

const MODE_ERROR = "'mode' must be one of 'off', 'alwaysOn', 'times', 'skip' and 'activationProbability'";

function nonNegativeInt(v: unknown, what: string): number {
  const n = numberValueOf(v);
  if (n === undefined || !Number.isInteger(n) || n < 0)
    throw mongoError('BadValue', `'${what}' must be a non-negative integer`);
  return n;
}

/** Parses the `mode` argument of configureFailPoint. */
export function parseFailPointMode(value: unknown): FailPointMode {
  if (value === 'off') return { kind: 'off' };
  if (value === 'alwaysOn') return { kind: 'alwaysOn' };
  if (!isPlainObject(value)) {
    if (typeof value === 'string') throw mongoError('BadValue', MODE_ERROR);
    throw mongoError('TypeMismatch', `'mode' must be a string or an object, not ${bsonTypeOf(value)}`);
  }
  if (value.times !== undefined) {
    const n = nonNegativeInt(value.times, 'times');
    return n === 0 ? { kind: 'off' } : { kind: 'times', remaining: n };
  }
  if (value.skip !== undefined) return { kind: 'skip', remaining: nonNegativeInt(value.skip, 'skip') };
  if (value.activationProbability !== undefined) {
    const p = numberValueOf(value.activationProbability);
    if (p === undefined || p < 0 || p > 1)
      throw mongoError('BadValue', "'activationProbability' must be a number between 0 and 1");
    return { kind: 'activationProbability', p };
  }
  throw mongoError('BadValue', MODE_ERROR);
}

export class FailPoint {
  private mode: FailPointMode = { kind: 'off' };
  private data: Document = {};
  private entered = 0;

  constructor(readonly name: string) {}

  get isActive(): boolean {
    return this.mode.kind !== 'off';
  }

  /** Times the fail point fired since the server started (what configureFailPoint reports). */
  get timesEntered(): number {
    return this.entered;
  }

  /** Sets mode and data; returns how many times the point fired before. */
  configure(mode: FailPointMode, data: Document): number {
    this.mode = mode;
    this.data = data;
    return this.entered;
  }

  /**
   * Evaluates the point once: its data when it fires, else undefined. `applies` decides, before
   * anything is counted, whether this evaluation concerns the point at all.
   */
  evaluate(applies?: (data: Document) => boolean): Document | undefined {
    const mode = this.mode;
    if (mode.kind === 'off') return undefined;
    const data = this.data;
    if (applies && !applies(data)) return undefined;
    switch (mode.kind) {
      case 'times':
        mode.remaining--;
        if (mode.remaining <= 0) this.mode = { kind: 'off' };
        break;
      case 'skip':
        if (mode.remaining > 0) {
          mode.remaining--;
          return undefined;
        }
        break;
      case 'activationProbability':
        if (Math.random() >= mode.p) return undefined;
        break;
      case 'alwaysOn':
        break;
    }
    this.entered++;
    return data;
  }
}
