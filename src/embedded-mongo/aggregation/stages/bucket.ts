/**
 * $bucket: documents grouped into [boundary[i], boundary[i+1]) ranges of `groupBy` (MongoDB's
 * value order), the rest into `default` (40066 when there is none), output sorted by bucket _id.
 * `output` defaults to {count: {$sum: 1}}.
 */
import type { Document } from '../../bson.js';
import { canonicalRank, bsonTypeOf, compareValues } from '../../values/index.js';
import { fail, isPlainObject, show, typeName, type CompiledExpr } from '../expressions/core.js';
import { groupDocuments, parseGroupFields, type GroupField } from './group.js';
import { MemoryGuard } from './memory.js';
import { chunks, type StageParseContext, type StageParser, type StreamStage } from './stage.js';

/** Default output of $bucket / $bucketAuto. */
export function countField(pc: StageParseContext): GroupField[] {
  return parseGroupFields({ count: { $sum: 1 } }, pc, []);
}

export function isGroupByExpression(v: unknown): boolean {
  if (typeof v === 'string') return v.startsWith('$');
  return isPlainObject(v) && Object.keys(v).length > 0 && Object.keys(v)[0].startsWith('$');
}

export const parseBucket: StageParser = (spec, pc, name) => {
  if (!isPlainObject(spec))
    fail(40201, `Argument to $bucket stage must be an object, but found type: ${typeName(spec)}.`);
  let groupBy: unknown;
  let boundaries: unknown[] | undefined;
  let defaultSpec: unknown;
  let hasDefault = false;
  let output: Document | undefined;
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined) continue;
    if (k === 'groupBy') {
      if (!isGroupByExpression(v)) {
        fail(
          40202,
          `The $bucket 'groupBy' field must be defined as a $-prefixed path or an expression, but found: ${show(v)}.`,
        );
      }
      groupBy = v;
    } else if (k === 'boundaries') {
      if (!Array.isArray(v))
        fail(40200, `The $bucket 'boundaries' field must be an array, but found type: ${typeName(v)}.`);
      boundaries = v;
    } else if (k === 'default') {
      defaultSpec = v;
      hasDefault = true;
    } else if (k === 'output') {
      if (!isPlainObject(v))
        fail(40196, `The $bucket 'output' field must be an object, but found type: ${typeName(v)}.`);
      output = v;
    } else {
      fail(40197, `Unrecognized option to $bucket: ${k}.`);
    }
  }
  if (groupBy === undefined || boundaries === undefined) {
    fail(40198, "$bucket requires 'groupBy' and 'boundaries' to be specified.");
  }
  if (boundaries.length < 2) {
    fail(
      40192,
      `The $bucket 'boundaries' field must have at least 2 values, but found ${boundaries.length} value(s).`,
    );
  }
  const bounds = boundaries.map((b) => {
    const e = pc.compile(b);
    if (!e.constant)
      fail(
        40191,
        `The $bucket 'boundaries' field must be an array of constant values, but found value: ${show(b)}.`,
      );
    return e.constant.value;
  });
  for (let i = 1; i < bounds.length; i++) {
    const [a, b] = [bounds[i - 1], bounds[i]];
    if (canonicalRank(bsonTypeOf(a)) !== canonicalRank(bsonTypeOf(b))) {
      fail(
        40193,
        `All values in the the 'boundaries' option to $bucket must have the same type. Found conflicting types ${typeName(a)} and ${typeName(b)}.`,
      );
    }
    if (compareValues(a, b) >= 0) {
      fail(
        40194,
        `The 'boundaries' option to $bucket must be sorted, but elements ${i - 1} and ${i} are not in ascending order (${show(a)} is not less than ${show(b)}).`,
      );
    }
  }
  let defaultValue: unknown;
  if (hasDefault) {
    const e = pc.compile(defaultSpec);
    if (!e.constant)
      fail(
        40195,
        `The $bucket 'default' field must be a constant expression, but found: ${show(defaultSpec)}.`,
      );
    defaultValue = e.constant.value;
    const sameType = canonicalRank(bsonTypeOf(defaultValue)) === canonicalRank(bsonTypeOf(bounds[0]));
    if (
      sameType &&
      compareValues(defaultValue, bounds[0]) >= 0 &&
      compareValues(defaultValue, bounds[bounds.length - 1]) < 0
    ) {
      fail(
        40199,
        "The $bucket 'default' field must be less than the lowest boundary or greater than or equal to the highest boundary.",
      );
    }
  }
  const groupByExpr = pc.compile(groupBy);
  const fields = output ? parseGroupFields(output, pc, []) : countField(pc);
  const idExpr: CompiledExpr = (root, vars) => {
    const v = groupByExpr(root, vars);
    const x = v === undefined ? null : v;
    // The last boundary whose value is <= x, if x is below the top boundary.
    if (compareValues(x, bounds[0]) >= 0 && compareValues(x, bounds[bounds.length - 1]) < 0) {
      let lo = 0;
      let hi = bounds.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (compareValues(x, bounds[mid]) >= 0) lo = mid;
        else hi = mid;
      }
      return bounds[lo];
    }
    if (!hasDefault)
      fail(40066, '$switch could not find a matching branch for an input, and no default was specified.');
    return defaultValue;
  };
  const stage: StreamStage = {
    name,
    kind: 'stream',
    async *run(input, env) {
      const guard = new MemoryGuard(
        env,
        "Exceeded memory limit for $bucket, but didn't allow external spilling.",
      );
      const groups = await groupDocuments(input, idExpr, fields, env.vars, guard);
      groups.sort((a, b) => compareValues(a._id, b._id));
      yield* chunks(groups);
    },
  };
  return stage;
};
