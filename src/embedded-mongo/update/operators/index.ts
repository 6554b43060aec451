/** The modifier table: name -> parser of one `{path: argument}` entry into leaf ops (modifiertable in mongod). */
import type { LeafOp, ModifierName, ParseEnv } from './leaf-op.js';
import {
  parseArithmetic,
  parseCompare,
  parseCurrentDate,
  parseSet,
  parseSetOnInsert,
  parseUnset,
} from './field-ops.js';
import { parseAddToSet, parsePop, parsePull, parsePullAll, parsePush } from './array-ops.js';
import { parseBit } from './bit-op.js';

export type LeafParser = (path: string, value: unknown, env: ParseEnv) => LeafOp;

/** Every modifier except $rename, which places two nodes (see ../parse-update.ts). */
export const LEAF_PARSERS: Readonly<Record<Exclude<ModifierName, '$rename'>, LeafParser>> = Object.freeze({
  $addToSet: (p, v) => parseAddToSet(p, v),
  $bit: (p, v) => parseBit(p, v),
  $currentDate: (p, v) => parseCurrentDate(p, v),
  $inc: (p, v) => parseArithmetic('$inc', p, v),
  $max: (p, v) => parseCompare('$max', p, v),
  $min: (p, v) => parseCompare('$min', p, v),
  $mul: (p, v) => parseArithmetic('$mul', p, v),
  $pop: (p, v) => parsePop(p, v),
  $pull: (p, v, env) => parsePull(p, v, env),
  $pullAll: (p, v) => parsePullAll(p, v),
  $push: (p, v) => parsePush(p, v),
  $set: (p, v) => parseSet(p, v),
  $setOnInsert: (p, v) => parseSetOnInsert(p, v),
  $unset: (p) => parseUnset(p),
});

export const MODIFIER_NAMES: ReadonlySet<string> = new Set<string>([...Object.keys(LEAF_PARSERS), '$rename']);

export * from './leaf-op.js';
export { renameDestination, renameSource, localTimestamp } from './field-ops.js';
