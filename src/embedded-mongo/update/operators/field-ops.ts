/**
 * Field modifiers: $set, $setOnInsert, $unset, $inc, $mul, $min, $max, $currentDate and both
 * halves of $rename. Argument errors are raised at parse time with mongod's codes.
 */
import { Timestamp } from 'bson';
import { MongoCommandError, ErrorCodes } from '../../errors.js';
import { isPlainObject } from '../../values/types.js';
import { compareValues } from '../../values/compare.js';
import { add, multiply, numericKind } from '../../values/numeric.js';
import { describeId, formatElement, numericDebugString, typeName } from '../format.js';
import { NOOP, REMOVE, setTo, type LeafContext, type LeafOp, type LeafResult } from './leaf-op.js';

export function parseSet(path: string, value: unknown): LeafOp {
  return {
    operator: '$set',
    path,
    checksViability: false,
    applyExisting: () => setTo(value),
    applyMissing: () => setTo(value),
  };
}

/** $setOnInsert: a $set that only acts when the update produces an upsert's new document. */
export function parseSetOnInsert(path: string, value: unknown): LeafOp {
  const act = (ctx: LeafContext): LeafResult => (ctx.isInsert ? setTo(value) : NOOP);
  return {
    operator: '$setOnInsert',
    path,
    checksViability: false,
    applyExisting: (_c, ctx) => act(ctx),
    applyMissing: act,
  };
}

/** $unset: the argument is ignored; an array element is set to null rather than removed (the walker does that). */
export function parseUnset(path: string): LeafOp {
  return {
    operator: '$unset',
    path,
    checksViability: false,
    applyExisting: () => REMOVE,
    applyMissing: () => NOOP,
  };
}

type ArithmeticModifier = '$inc' | '$mul';

function arithmetic(op: ArithmeticModifier, a: unknown, b: unknown): unknown {
  return op === '$inc' ? add(a, b) : multiply(a, b);
}

/** Integral results past int64 fail the write in mongod (SafeNum yields no value), unlike aggregation which widens to double. */
function checkedArithmetic(
  op: ArithmeticModifier,
  current: unknown,
  arg: unknown,
  ctx: LeafContext,
): unknown {
  const result = arithmetic(op, current, arg);
  const kc = numericKind(current);
  const ka = numericKind(arg);
  const integral = (k: string | undefined): boolean => k === 'int' || k === 'long';
  if (integral(kc) && integral(ka) && numericKind(result) === 'double') {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      `Failed to apply ${op} operations to current value (${numericDebugString(current)}) for document {${describeId(ctx.doc)}}`,
    );
  }
  return result;
}

export function parseArithmetic(op: ArithmeticModifier, path: string, value: unknown): LeafOp {
  if (numericKind(value) === undefined) {
    throw new MongoCommandError(
      ErrorCodes.TypeMismatch,
      `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${formatElement(path, value)}}`,
    );
  }
  return {
    operator: op,
    path,
    checksViability: false,
    applyExisting(current, ctx) {
      if (numericKind(current) === undefined) {
        const name = ctx.parts[ctx.parts.length - 1].name;
        throw new MongoCommandError(
          ErrorCodes.TypeMismatch,
          `Cannot apply ${op} to a value of non-numeric type. {${describeId(ctx.doc)}} has the field '${name}' of non-numeric type ${typeName(current)}`,
        );
      }
      return setTo(checkedArithmetic(op, current, value, ctx));
    },
    // A missing field counts as 0 of the argument's type: $inc stores the argument, $mul a typed zero.
    applyMissing: () => setTo(op === '$inc' ? value : multiply(value, 0)),
  };
}

export function parseCompare(op: '$min' | '$max', path: string, value: unknown): LeafOp {
  return {
    operator: op,
    path,
    checksViability: false,
    applyExisting(current) {
      const c = compareValues(value, current);
      return (op === '$min' ? c < 0 : c > 0) ? setTo(value) : NOOP;
    },
    applyMissing: () => setTo(value),
  };
}

let timestampIncrement = 0;
let timestampSecond = 0;

/** A fresh Timestamp for $currentDate when the caller supplies no cluster clock: seconds of `now`, increasing counter. */
export function localTimestamp(now: Date): Timestamp {
  const t = Math.floor(now.getTime() / 1000);
  if (t !== timestampSecond) {
    timestampSecond = t;
    timestampIncrement = 0;
  }
  timestampIncrement += 1;
  return new Timestamp({ t, i: timestampIncrement });
}

export function parseCurrentDate(path: string, value: unknown): LeafOp {
  let asTimestamp = false;
  if (typeof value === 'boolean') {
    asTimestamp = false;
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k !== '$type') {
        throw new MongoCommandError(ErrorCodes.BadValue, `Unrecognized $currentDate option: ${k}`);
      }
      if (v === 'timestamp') asTimestamp = true;
      else if (v === 'date') asTimestamp = false;
      else {
        throw new MongoCommandError(
          ErrorCodes.BadValue,
          "The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}",
        );
      }
    }
  } else {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      `${typeName(value)} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).`,
    );
  }
  const make = (ctx: LeafContext): LeafResult =>
    setTo(asTimestamp ? ctx.timestamp() : new Date(ctx.now.getTime()));
  return {
    operator: '$currentDate',
    path,
    checksViability: false,
    applyExisting: (_c, ctx) => make(ctx),
    applyMissing: make,
  };
}

/** The source side of $rename: removes the field when the rename found it. */
export function renameSource(from: string, to: string): LeafOp {
  return {
    operator: '$rename',
    path: from,
    renameSourceOf: to,
    checksViability: false,
    applyExisting: (_c, ctx) => (ctx.renameSources.has(from) ? REMOVE : NOOP),
    applyMissing: () => NOOP,
  };
}

function destinationArrayName(ctx: LeafContext): string | undefined {
  if (ctx.blocker && Array.isArray(ctx.blocker.value)) return ctx.blocker.name;
  for (let j = ctx.parts.length - 1; j >= 1; j--) if (ctx.parts[j].isIndex) return ctx.parts[j - 1].name;
  return undefined;
}

/** The destination side of $rename: stores the source's value (a no-op when the source is missing). */
export function renameDestination(from: string, to: string): LeafOp {
  const act = (ctx: LeafContext): LeafResult => {
    if (!ctx.renameSources.has(from)) return NOOP;
    const arrayName = destinationArrayName(ctx);
    if (arrayName !== undefined) {
      throw new MongoCommandError(
        ErrorCodes.BadValue,
        `The destination field cannot be an array element, '${to}' in doc with ${describeId(ctx.doc)} has an array field called '${arrayName}'`,
      );
    }
    return setTo(ctx.renameSources.get(from));
  };
  return {
    operator: '$rename',
    path: to,
    checksViability: false,
    applyExisting: (_c, ctx) => act(ctx),
    applyMissing: act,
  };
}
