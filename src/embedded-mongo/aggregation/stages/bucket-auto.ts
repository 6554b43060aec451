/**
 * $bucketAuto (without `granularity`): documents sorted by `groupBy` and cut into `buckets`
 * groups of about equal size, never splitting equal values; each bucket's _id is {min, max} where
 * max is the next bucket's min (the last bucket's max is its largest value).
 */
import type { Document } from '../../bson.js';
import { compareValues, numericKind } from '../../values/index.js';
import { startAccumulator } from '../accumulators.js';
import { fail, isPlainObject, setOwn, show, typeName } from '../expressions/core.js';
import { coerceToLong, isIntegral } from '../expressions/numbers.js';
import { countField, isGroupByExpression } from './bucket.js';
import { parseGroupFields } from './group.js';
import { approxSize, MemoryGuard } from './memory.js';
import { chunks, type StageParser, type StreamStage } from './stage.js';

export const parseBucketAuto: StageParser = (spec, pc, name) => {
  if (!isPlainObject(spec))
    fail(40240, `The argument to $bucketAuto must be an object, but found type: ${typeName(spec)}.`);
  let groupBy: unknown;
  let buckets: number | undefined;
  let output: Document | undefined;
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined) continue;
    if (k === 'groupBy') {
      if (!isGroupByExpression(v)) {
        fail(
          40239,
          `The $bucketAuto 'groupBy' field must be defined as a $-prefixed path or an expression object, but found: ${show(v)}.`,
        );
      }
      groupBy = v;
    } else if (k === 'buckets') {
      if (!numericKind(v) || !isIntegral(v)) {
        fail(
          40241,
          `The $bucketAuto 'buckets' field must be a numeric value that can be represented as a 32-bit integer, but found: ${show(v)}.`,
        );
      }
      buckets = Number(coerceToLong(v));
      if (buckets <= 0)
        fail(40243, `The $bucketAuto 'buckets' field must be greater than 0, but found: ${buckets}.`);
    } else if (k === 'output') {
      if (!isPlainObject(v))
        fail(40244, `The $bucketAuto 'output' field must be an object, but found type: ${typeName(v)}.`);
      output = v;
    } else if (k === 'granularity') {
      fail(238, '$bucketAuto granularity is not supported by the embedded server');
    } else {
      fail(40245, `Unrecognized option to $bucketAuto: ${k}.`);
    }
  }
  if (groupBy === undefined || buckets === undefined) {
    fail(40246, "$bucketAuto requires 'groupBy' and 'buckets' to be specified");
  }
  const groupByExpr = pc.compile(groupBy);
  const fields = output ? parseGroupFields(output, pc, []) : countField(pc);
  const nBuckets = buckets;
  const stage: StreamStage = {
    name,
    kind: 'stream',
    async *run(input, env) {
      const guard = new MemoryGuard(
        env,
        "Exceeded memory limit for $bucketAuto, but didn't allow external spilling.",
      );
      const entries: { key: unknown; doc: Document }[] = [];
      for await (const batch of input) {
        for (const doc of batch) {
          const v = groupByExpr(doc, env.vars);
          if (guard.active) guard.add(approxSize(doc));
          entries.push({ key: v === undefined ? null : v, doc });
        }
      }
      if (entries.length === 0) return;
      const order = entries.map((_, i) => i);
      order.sort((i, j) => compareValues(entries[i].key, entries[j].key) || i - j);
      const sorted = order.map((i) => entries[i]);
      const approx = Math.max(1, Math.round(sorted.length / nBuckets));
      const ranges: [number, number][] = [];
      let i = 0;
      while (i < sorted.length) {
        const start = i;
        if (ranges.length === nBuckets - 1) {
          i = sorted.length;
        } else {
          i = Math.min(sorted.length, i + approx);
          while (i < sorted.length && compareValues(sorted[i].key, sorted[i - 1].key) === 0) i++;
        }
        ranges.push([start, i]);
      }
      const results: Document[] = [];
      for (let b = 0; b < ranges.length; b++) {
        const [start, end] = ranges[b];
        const min = sorted[start].key;
        const max = b + 1 < ranges.length ? sorted[ranges[b + 1][0]].key : sorted[end - 1].key;
        const id = { min, max };
        const accs = fields.map((f) => startAccumulator(f.spec, id, env.vars));
        for (let k = start; k < end; k++) {
          fields.forEach((f, fi) => accs[fi].process(f.spec.argument(sorted[k].doc, env.vars)));
        }
        const out: Document = { _id: id };
        fields.forEach((f, fi) => setOwn(out, f.field, accs[fi].value()));
        results.push(out);
      }
      yield* chunks(results);
    },
  };
  return stage;
};
