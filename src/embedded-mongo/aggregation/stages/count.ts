/** $count: one document {<field>: <number of input documents>}, or none for empty input. */
import type { Document } from '../../bson.js';
import { fail, intOrLong } from '../expressions/core.js';
import type { StageParser, StreamStage } from './stage.js';

export const parseCount: StageParser = (spec, _pc, name) => {
  if (typeof spec !== 'string') fail(40156, 'the count field must be a non-empty string');
  if (spec === '') fail(40157, 'the count field must be a non-empty string');
  if (spec.startsWith('$')) fail(40158, 'the count field cannot be a $-prefixed path');
  if (spec.includes('\0')) fail(40159, 'the count field cannot contain a null byte');
  if (spec.includes('.')) fail(40160, "the count field cannot contain '.'");
  const field = spec;
  const stage: StreamStage = {
    name,
    kind: 'stream',
    async *run(input) {
      let n = 0;
      for await (const batch of input) n += batch.length;
      if (n > 0) {
        const out: Document = {};
        out[field] = intOrLong(n);
        yield [out];
      }
    },
  };
  return stage;
};
