/** $limit (a positive integer; stops pulling input once reached) and $skip (a non-negative integer). */
import type { Document } from '../../bson.js';
import { fail, typeName } from '../expressions/core.js';
import { isIntegral64, coerceToLong } from '../expressions/numbers.js';
import { numericKind } from '../../values/index.js';
import type { Batches, StageParser, StreamStage } from './stage.js';

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
  if (!numericKind(spec)) fail(15972, `Argument to $skip must be a number not a ${typeName(spec)}`);
  if (!isIntegral64(spec))
    fail(15972, `invalid argument to $skip stage: Expected an integer: $skip: ${String(spec)}`);
  const skip = Number(coerceToLong(spec));
  if (skip < 0) fail(15956, 'Argument to $skip cannot be negative');
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
