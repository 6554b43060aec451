/** $bit: and/or/xor on int32/int64 values; int combined with long yields long. */
import { Long } from 'bson';
import { MongoCommandError, ErrorCodes } from '../../errors.js';
import { isPlainObject } from '../../values/types.js';
import { numericKind, toBigInt } from '../../values/numeric.js';
import { describeId, formatElement, typeName } from '../format.js';
import { setTo, type LeafOp } from './leaf-op.js';

type BitOp = 'and' | 'or' | 'xor';

const FORMAT = '{$bit: {field: {and/or/xor: #}}';

function isIntegral(v: unknown): boolean {
  const k = numericKind(v);
  return k === 'int' || k === 'long';
}

function applyOps(start: unknown, ops: readonly [BitOp, unknown][]): unknown {
  let value = toBigInt(start);
  let isLong = numericKind(start) === 'long';
  for (const [op, arg] of ops) {
    isLong = isLong || numericKind(arg) === 'long';
    const b = toBigInt(arg);
    value = op === 'and' ? value & b : op === 'or' ? value | b : value ^ b;
    value = BigInt.asIntN(isLong ? 64 : 32, value);
  }
  return isLong ? Long.fromBigInt(value) : Number(value);
}

export function parseBit(path: string, value: unknown): LeafOp {
  if (!isPlainObject(value)) {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      `The $bit modifier is not compatible with a ${typeName(value)}. You must pass in an embedded document: ${FORMAT}`,
    );
  }
  const ops: [BitOp, unknown][] = [];
  for (const [name, arg] of Object.entries(value)) {
    if (name !== 'and' && name !== 'or' && name !== 'xor') {
      throw new MongoCommandError(
        ErrorCodes.BadValue,
        `The $bit modifier only supports 'and', 'or', and 'xor', not '${name}' which is an unknown operator: {${formatElement(name, arg)}}`,
      );
    }
    if (!isIntegral(arg)) {
      throw new MongoCommandError(
        ErrorCodes.BadValue,
        `The $bit modifier field must be an Integer(32/64 bit); a '${typeName(arg)}' is not supported here: {${formatElement(name, arg)}}`,
      );
    }
    ops.push([name, arg]);
  }
  if (ops.length === 0) {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      `You must pass in at least one bitwise operation. The format is: ${FORMAT}`,
    );
  }
  return {
    operator: '$bit',
    path,
    checksViability: false,
    applyExisting(current, ctx) {
      if (!isIntegral(current)) {
        throw new MongoCommandError(
          ErrorCodes.BadValue,
          `Cannot apply $bit to a value of non-integral type.${describeId(ctx.doc)} has the field ${ctx.parts[ctx.parts.length - 1].name} of non-integer type ${typeName(current)}`,
        );
      }
      return setTo(applyOps(current, ops));
    },
    applyMissing: () => setTo(applyOps(0, ops)),
  };
}
