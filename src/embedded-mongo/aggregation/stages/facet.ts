/** $facet: several sub-pipelines over the same (buffered) input; one output document of arrays. */
import type { Document } from '../../bson.js';
import { fail, isPlainObject, setOwn, show, typeName } from '../expressions/core.js';
import { fieldPathParts } from './paths.js';
import { collect, type CompiledPipeline, type StageParser, type StreamStage } from './stage.js';

export const parseFacet: StageParser = (spec, pc, name) => {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) {
    fail(40169, `the $facet specification must be a non-empty object, but found: $facet: ${show(spec)}`);
  }
  const facets: [string, CompiledPipeline][] = [];
  for (const [facet, pipeline] of Object.entries(spec)) {
    if (pipeline === undefined) continue;
    if (fieldPathParts(facet).length !== 1) {
      fail(16412, "FieldPath field names may not contain '.'. Consider using $getField or $setField.");
    }
    if (!Array.isArray(pipeline))
      fail(14, `arguments to $facet must be arrays, ${facet} is type ${typeName(pipeline)}`);
    if (pipeline.length === 0) fail(40170, 'sub-pipeline in $facet stage cannot be empty');
    facets.push([facet, pc.parseSubPipeline(pipeline, '$facet')]);
  }
  const stage: StreamStage = {
    name,
    kind: 'stream',
    async *run(input, env) {
      const docs = await collect(input);
      const out: Document = {};
      for (const [facet, pipeline] of facets) setOwn(out, facet, await collect(pipeline.run(docs, env)));
      yield [out];
    },
  };
  return stage;
};
