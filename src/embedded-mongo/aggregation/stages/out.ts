/**
 * $out and $merge: validated here, written by the command layer. The stage drains the pipeline,
 * then hands every document to `ctx.writeOutput` once and yields nothing.
 */
import type { Document } from '../../bson.js';
import type { OutputMode, OutputTarget } from '../context.js';
import { fail, isPlainObject, typeName } from '../expressions/core.js';
import { validateVariableNameForWrite } from '../expressions/field-path.js';
import { collect, type StageParser, type StreamStage } from './stage.js';

function validateCollectionName(coll: string, stage: string): void {
  if (coll === '' || coll.includes('\0') || coll.startsWith('.') || coll.includes('$')) {
    fail(17385, `Invalid ${stage} target namespace, '${coll}'`);
  }
}

function validateDbName(db: string, stage: string): void {
  if (db === '' || /[/\\. "$\0]/.test(db)) fail(73, `Invalid ${stage} target database name, '${db}'`);
}

function writerStage(name: string, target: OutputTarget, mode: OutputMode): StreamStage {
  return {
    name,
    kind: 'stream',
    async *run(input, env) {
      const docs = await collect(input);
      if (!env.ctx.writeOutput) fail(238, `${name} is not supported in this context`);
      await env.ctx.writeOutput(target, docs, mode);
      // The pipeline's result is empty: the documents went to the target collection.
      yield* [] as Document[][];
    },
  };
}

export const parseOut: StageParser = (spec, pc, name) => {
  let target: OutputTarget;
  if (typeof spec === 'string') {
    target = { db: pc.ctx.db, coll: spec };
  } else if (isPlainObject(spec)) {
    let db: string | undefined;
    let coll: string | undefined;
    for (const [k, v] of Object.entries(spec)) {
      if (v === undefined) continue;
      if (k === 'db' || k === 'coll') {
        if (typeof v !== 'string')
          fail(14, `BSON field '$out.${k}' is the wrong type '${typeName(v)}', expected type 'string'`);
        if (k === 'db') db = v;
        else coll = v;
      } else if (k === 'timeseries') {
        fail(238, '$out to a time-series collection is not supported by the embedded server');
      } else {
        fail(40415, `BSON field '$out.${k}' is an unknown field.`);
      }
    }
    if (coll === undefined) fail(40414, "BSON field '$out.coll' is missing but a required field");
    target = { db: db ?? pc.ctx.db, coll };
  } else {
    fail(16990, `$out only supports a string or object argument, but found ${typeName(spec)}`);
  }
  validateDbName(target.db, '$out');
  validateCollectionName(target.coll, '$out');
  return writerStage(name, target, 'out');
};

const WHEN_MATCHED = ['replace', 'keepExisting', 'merge', 'fail'];
const WHEN_NOT_MATCHED = ['insert', 'discard', 'fail'];

/**
 * Normalises a $merge specification: {into: {db, coll}, on: string[], let?, whenMatched,
 * whenNotMatched} with mongod's defaults (on: ['_id'], whenMatched: 'merge', whenNotMatched:
 * 'insert'). A pipeline `whenMatched` is kept as given (validated as an update pipeline by the
 * writer).
 */
export function normalizeMergeSpec(spec: unknown, db: string): Document {
  const raw: Document = typeof spec === 'string' ? { into: spec } : (spec as Document);
  if (!isPlainObject(raw))
    fail(14, `$merge requires a string or object argument, but found ${typeName(spec)}`);
  let into: OutputTarget | undefined;
  let on: string[] = ['_id'];
  let letSpec: Document | undefined;
  let whenMatched: unknown = 'merge';
  let whenNotMatched = 'insert';
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    switch (k) {
      case 'into':
        if (typeof v === 'string') into = { db, coll: v };
        else if (isPlainObject(v)) {
          if (typeof v.coll !== 'string')
            fail(40414, "BSON field 'into.coll' is missing but a required field");
          if (v.db !== undefined && typeof v.db !== 'string') {
            fail(14, `BSON field 'into.db' is the wrong type '${typeName(v.db)}', expected type 'string'`);
          }
          into = { db: (v.db as string | undefined) ?? db, coll: v.coll };
        } else {
          fail(51178, `$merge 'into' field must be either a string or an object, but found ${typeName(v)}`);
        }
        break;
      case 'on':
        if (typeof v === 'string') on = [v];
        else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'))
          on = v as string[];
        else
          fail(
            51186,
            `$merge 'on' field must be either a string or an array of strings, but found ${typeName(v)}`,
          );
        break;
      case 'let':
        if (!isPlainObject(v))
          fail(14, `BSON field '$merge.let' is the wrong type '${typeName(v)}', expected type 'object'`);
        Object.keys(v).forEach(validateVariableNameForWrite);
        letSpec = v;
        break;
      case 'whenMatched':
        if (Array.isArray(v)) whenMatched = v;
        else if (typeof v === 'string' && WHEN_MATCHED.includes(v)) whenMatched = v;
        else fail(2, `Enumeration value '${String(v)}' for field 'whenMatched' is not a valid value.`);
        break;
      case 'whenNotMatched':
        if (typeof v !== 'string' || !WHEN_NOT_MATCHED.includes(v)) {
          fail(2, `Enumeration value '${String(v)}' for field 'whenNotMatched' is not a valid value.`);
        }
        whenNotMatched = v;
        break;
      default:
        fail(40415, `BSON field '$merge.${k}' is an unknown field.`);
    }
  }
  if (!into) fail(40414, "BSON field '$merge.into' is missing but a required field");
  if (letSpec !== undefined && !Array.isArray(whenMatched)) {
    fail(51199, `Cannot use 'let' variables with 'whenMatched: ${String(whenMatched)}' mode`);
  }
  validateDbName(into.db, '$merge');
  validateCollectionName(into.coll, '$merge');
  const out: Document = { into, on, whenMatched, whenNotMatched };
  if (letSpec !== undefined) out.let = letSpec;
  return out;
}

export const parseMerge: StageParser = (spec, pc, name) => {
  const normalized = normalizeMergeSpec(spec, pc.ctx.db);
  return writerStage(name, normalized.into as OutputTarget, { merge: normalized });
};
