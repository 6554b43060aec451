/** $unionWith: the input documents, then those of another collection (through an optional pipeline). */
import { fail, isPlainObject, typeName } from '../expressions/core.js';
import { parseNamespace, type Namespace } from './lookup.js';
import { batchesOf, type CompiledPipeline, type StageParser, type StreamStage } from './stage.js';

export const parseUnionWith: StageParser = (spec, pc, name) => {
  let ns: Namespace | undefined;
  let sub: CompiledPipeline | undefined;
  if (typeof spec === 'string') {
    ns = parseNamespace(spec, pc.ctx.db, '$unionWith');
  } else if (isPlainObject(spec)) {
    let pipeline: unknown;
    for (const [k, v] of Object.entries(spec)) {
      if (v === undefined) continue;
      if (k === 'coll') {
        if (typeof v !== 'string' && !isPlainObject(v)) {
          fail(14, `BSON field '$unionWith.coll' is the wrong type '${typeName(v)}', expected type 'string'`);
        }
        ns = parseNamespace(v, pc.ctx.db, '$unionWith coll');
      } else if (k === 'pipeline') {
        if (!Array.isArray(v))
          fail(
            14,
            `BSON field '$unionWith.pipeline' is the wrong type '${typeName(v)}', expected type 'array'`,
          );
        pipeline = v;
      } else {
        fail(40415, `BSON field '$unionWith.${k}' is an unknown field.`);
      }
    }
    const startsWithDocuments =
      Array.isArray(pipeline) && isPlainObject(pipeline[0]) && '$documents' in pipeline[0];
    if (!ns && !startsWithDocuments)
      fail(40414, "BSON field '$unionWith.coll' is missing but a required field");
    if (pipeline !== undefined) sub = pc.parseSubPipeline(pipeline, '$unionWith');
  } else {
    fail(9, `the $unionWith stage specification must be an object or string, but found ${typeName(spec)}`);
  }
  const target = ns;
  const stage: StreamStage = {
    name,
    kind: 'stream',
    async *run(input, env) {
      yield* input;
      const source = target ? env.ctx.resolveCollection(target.db, target.coll) : [];
      yield* sub ? sub.run(source, env) : batchesOf(source);
    },
  };
  return stage;
};
