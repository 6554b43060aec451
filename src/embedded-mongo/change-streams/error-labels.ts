/**
 * Error labels of change-stream errors, as mongod attaches them: `ResumableChangeStreamError` on a
 * getMore error the driver may resume from (the codes of the change streams spec's resumable
 * list), `NonResumableChangeStreamError` on ChangeStreamFatalError / ChangeStreamHistoryLost.
 * CursorNotFound (43) is resumable by the driver's own rule and gets no label.
 */
import { MongoCommandError } from '../errors.js';

export const RESUMABLE_LABEL = 'ResumableChangeStreamError';

const RESUMABLE_CODES: ReadonlySet<number> = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  63, // StaleShardVersion
  89, // NetworkTimeout
  91, // ShutdownInProgress
  133, // FailedToSatisfyReadPreference
  150, // StaleEpoch
  189, // PrimarySteppedDown
  234, // RetryChangeStream
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13388, // StaleConfig
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** Whether mongod labels a change stream getMore failing with `code` as resumable. */
export function isResumableChangeStreamCode(code: number): boolean {
  return RESUMABLE_CODES.has(code);
}

/** Adds ResumableChangeStreamError to an error raised by a change stream's getMore, where due. */
export function labelGetMoreError(error: unknown): void {
  if (!(error instanceof MongoCommandError)) return;
  if (isResumableChangeStreamCode(error.code) && !error.errorLabels.includes(RESUMABLE_LABEL)) {
    error.errorLabels.push(RESUMABLE_LABEL);
  }
}
