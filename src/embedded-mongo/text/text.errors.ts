/**
 * Errors of text search with mongod's codes. NoQueryExecutionPlans (291) is missing from
 * ../errors.ts's table (owned elsewhere), so its code name is set here.
 */
import { MongoCommandError, mongoError } from '../errors.js';

export const NO_QUERY_EXECUTION_PLANS = 291;

/** A planner failure, worded as mongod words them. */
export function noQueryExecutionPlans(reason: string): MongoCommandError {
  const err = new MongoCommandError(
    NO_QUERY_EXECUTION_PLANS,
    `error processing query: planner returned error :: caused by :: ${reason}`,
  );
  Object.defineProperty(err, 'codeName', { value: 'NoQueryExecutionPlans', enumerable: true });
  return err;
}

export function textIndexRequired(ns?: string): MongoCommandError {
  return mongoError(
    'IndexNotFound',
    ns === undefined
      ? 'text index required for $text query'
      : `text index required for $text query (no such collection '${ns}')`,
  );
}

export function badValue(message: string): MongoCommandError {
  return mongoError('BadValue', message);
}
