/**
 * Stages served outside the aggregation module ($collStats, $indexStats, $currentOp, $listSessions,
 * ...): validated for position here, answered by `ctx.systemStage` at run time. Stages the
 * embedded server does not implement fail with NotImplemented (238) rather than pretending.
 */
import { fail } from '../expressions/core.js';
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

export const parseUnsupported: StageParser = (_spec, _pc, name) =>
  fail(238, `${name} is not supported by the embedded server`);
