/** $sortByCount <expr>: {$group: {_id: <expr>, count: {$sum: 1}}} then {$sort: {count: -1}}. */
import { fail, intOrLong, isPlainObject } from '../expressions/core.js';
import { groupStage } from './group.js';
import { parseSortStageSpec, sortAll } from './sort.js';
import { chunks, type StageParser, type StreamStage } from './stage.js';

export const parseSortByCount: StageParser = (spec, pc, name) => {
  const message =
    'the sortByCount field must be defined as a $-prefixed path or an expression inside an object';
  if (isPlainObject(spec)) {
    const keys = Object.keys(spec);
    if (keys.length === 0 || !keys[0].startsWith('$')) fail(40147, message);
  } else if (typeof spec === 'string') {
    if (!spec.startsWith('$')) fail(40148, message);
  } else {
    fail(40149, 'the sortByCount field must be specified as a string or as an object');
  }
  const idExpr = pc.compile(spec);
  const fields = [
    {
      field: 'count',
      spec: {
        name: '$sum',
        argument: pc.compile(1),
        create: () => {
          let n = 0;
          return {
            process: () => {
              n++;
            },
            value: () => intOrLong(n),
          };
        },
      },
    },
  ];
  const sort = parseSortStageSpec({ count: -1 });
  const sortStage: StreamStage = {
    name,
    kind: 'stream',
    async *run(input, env) {
      yield* chunks(await sortAll(input, sort, env));
    },
  };
  return [groupStage(name, idExpr, fields), sortStage];
};
