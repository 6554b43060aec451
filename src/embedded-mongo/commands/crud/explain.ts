/**
 * explain for find, count, distinct, update, delete and findAndModify: the planner's choice
 * (COLLSCAN or FETCH over IXSCAN) for the command's query, with execution statistics unless
 * verbosity is 'queryPlanner'. Aggregations explain the plan of their leading $match.
 */
import type { Document } from '../../bson.js';
import type { ExplainVerbosity } from '../../catalog/planner.js';
import { mongoError } from '../../errors.js';
import { isPlainObject } from '../../values/types.js';
import { SERVER_VERSION } from '../build-info.js';
import type { CommandSpec } from '../types.js';
import { readCollation, readFilter, readHint, readSort } from './query-options.js';

const VERBOSITIES = new Set(['queryPlanner', 'executionStats', 'allPlansExecution']);

interface Explained {
  coll: string;
  filter: Document;
  sort?: Document;
  hint?: string | Document;
  limit?: number;
}

function queryOf(cmd: Document, name: string): Explained {
  const coll = cmd[name];
  if (typeof coll !== 'string' && name !== 'aggregate')
    throw mongoError('InvalidNamespace', `explain: invalid collection name for ${name}`);
  readCollation(cmd.collation);
  switch (name) {
    case 'find':
      return {
        coll: coll as string,
        filter: readFilter(cmd.filter, 'filter'),
        sort: readSort(cmd.sort),
        hint: readHint(cmd.hint),
      };
    case 'count':
    case 'distinct':
      return { coll: coll as string, filter: readFilter(cmd.query, 'query'), hint: readHint(cmd.hint) };
    case 'findAndModify':
    case 'findandmodify':
      return {
        coll: coll as string,
        filter: readFilter(cmd.query, 'query'),
        sort: readSort(cmd.sort),
        hint: readHint(cmd.hint),
        limit: 1,
      };
    case 'update': {
      const st = Array.isArray(cmd.updates) && isPlainObject(cmd.updates[0]) ? cmd.updates[0] : {};
      return { coll: coll as string, filter: readFilter(st.q, 'q'), hint: readHint(st.hint) };
    }
    case 'delete': {
      const st = Array.isArray(cmd.deletes) && isPlainObject(cmd.deletes[0]) ? cmd.deletes[0] : {};
      return { coll: coll as string, filter: readFilter(st.q, 'q'), hint: readHint(st.hint) };
    }
    case 'aggregate': {
      if (typeof coll !== 'string')
        throw mongoError('InvalidNamespace', 'explain of a database-level aggregate is not supported');
      const first = Array.isArray(cmd.pipeline) ? cmd.pipeline[0] : undefined;
      const match = isPlainObject(first) && isPlainObject(first.$match) ? first.$match : {};
      return { coll, filter: match, hint: readHint(cmd.hint) };
    }
    default:
      throw mongoError('IllegalOperation', `Explain is not supported for the ${name} command`);
  }
}

export const explainCommand: CommandSpec = {
  name: 'explain',
  help: 'Shows the query plan (COLLSCAN or IXSCAN) and, by default, execution statistics.',
  run(ctx) {
    const inner = ctx.arg;
    if (!isPlainObject(inner)) throw mongoError('TypeMismatch', 'explain command requires a nested object');
    const name = Object.keys(inner)[0];
    if (!name) throw mongoError('BadValue', 'explain command requires a nested command');
    const verbosity = (ctx.body.verbosity ?? 'allPlansExecution') as ExplainVerbosity;
    if (typeof verbosity !== 'string' || !VERBOSITIES.has(verbosity)) {
      throw mongoError(
        'BadValue',
        `verbosity string must be one of {'queryPlanner', 'executionStats', 'allPlansExecution'}`,
      );
    }
    const q = queryOf(inner, name);
    const collection = ctx.server.catalog.getCollection(ctx.db, q.coll);
    const serverInfo = {
      host: ctx.server.advertisedHost.split(':')[0],
      port: Number(ctx.server.advertisedHost.split(':')[1]),
      version: SERVER_VERSION,
      gitVersion: 'embedded-mongo',
    };
    if (!collection) {
      return {
        queryPlanner: {
          namespace: `${ctx.db}.${q.coll}`,
          parsedQuery: q.filter,
          winningPlan: { stage: 'EOF' },
          rejectedPlans: [],
        },
        ...(verbosity === 'queryPlanner'
          ? {}
          : {
              executionStats: {
                executionSuccess: true,
                nReturned: 0,
                executionTimeMillis: 0,
                totalKeysExamined: 0,
                totalDocsExamined: 0,
                executionStages: { stage: 'EOF' },
              },
            }),
        command: inner,
        serverInfo,
      };
    }
    const out = collection.explain(
      q.filter,
      { sort: q.sort, hint: q.hint, limit: q.limit, ...ctx.server.readOptionsFor(ctx) },
      verbosity,
    );
    return { ...out, command: inner, serverInfo };
  },
};
