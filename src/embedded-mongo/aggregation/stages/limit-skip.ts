/** $limit (a positive integer; stops pulling input once reached) and $skip (a non-negative integer). */
import type { Document } from '../../bson.js';
import { fail, typeName } from '../expressions/core.js';
import { isIntegral64, coerceToLong } from '../expressions/numbers.js';
import { numericKind } from '../../values/index.js';
import type { RunEnv, StageParser, StreamStage } from './stage.js';

export const parseLimit: StageParser = (spec, _pc, name) => {
  if (!numericKind(spec)) fail(15957, `the limit must be specified as a number, not ${typeName(spec)}`);
  if (!isIntegral64(spec))
    fail(15957, `invalid argument to $limit stage: Expected an integer: $limit: ${String(spec)}`);
  const limit = Number(coerceToLong(spec));
  if (limit <= 0) fail(15958, 'the limit must be positive');
  const stage: StreamStage = {
    name,
    kind: 'stream',
    limit,
    async *run(input: AsyncIterable<Document>, _env: RunEnv) {
      let n = 0;
      for await (const d of input) {
        yield d;
        if (++n >= limit) return;
      }
    },
  };
  return stage;
};

export const parseSkip: StageParser = (spec, _pc, name) => {
  if (!numericKind(spec)) fail(15972, `Argument to $skip must be a number not a ${typeName(spec)}`);
  if (!isIntegral64(spec))
    fail(15972, `invalid argument to $skip stage: Expected an integer: $skip: ${String(spec)}`);
  const skip = Number(coerceToLong(spec));
  if (skip < 0) fail(15956, 'Argument to $skip cannot be negative');
  const stage: StreamStage = {
    name,
    kind: 'stream',
    skip,
    async *run(input: AsyncIterable<Document>) {
      let n = 0;
      for await (const d of input) {
        if (n++ < skip) continue;
        yield d;
      }
    },
  };
  return stage;
};
