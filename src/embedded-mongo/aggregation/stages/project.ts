/** $project, $addFields / $set and $unset: see ../projection.ts for the semantics. */
import { fail, isPlainObject, typeName } from '../expressions/core.js';
import { copyDocumentMetadata } from '../metadata.js';
import { parseAddFieldsSpec, parseProjectSpec, parseUnsetSpec, type Projection } from '../projection.js';
import { transformStage, type StageParser } from './stage.js';

function stageOf(name: string, p: Projection) {
  return transformStage(name, (doc, env) => {
    const out = p.apply(doc, env.vars);
    copyDocumentMetadata(doc, out);
    return out;
  });
}

export const parseProject: StageParser = (spec, pc, name) => {
  if (!isPlainObject(spec)) fail(15969, `$project specification must be an object, not ${typeName(spec)}`);
  return stageOf(
    name,
    parseProjectSpec(spec, (e) => pc.compile(e)),
  );
};

export const parseAddFields: StageParser = (spec, pc, name) => {
  if (!isPlainObject(spec))
    fail(40272, `${name} specification stage must be an object, got ${typeName(spec)}`);
  return stageOf(
    name,
    parseAddFieldsSpec(spec, (e) => pc.compile(e)),
  );
};

export const parseUnset: StageParser = (spec, _pc, name) => stageOf(name, parseUnsetSpec(spec));
