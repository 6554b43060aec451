/**
 * Per-statement results of write commands: MongoDB reports statement failures as `writeErrors`
 * entries (ok: 1 overall) and stops at the first one when `ordered` is true.
 */
import type { Document } from '../../bson.js';
import { ErrorCodes, MongoCommandError } from '../../errors.js';
import type { WriteConcern } from '../write-concern.js';

export function writeErrorOf(index: number, err: MongoCommandError): Document {
  return { index, code: err.code, codeName: err.codeName, errmsg: err.message, ...err.extra };
}

/**
 * Runs `statements` in order, synchronously (so a plain command's write unit is never open across
 * an await); errors thrown as MongoCommandError become writeErrors, anything else propagates (a
 * server bug must not pass as a user error). A WriteConflict (112) always propagates: inside a
 * transaction it aborts the transaction; outside one the server waits for the document's
 * transaction to end and runs the command again (sessions/command-runner.ts). Neither is a
 * statement error.
 */
export function runStatements<T>(
  statements: readonly T[],
  ordered: boolean,
  run: (statement: T, index: number) => void,
): Document[] {
  const errors: Document[] = [];
  for (let i = 0; i < statements.length; i++) {
    try {
      run(statements[i], i);
    } catch (e) {
      if (!(e instanceof MongoCommandError) || e.code === ErrorCodes.WriteConflict) throw e;
      if (e.errorLabels.includes('TransientTransactionError')) throw e;
      errors.push(writeErrorOf(i, e));
      if (ordered) break;
    }
  }
  return errors;
}

/** The reply of a write command: counts, then writeErrors / writeConcernError when there are any. */
export function writeReply(counts: Document, writeErrors: Document[], wc: WriteConcern): Document {
  const reply: Document = { ...counts };
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  if (wc.error) reply.writeConcernError = wc.error;
  return reply;
}
