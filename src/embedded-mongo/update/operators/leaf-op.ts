/**
 * The contract between the update tree walker (../apply-tree.ts) and one modifier at one path.
 *
 * A leaf op is parsed once per update statement (argument validation happens then, with
 * mongod's codes) and applied to each document. It never mutates its input: it returns the
 * value to store. The walker owns everything positional: copy-on-write, array padding, change
 * logging, _id immutability and the "path is not viable" errors.
 */
import type { Timestamp } from 'bson';
import type { Document } from '../../bson.js';

export type ModifierName =
  | '$addToSet'
  | '$bit'
  | '$currentDate'
  | '$inc'
  | '$max'
  | '$min'
  | '$mul'
  | '$pop'
  | '$pull'
  | '$pullAll'
  | '$push'
  | '$rename'
  | '$set'
  | '$setOnInsert'
  | '$unset';

/** One component of a path as resolved against a document (array indexes known). */
export interface RuntimePart {
  readonly name: string;
  readonly isIndex: boolean;
}

/** The deepest existing element on a path that cannot hold the next component (a scalar, or an array met by a field name). */
export interface Blocker {
  readonly name: string;
  readonly value: unknown;
  /** The first path component that could not be created under it. */
  readonly part: string;
}

export interface LeafContext {
  /** Resolved path of the element this op targets. */
  readonly parts: readonly RuntimePart[];
  /** Dotted form of `parts`. */
  readonly path: string;
  readonly parentIsArray: boolean;
  readonly blocker: Blocker | undefined;
  /** The document being updated, as it was before this update (for `_id` in messages). */
  readonly doc: Document;
  readonly isInsert: boolean;
  readonly now: Date;
  readonly timestamp: () => Timestamp;
  /** Values of `$rename` sources found in the document, keyed by source path. */
  readonly renameSources: ReadonlyMap<string, unknown>;
}

export type LeafResult =
  | { readonly kind: 'noop' }
  | {
      readonly kind: 'set';
      readonly value: unknown;
      /** When the op only appended to a non-empty array: the index of the first new element (changes are described per element). */
      readonly appendedFrom?: number;
    }
  | { readonly kind: 'remove' };

export const NOOP: LeafResult = Object.freeze({ kind: 'noop' });
export const REMOVE: LeafResult = Object.freeze({ kind: 'remove' });
export function setTo(value: unknown, appendedFrom?: number): LeafResult {
  return appendedFrom === undefined ? { kind: 'set', value } : { kind: 'set', value, appendedFrom };
}

export interface LeafOp {
  readonly operator: ModifierName;
  /** The path as written in the update. */
  readonly path: string;
  /**
   * Set when the op is the source side of a `$rename` (it removes the field, and touching
   * `_id` that way has its own message).
   */
  readonly renameSourceOf?: string;
  /** Ops that do nothing on a missing field but still reject a path that could never exist ($pop, $pull, $pullAll). */
  readonly checksViability: boolean;
  applyExisting(current: unknown, ctx: LeafContext): LeafResult;
  applyMissing(ctx: LeafContext): LeafResult;
}

/** Receives the array offset a match came from (mongod's elemMatchKey), when the matcher reports it. */
export interface MatchDetails {
  elemMatchKey?: string;
}

/** Compiles a query filter into a predicate (the query matcher's contract; injectable for tests). */
export type CompileFilter = (filter: Document) => (doc: Document, details?: MatchDetails) => boolean;

export interface ParseEnv {
  readonly compileFilter: CompileFilter;
}
