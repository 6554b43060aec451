/**
 * $lookup: equality join (localField / foreignField), sub-pipeline join (pipeline + let), or both
 * (the sub-pipeline runs over the equality matches). A local array matches any of its elements; a
 * missing local value matches foreign null / missing. Matches keep the foreign collection's order.
 * Spec errors are FailedToParse (9) as in mongod.
 */
import type { Document } from '../../bson.js';
import { fail, isPlainObject, typeName, type CompiledExpr } from '../expressions/core.js';
import { validateVariableNameForWrite } from '../expressions/field-path.js';
import { foreignDocuments, foreignIndex, lookupKeys, pathKeys } from './foreign.js';
import { fieldPathParts, setNested } from './paths.js';
import { collect, type CompiledPipeline, type StageParser, type StreamStage } from './stage.js';

const FailedToParse = 9;

export interface Namespace {
  db: string;
  coll: string;
}

/** Parses a `from` / `coll` value: a collection name or {db, coll}. */
export function parseNamespace(v: unknown, db: string, what: string): Namespace {
  if (typeof v === 'string') {
    if (v === '') fail(FailedToParse, `${what} must be a non-empty string`);
    return { db, coll: v };
  }
  if (isPlainObject(v) && typeof v.coll === 'string') {
    return { db: typeof v.db === 'string' ? v.db : db, coll: v.coll };
  }
  fail(FailedToParse, `${what} must be a string or an object with 'db' and 'coll', but found ${typeName(v)}`);
}

function startsWithDocuments(pipeline: unknown): boolean {
  return Array.isArray(pipeline) && isPlainObject(pipeline[0]) && '$documents' in pipeline[0];
}

export const parseLookup: StageParser = (spec, pc, name) => {
  if (!isPlainObject(spec))
    fail(FailedToParse, `the $lookup stage specification must be an object, but found ${typeName(spec)}`);
  let from: Namespace | undefined;
  let as: string | undefined;
  let localField: string | undefined;
  let foreignField: string | undefined;
  let letSpec: Document | undefined;
  let pipelineSpec: unknown;
  let hasPipeline = false;
  const str = (k: string, v: unknown): string => {
    if (typeof v !== 'string')
      fail(FailedToParse, `$lookup argument '${k}' must be a string, found ${typeName(v)}`);
    return v;
  };
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined) continue;
    switch (k) {
      case 'from':
        from = parseNamespace(v, pc.ctx.db, "$lookup argument 'from'");
        break;
      case 'as':
        as = str(k, v);
        break;
      case 'localField':
        localField = str(k, v);
        break;
      case 'foreignField':
        foreignField = str(k, v);
        break;
      case 'let':
        if (!isPlainObject(v))
          fail(FailedToParse, `$lookup argument 'let' must be an object, found ${typeName(v)}`);
        letSpec = v;
        break;
      case 'pipeline':
        if (!Array.isArray(v))
          fail(FailedToParse, `$lookup argument 'pipeline' must be an array, found ${typeName(v)}`);
        pipelineSpec = v;
        hasPipeline = true;
        break;
      default:
        fail(FailedToParse, `unknown argument to $lookup: ${k}`);
    }
  }
  if (from === undefined && !hasPipeline) fail(FailedToParse, "must specify 'pipeline' when 'from' is empty");
  if (as === undefined) fail(FailedToParse, "must specify 'as' field for a $lookup");
  if ((localField === undefined) !== (foreignField === undefined)) {
    fail(
      FailedToParse,
      "$lookup requires both or neither of 'localField' and 'foreignField' to be specified",
    );
  }
  if (!hasPipeline && localField === undefined) {
    fail(
      FailedToParse,
      "$lookup requires either 'pipeline' or both 'localField' and 'foreignField' to be specified",
    );
  }
  if (letSpec !== undefined && !hasPipeline) {
    fail(FailedToParse, "$lookup with a 'let' argument must also specify 'pipeline'");
  }
  if (from === undefined && !startsWithDocuments(pipelineSpec)) {
    fail(FailedToParse, `missing 'from' option to $lookup stage specification`);
  }
  const asParts = fieldPathParts(as);
  const localParts = localField === undefined ? undefined : fieldPathParts(localField);
  const foreignParts = foreignField === undefined ? undefined : fieldPathParts(foreignField);
  const letNames = Object.keys(letSpec ?? {});
  letNames.forEach(validateVariableNameForWrite);
  const letExprs: [string, CompiledExpr][] = letNames.map((n) => [n, pc.compile((letSpec as Document)[n])]);
  const sub: CompiledPipeline | undefined = hasPipeline
    ? pc.parseSubPipeline(pipelineSpec, '$lookup', letNames)
    : undefined;
  const ns = from;

  const stage: StreamStage = {
    name,
    kind: 'stream',
    async *run(input, env) {
      for await (const batch of input) {
        const out: Document[] = [];
        for (const doc of batch) {
          let candidates: Document[];
          if (localParts && foreignParts && ns) {
            const index = await foreignIndex(env, ns.db, ns.coll, foreignParts);
            candidates = lookupKeys(index, pathKeys(doc, localParts, false));
          } else {
            candidates = ns ? await foreignDocuments(env, ns.db, ns.coll) : [];
          }
          let results = candidates;
          if (sub) {
            const vars: Record<string, unknown> = { ...env.vars };
            for (const [n, e] of letExprs) vars[n] = e(doc, env.vars);
            results = await collect(sub.run(candidates, { ...env, vars }));
          }
          out.push(setNested(doc, asParts, results));
        }
        yield out;
      }
    },
  };
  return stage;
};
