/** $sample {size: n}: n documents chosen uniformly at random (reservoir sampling), in random order. */
import type { Document } from '../../bson.js';
import { numericKind, toDouble } from '../../values/index.js';
import { fail, isPlainObject, typeName } from '../expressions/core.js';
import { coerceToLong } from '../expressions/numbers.js';
import { chunks, type StageParser, type StreamStage } from './stage.js';

export const parseSample: StageParser = (spec, _pc, name) => {
  if (!isPlainObject(spec)) fail(28745, 'the $sample stage specification must be an object');
  let size: number | undefined;
  for (const [k, v] of Object.entries(spec)) {
    if (k !== 'size') fail(28748, `unrecognized option to $sample: ${k}`);
    if (!numericKind(v)) fail(28746, `size argument to $sample must be a number, not ${typeName(v)}`);
    if (toDouble(v) < 0) fail(28747, 'size argument to $sample must not be negative');
    size = Number(coerceToLong(v));
  }
  if (size === undefined) fail(28749, '$sample stage must specify a size');
  const n = size;
  const stage: StreamStage = {
    name,
    kind: 'stream',
    async *run(input) {
      const reservoir: Document[] = [];
      let seen = 0;
      for await (const batch of input) {
        for (const doc of batch) {
          seen++;
          if (reservoir.length < n) reservoir.push(doc);
          else {
            const j = Math.floor(Math.random() * seen);
            if (j < n) reservoir[j] = doc;
          }
        }
      }
      for (let i = reservoir.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [reservoir[i], reservoir[j]] = [reservoir[j], reservoir[i]];
      }
      yield* chunks(reservoir);
    },
  };
  return stage;
};
