/** $replaceRoot {newRoot: <expr>} and $replaceWith <expr>: the result must be a document (40228). */
import type { Document } from '../../bson.js';
import { fail, isPlainObject, show, typeName, type CompiledExpr } from '../expressions/core.js';
import { transformStage, type StageParser } from './stage.js';

function replaceStage(name: string, expr: CompiledExpr) {
  return transformStage(name, (doc, env) => {
    const v = expr(doc, env.vars);
    if (!isPlainObject(v)) {
      fail(
        40228,
        `'newRoot' expression must evaluate to an object, but resulting value was: ${show(v)}. Type of resulting value: '${typeName(v)}'. Input document: ${show(doc)}`,
      );
    }
    return v as Document;
  });
}

export const parseReplaceRoot: StageParser = (spec, pc, name) => {
  if (!isPlainObject(spec))
    fail(40229, `expected an object as specification for $replaceRoot stage, got ${typeName(spec)}`);
  let newRoot: unknown;
  let has = false;
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'newRoot') [newRoot, has] = [v, true];
    else fail(40415, `BSON field '$replaceRoot.${k}' is an unknown field.`);
  }
  if (!has) fail(40414, "BSON field '$replaceRoot.newRoot' is missing but a required field");
  return replaceStage(name, pc.compile(newRoot));
};

export const parseReplaceWith: StageParser = (spec, pc, name) => replaceStage(name, pc.compile(spec));
