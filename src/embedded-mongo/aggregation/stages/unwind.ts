/**
 * $unwind: one output document per array element. Non-array values pass as a single element;
 * null, missing and [] drop the document unless preserveNullAndEmptyArrays (an empty array's field
 * is then removed). includeArrayIndex adds the element's index as a long (null when not unwound
 * from an array). The path never descends into arrays.
 */
import { Long, type Document } from '../../bson.js';
import { fail, isPlainObject, typeName } from '../expressions/core.js';
import { fieldPathParts, getNested, setNested } from './paths.js';
import type { StageParser, StreamStage } from './stage.js';

export const parseUnwind: StageParser = (spec, _pc, name) => {
  let path: unknown;
  let includeArrayIndex: string | undefined;
  let preserve = false;
  if (typeof spec === 'string') {
    path = spec;
  } else if (isPlainObject(spec)) {
    for (const [k, v] of Object.entries(spec)) {
      if (v === undefined) continue;
      if (k === 'path') {
        if (typeof v !== 'string')
          fail(28808, `expected a string as the path for $unwind stage, got ${typeName(v)}`);
        path = v;
      } else if (k === 'includeArrayIndex') {
        if (typeof v !== 'string' || v === '') {
          fail(
            28810,
            `expected a non-empty string for the includeArrayIndex option to $unwind stage, got ${typeName(v)}`,
          );
        }
        if (v.startsWith('$')) {
          fail(28822, `includeArrayIndex option to $unwind stage should not be prefixed with a '$': ${v}`);
        }
        includeArrayIndex = v;
      } else if (k === 'preserveNullAndEmptyArrays') {
        if (typeof v !== 'boolean') {
          fail(
            28809,
            `expected a boolean for the preserveNullAndEmptyArrays option to $unwind stage, got ${typeName(v)}`,
          );
        }
        preserve = v;
      } else {
        fail(28811, `unrecognized option to $unwind stage: ${k}`);
      }
    }
    if (path === undefined) fail(28812, 'no path specified to $unwind stage');
  } else {
    fail(
      15981,
      `expected either a string or an object as specification for $unwind stage, got ${typeName(spec)}`,
    );
  }
  const p = path as string;
  if (!p.startsWith('$')) fail(28818, `path option to $unwind stage should be prefixed with a '$': ${p}`);
  const parts = fieldPathParts(p.slice(1));
  const indexParts = includeArrayIndex === undefined ? undefined : fieldPathParts(includeArrayIndex);
  const stage: StreamStage = {
    name,
    kind: 'stream',
    async *run(input) {
      for await (const batch of input) {
        const out: Document[] = [];
        for (const doc of batch) {
          const v = getNested(doc, parts);
          if (Array.isArray(v)) {
            if (v.length === 0) {
              if (preserve) {
                const d = setNested(doc, parts, undefined);
                out.push(indexParts ? setNested(d, indexParts, null) : d);
              }
              continue;
            }
            for (let i = 0; i < v.length; i++) {
              const d = setNested(doc, parts, v[i]);
              out.push(indexParts ? setNested(d, indexParts, Long.fromNumber(i)) : d);
            }
          } else if (v === undefined || v === null) {
            if (preserve) out.push(indexParts ? setNested(doc, indexParts, null) : doc);
          } else {
            out.push(indexParts ? setNested(doc, indexParts, null) : doc);
          }
        }
        if (out.length) yield out;
      }
    },
  };
  return stage;
};
