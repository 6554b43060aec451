/**
 * $documents: a literal (or computed) array of documents as the pipeline's source, for db-level
 * aggregates and $lookup / $unionWith sub-pipelines. The pipeline's input is ignored.
 */
import type { Document } from '../../bson.js';
import { fail, isPlainObject } from '../expressions/core.js';
import { chunks, type StageParser, type StreamStage } from './stage.js';

export const parseDocuments: StageParser = (spec, pc, name) => {
  const expr = pc.compile(spec);
  const stage: StreamStage = {
    name,
    kind: 'stream',
    async *run(_input, env) {
      const v = expr({}, env.vars);
      if (!Array.isArray(v)) fail(5858203, 'an array is expected');
      for (const d of v) {
        if (!isPlainObject(d)) fail(40228, '$documents: each element of the array must be an object');
      }
      yield* chunks(v as Document[]);
    },
  };
  return stage;
};
