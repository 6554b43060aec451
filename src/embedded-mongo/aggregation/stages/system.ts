/**
 * Stages served outside the aggregation module ($collStats, $indexStats, $currentOp, $listSessions,
 * ...): validated for position here, answered by `ctx.systemStage` at run time. Stages the
 * embedded server does not implement fail with NotImplemented (238) rather than pretending.
 */
import { fail, isPlainObject, typeName } from '../expressions/core.js';
import { batchesOf, unbatch, type StageParser, type StreamStage } from './stage.js';

export const parseSystemStage: StageParser = (spec, _pc, name) => {
  const stage: StreamStage = {
    name,
    kind: 'stream',
    async *run(input, env) {
      const source = env.ctx.systemStage?.(name, spec, { db: env.ctx.db, input: unbatch(input) });
      if (source === undefined) fail(238, `${name} is not supported by the embedded server`);
      yield* batchesOf(source);
    },
  };
  return stage;
};

/** Messages mongod gives when these stages get a non-object specification. */
const NOT_OBJECT: Record<string, [number, string]> = {
  $densify: [9, 'The $densify stage specification must be an object, found'],
  $fill: [9, 'The $fill stage specification must be an object, found'],
  $setWindowFields: [9, 'the $setWindowFields stage specification must be an object, found'],
};

export const parseUnsupported: StageParser = (spec, _pc, name) => {
  const notObject = NOT_OBJECT[name];
  if (notObject && !isPlainObject(spec)) fail(notObject[0], `${notObject[1]} ${typeName(spec)}`);
  if (name === '$geoNear' && !isPlainObject(spec) && !Array.isArray(spec)) {
    fail(10065, 'invalid parameter: expected an object ($geoNear)');
  }
  return fail(238, `${name} is not supported by the embedded server`);
};
