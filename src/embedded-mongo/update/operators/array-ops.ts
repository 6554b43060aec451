/**
 * Array modifiers: $push (with $each/$position/$sort/$slice), $addToSet (with $each), $pop,
 * $pull (value, regex, value condition, or query on document elements) and $pullAll.
 * Membership and $pull equality use MongoDB's comparison (1 equals 1.0 equals 1L).
 */
import { MongoCommandError, ErrorCodes } from '../../errors.js';
import { bsonTypeOf, isPlainObject, numberValueOf } from '../../values/types.js';
import { compareValues, valuesEqual } from '../../values/compare.js';
import { keyString } from '../../values/keystring.js';
import { getPath } from '../../values/paths.js';
import { numericKind, toDec } from '../../values/numeric.js';
import { describeId, formatElement, formatValue, typeName } from '../format.js';
import { NOOP, setTo, type LeafOp, type ParseEnv } from './leaf-op.js';

const PUSH_CLAUSES = new Set(['$each', '$slice', '$sort', '$position']);

/** MatchExpressionParser::parseIntegerElementToLong: any numeric holding an exact 64-bit integer. */
function integerValue(v: unknown): number | undefined {
  const kind = numericKind(v);
  if (kind === undefined) return undefined;
  if (kind === 'decimal') {
    const d = toDec(v);
    return d.isInteger() ? d.toNumber() : undefined;
  }
  const n = numberValueOf(v);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

type Comparator = (a: unknown, b: unknown) => number;

function sortComparator(sort: unknown): Comparator {
  if (isPlainObject(sort)) {
    if (Object.keys(sort).length === 0) {
      throw new MongoCommandError(
        ErrorCodes.BadValue,
        'The $sort pattern is empty when it should be a set of fields.',
      );
    }
    const fields: [string, number][] = [];
    for (const [field, dir] of Object.entries(sort)) {
      const d = numericKind(dir) === undefined ? 0 : numberValueOf(dir);
      if (d !== 1 && d !== -1) {
        throw new MongoCommandError(ErrorCodes.BadValue, 'The $sort element value must be either 1 or -1');
      }
      if (field === '') throw new MongoCommandError(ErrorCodes.BadValue, 'The $sort field cannot be empty');
      if (field.split('.').some((p) => p === '')) {
        throw new MongoCommandError(
          ErrorCodes.BadValue,
          `The $sort field is a dotted field but has an empty part: ${field}`,
        );
      }
      fields.push([field, d]);
    }
    // Elements that are not documents have no fields: every key of theirs is null.
    const keyOf = (el: unknown, field: string): unknown =>
      isPlainObject(el) ? (getPath(el, field) ?? null) : null;
    return (a, b) => {
      for (const [field, dir] of fields) {
        const c = compareValues(keyOf(a, field), keyOf(b, field));
        if (c !== 0) return c * dir;
      }
      return 0;
    };
  }
  if (numericKind(sort) !== undefined) {
    const d = numberValueOf(sort);
    if (d !== 1 && d !== -1) {
      throw new MongoCommandError(ErrorCodes.BadValue, 'The $sort element value must be either 1 or -1');
    }
    return (a, b) => compareValues(a, b) * d;
  }
  throw new MongoCommandError(
    ErrorCodes.BadValue,
    'The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields',
  );
}

interface PushSpec {
  readonly values: readonly unknown[];
  readonly position: number | undefined;
  readonly slice: number | undefined;
  readonly sort: Comparator | undefined;
}

function parsePushSpec(value: unknown): PushSpec {
  if (!isPlainObject(value) || !Object.prototype.hasOwnProperty.call(value, '$each')) {
    return { values: [value], position: undefined, slice: undefined, sort: undefined };
  }
  for (const clause of Object.keys(value)) {
    if (!PUSH_CLAUSES.has(clause)) {
      throw new MongoCommandError(ErrorCodes.BadValue, `Unrecognized clause in $push: ${clause}`);
    }
  }
  const each = value.$each;
  if (!Array.isArray(each)) {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      `The argument to $each in $push must be an array but it was of type: ${typeName(each)}`,
    );
  }
  let slice: number | undefined;
  if ('$slice' in value) {
    slice = integerValue(value.$slice);
    if (slice === undefined) {
      throw new MongoCommandError(
        ErrorCodes.BadValue,
        `The value for $slice must be an integer value but was given type: ${typeName(value.$slice)}`,
      );
    }
  }
  const sort = '$sort' in value ? sortComparator(value.$sort) : undefined;
  let position: number | undefined;
  if ('$position' in value) {
    position = integerValue(value.$position);
    if (position === undefined) {
      throw new MongoCommandError(
        ErrorCodes.BadValue,
        `The value for $position must be an integer value, not of type: ${typeName(value.$position)}`,
      );
    }
  }
  return { values: each, position, slice, sort };
}

/** PushNode::performPush: insert at $position (append by default), then $sort, then $slice. */
function performPush(array: readonly unknown[], spec: PushSpec): { value: unknown[]; appendedFrom?: number } {
  const out = array.slice();
  let appendedFrom: number | undefined;
  if (spec.values.length > 0) {
    const size = out.length;
    const position = spec.position ?? Number.POSITIVE_INFINITY;
    if (size === 0) out.push(...spec.values);
    else if (position > size) {
      appendedFrom = size;
      out.push(...spec.values);
    } else if (position > 0) out.splice(position, 0, ...spec.values);
    else if (position < 0 && -position < size) out.splice(size + position, 0, ...spec.values);
    else out.unshift(...spec.values);
  }
  if (spec.sort) {
    appendedFrom = undefined;
    out.sort(spec.sort);
  }
  if (spec.slice !== undefined && out.length > Math.abs(spec.slice)) {
    appendedFrom = undefined;
    if (spec.slice >= 0) out.length = spec.slice;
    else out.splice(0, out.length + spec.slice);
  }
  return appendedFrom === undefined ? { value: out } : { value: out, appendedFrom };
}

export function parsePush(path: string, value: unknown): LeafOp {
  const spec = parsePushSpec(value);
  return {
    operator: '$push',
    path,
    checksViability: false,
    applyExisting(current, ctx) {
      if (!Array.isArray(current)) {
        throw new MongoCommandError(
          ErrorCodes.BadValue,
          `The field '${ctx.path}' must be an array but is of type ${typeName(current)} in document {${describeId(ctx.doc)}}`,
        );
      }
      const r = performPush(current, spec);
      return setTo(r.value, r.appendedFrom);
    },
    applyMissing: () => setTo(performPush([], spec).value),
  };
}

function dedupe(values: readonly unknown[]): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const v of values) {
    const k = keyString(v);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(v);
    }
  }
  return out;
}

export function parseAddToSet(path: string, value: unknown): LeafOp {
  let elements: unknown[] = [value];
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys[0] === '$each') {
      const each = value.$each;
      if (!Array.isArray(each)) {
        throw new MongoCommandError(
          ErrorCodes.TypeMismatch,
          `The argument to $each in $addToSet must be an array but it was of type ${typeName(each)}`,
        );
      }
      if (keys.length > 1) {
        throw new MongoCommandError(
          ErrorCodes.BadValue,
          `Found unexpected fields after $each in $addToSet: ${formatValue(value)}`,
        );
      }
      elements = each;
    }
  }
  const toAdd = dedupe(elements);
  return {
    operator: '$addToSet',
    path,
    checksViability: false,
    applyExisting(current, ctx) {
      if (!Array.isArray(current)) {
        throw new MongoCommandError(
          ErrorCodes.BadValue,
          `Cannot apply $addToSet to non-array field. Field named '${ctx.parts[ctx.parts.length - 1].name}' has non-array type ${typeName(current)}`,
        );
      }
      const present = new Set(current.map((x) => keyString(x)));
      const added = toAdd.filter((x) => !present.has(keyString(x)));
      return added.length === 0 ? NOOP : setTo([...current, ...added]);
    },
    applyMissing: () => setTo(toAdd.slice()),
  };
}

export function parsePop(path: string, value: unknown): LeafOp {
  if (numericKind(value) === undefined) {
    throw new MongoCommandError(
      ErrorCodes.FailedToParse,
      `Expected a number in: ${formatElement(path, value)}`,
    );
  }
  const n = numberValueOf(value);
  if (n !== 1 && n !== -1) {
    throw new MongoCommandError(
      ErrorCodes.FailedToParse,
      `$pop expects 1 or -1, found: ${formatValue(value)}`,
    );
  }
  return {
    operator: '$pop',
    path,
    checksViability: true,
    applyExisting(current, ctx) {
      if (!Array.isArray(current)) {
        throw new MongoCommandError(
          ErrorCodes.TypeMismatch,
          `Path '${ctx.path}' contains an element of non-array type '${typeName(current)}'`,
        );
      }
      if (current.length === 0) return NOOP;
      return setTo(n === 1 ? current.slice(0, -1) : current.slice(1));
    },
    applyMissing: () => NOOP,
  };
}

function culling(operator: '$pull' | '$pullAll', path: string, remove: (el: unknown) => boolean): LeafOp {
  return {
    operator,
    path,
    checksViability: true,
    applyExisting(current) {
      if (!Array.isArray(current)) {
        throw new MongoCommandError(ErrorCodes.BadValue, 'Cannot apply $pull to a non-array value');
      }
      const kept = current.filter((el) => !remove(el));
      return kept.length === current.length ? NOOP : setTo(kept);
    },
    applyMissing: () => NOOP,
  };
}

/** Wraps a value so a condition written for a field ({$gte: 6}, /re/) can be run by the query matcher. */
const WRAP = 'x';

/**
 * $pull's three matchers (as mongod's PullNode): an object whose first field is an operator, or
 * a regex, is a condition on each element; any other object is a query every document element
 * must match (non-documents never do); anything else is equality.
 */
export function parsePull(path: string, value: unknown, env: ParseEnv): LeafOp {
  const t = bsonTypeOf(value);
  if (isPlainObject(value)) {
    const first = Object.keys(value)[0];
    if (first !== undefined && first.startsWith('$')) {
      const test = env.compileFilter({ [WRAP]: value });
      return culling('$pull', path, (el) => test({ [WRAP]: el }));
    }
    const test = env.compileFilter(value);
    return culling('$pull', path, (el) => isPlainObject(el) && test(el));
  }
  if (t === 'regex') {
    const test = env.compileFilter({ [WRAP]: value });
    return culling('$pull', path, (el) => test({ [WRAP]: el }));
  }
  return culling('$pull', path, (el) => valuesEqual(el, value));
}

export function parsePullAll(path: string, value: unknown): LeafOp {
  if (!Array.isArray(value)) {
    throw new MongoCommandError(
      ErrorCodes.BadValue,
      `$pullAll requires an array argument but was given a ${typeName(value)}`,
    );
  }
  const keys = new Set(value.map((v) => keyString(v)));
  return culling('$pullAll', path, (el) => keys.has(keyString(el)));
}
