/**
 * $graphLookup: breadth-first search over another collection from `startWith`, following
 * connectFromField values to documents whose connectToField equals them, each document visited
 * once (by _id), up to maxDepth; depthField records the depth (a long).
 */
import { Long, type Document } from '../../bson.js';
import { compileFilter } from '../../query/matcher.js';
import { getPathValues, keyString, numericKind, toDouble } from '../../values/index.js';
import { fail, isPlainObject, setOwn, show, typeName } from '../expressions/core.js';
import { coerceToLong, isIntegral64 } from '../expressions/numbers.js';
import { foreignIndex } from './foreign.js';
import { parseNamespace, type Namespace } from './lookup.js';
import { fieldPathParts, setNested } from './paths.js';
import type { StageParser, StreamStage } from './stage.js';

export const parseGraphLookup: StageParser = (spec, pc, name) => {
  if (!isPlainObject(spec))
    fail(9, `the $graphLookup stage specification must be an object, but found ${typeName(spec)}`);
  let from: Namespace | undefined;
  let startWith: unknown;
  let hasStart = false;
  const fields: Record<string, string> = {};
  let maxDepth: number | undefined;
  let restrict: Document | undefined;
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined) continue;
    switch (k) {
      case 'from':
        from = parseNamespace(v, pc.ctx.db, "$graphLookup 'from'");
        break;
      case 'startWith':
        startWith = v;
        hasStart = true;
        break;
      case 'connectFromField':
      case 'connectToField':
      case 'as':
      case 'depthField':
        if (typeof v !== 'string') fail(40103, `expected string as argument for ${k}, found: ${show(v)}`);
        fieldPathParts(v);
        fields[k] = v;
        break;
      case 'maxDepth':
        if (!numericKind(v)) fail(40100, `maxDepth requires a numeric argument, found: ${typeName(v)}`);
        if (toDouble(v) < 0) fail(40101, `maxDepth requires a nonnegative argument, found: ${show(v)}`);
        if (!isIntegral64(v)) fail(40102, `maxDepth could not be represented as a long long: ${show(v)}`);
        maxDepth = Number(coerceToLong(v));
        break;
      case 'restrictSearchWithMatch':
        if (!isPlainObject(v)) fail(40185, `restrictSearchWithMatch must be an object, found ${typeName(v)}`);
        restrict = v;
        break;
      default:
        fail(40104, `Unknown argument to $graphLookup: ${k}`);
    }
  }
  if (!from) fail(9, `missing 'from' option to $graphLookup stage specification: ${show(spec)}`);
  if (!from || !hasStart || !fields.connectFromField || !fields.connectToField || !fields.as) {
    fail(
      40105,
      "$graphLookup requires 'from', 'as', 'startWith', 'connectFromField', and 'connectToField' to be specified.",
    );
  }
  const ns = from;
  const startExpr = pc.compile(startWith);
  const fromParts = fieldPathParts(fields.connectFromField);
  const toParts = fieldPathParts(fields.connectToField);
  const asParts = fieldPathParts(fields.as);
  const depthField = fields.depthField;
  const matcher = restrict ? compileFilter(restrict, { collation: pc.ctx.collation }) : undefined;

  const stage: StreamStage = {
    name,
    kind: 'stream',
    async *run(input, env) {
      for await (const batch of input) {
        const results: Document[] = [];
        for (const doc of batch) {
          const index = await foreignIndex(env, ns.db, ns.coll, toParts);
          const start = startExpr(doc, env.vars);
          let frontier: unknown[] = Array.isArray(start) ? start : [start === undefined ? null : start];
          const visited = new Map<string, Document>();
          let depth = 0;
          while (frontier.length > 0 && (maxDepth === undefined || depth <= maxDepth)) {
            const next: unknown[] = [];
            const positions = new Set<number>();
            for (const v of frontier)
              for (const i of index.positions.get(keyString(v)) ?? []) positions.add(i);
            for (const i of [...positions].sort((a, b) => a - b)) {
              const found = index.docs[i];
              const id = keyString(found._id);
              if (visited.has(id)) continue;
              if (matcher && !matcher(found)) continue;
              let out = found;
              if (depthField !== undefined) {
                out = {};
                for (const [k, x] of Object.entries(found)) setOwn(out, k, x);
                out = setNested(out, fieldPathParts(depthField), Long.fromNumber(depth));
              }
              visited.set(id, out);
              next.push(...getPathValues(found, fromParts));
            }
            frontier = next;
            depth++;
          }
          results.push(setNested(doc, asParts, [...visited.values()]));
        }
        yield results;
      }
    },
  };
  return stage;
};
