/** $limit (a positive integer; stops pulling input once reached) and $skip (a non-negative integer). */
import type { Document } from '../../bson.js';
import { fail, show } from '../expressions/core.js';
import { isIntegral64, coerceToLong } from '../expressions/numbers.js';
import { numericKind, toDouble } from '../../values/index.js';
import type { Batches, StageParser, StreamStage } from './stage.js';

/** The integer argument of $limit / $skip, validated as mongod 5.0+ does (5107201 / 5107200). */
function integerArgument(spec: unknown, name: string, code: number): number {
  const shown = `${name}: ${show(spec)}`;
  if (!numericKind(spec)) fail(code, `invalid argument to ${name} stage: Expected a number in: ${shown}`);
  if (toDouble(spec) < 0)
    fail(code, `invalid argument to ${name} stage: Expected a non-negative number in: ${shown}`);
  if (!isIntegral64(spec)) {
    const why =
      numericKind(spec) === 'decimal' ? 'Cannot represent as a 64-bit integer' : 'Expected an integer';
    fail(code, `invalid argument to ${name} stage: ${why}: ${shown}`);
  }
  return Number(coerceToLong(spec));
}

export const parseLimit: StageParser = (spec, _pc, name) => {
  const limit = integerArgument(spec, name, 5107201);
  if (limit === 0) fail(15958, 'the limit must be positive');
  const stage: StreamStage = {
    name,
    kind: 'stream',
    limit,
    async *run(input: Batches) {
      let left = limit;
      for await (const batch of input) {
        if (batch.length >= left) {
          yield batch.length === left ? batch : batch.slice(0, left);
          return;
        }
        left -= batch.length;
        yield batch;
      }
    },
  };
  return stage;
};

export const parseSkip: StageParser = (spec, _pc, name) => {
  const skip = integerArgument(spec, name, 5107200);
  const stage: StreamStage = {
    name,
    kind: 'stream',
    skip,
    async *run(input: Batches) {
      let left = skip;
      for await (const batch of input) {
        if (left === 0) {
          yield batch;
        } else if (batch.length <= left) {
          left -= batch.length;
        } else {
          const rest: Document[] = batch.slice(left);
          left = 0;
          yield rest;
        }
      }
    },
  };
  return stage;
};
