/**
 * Server-side error labels, as mongod's ErrorLabelBuilder computes them (drivers for wire version
 * 9+ rely on the server for RetryableWriteError and the change-stream labels):
 *
 * - TransientTransactionError: a command of a transaction (txnNumber + autocommit) failed with a
 *   code after which the whole transaction can be retried (WriteConflict, LockTimeout, snapshot
 *   errors, retriable errors, NoSuchTransaction; for commit/abort only NoSuchTransaction without
 *   a write concern error).
 * - otherwise RetryableWriteError: a retryable write (txnNumber, no autocommit) or a commit/abort
 *   failed with a retriable code, or its write concern error has one; plus NoWritesPerformed when
 *   nothing was written.
 * - ResumableChangeStreamError / NonResumableChangeStreamError for change-stream commands.
 */
import { ErrorCodes } from '../errors.js';

const RETRIABLE = new Set<number>([
  ErrorCodes.HostUnreachable,
  ErrorCodes.HostNotFound,
  ErrorCodes.NetworkTimeout,
  ErrorCodes.ShutdownInProgress,
  ErrorCodes.ReadConcernMajorityNotAvailableYet,
  ErrorCodes.PrimarySteppedDown,
  ErrorCodes.ExceededTimeLimit,
  ErrorCodes.SocketException,
  ErrorCodes.NotWritablePrimary,
  ErrorCodes.InterruptedAtShutdown,
  ErrorCodes.InterruptedDueToReplStateChange,
  ErrorCodes.NotPrimaryNoSecondaryOk,
  ErrorCodes.NotPrimaryOrSecondary,
  317, // ConnectionPoolExpired
  358, // InternalTransactionNotSupported
  384, // ConnectionError
  402, // ResourceExhausted
  407, // PooledConnectionAcquisitionExceededTimeLimit
  412, // UpdatesStillPending
  453, // InterruptedDueToReshardingCriticalSection
  462, // IngressRequestRateLimitExceeded
  50915, // BackupCursorOpenConflictWithCheckpoint
  91331, // RetriableRemoteCommandFailure
]);
const NETWORK = new Set<number>([
  ErrorCodes.HostUnreachable,
  ErrorCodes.HostNotFound,
  ErrorCodes.NetworkTimeout,
  ErrorCodes.SocketException,
  317,
  384,
]);
const SNAPSHOT_ERRORS = new Set<number>([
  ErrorCodes.SnapshotTooOld,
  ErrorCodes.SnapshotUnavailable,
  ErrorCodes.StaleChunkHistory,
  ErrorCodes.MigrationConflict,
]);
const NEED_RETARGETTING = new Set<number>([ErrorCodes.StaleEpoch, ErrorCodes.StaleConfig]);
const ALWAYS_TRANSIENT = new Set<number>([
  ErrorCodes.WriteConflict,
  ErrorCodes.LockTimeout,
  ErrorCodes.PreparedTransactionInProgress,
  343, // ShardCannotRefreshDueToLocksHeld
  249, // StaleDbVersion
]);
const NON_RESUMABLE_CHANGE_STREAM = new Set<number>([
  ErrorCodes.ChangeStreamFatalError,
  ErrorCodes.ChangeStreamHistoryLost,
]);
const COMMIT_OR_ABORT = new Set(['commitTransaction', 'abortTransaction']);

export function isRetriableCode(code: number): boolean {
  return RETRIABLE.has(code);
}

export interface LabelInput {
  readonly commandName: string;
  readonly txnNumber?: number;
  readonly autocommit?: false;
  /** The command's error code (undefined for an ok reply carrying a writeConcernError). */
  readonly code?: number;
  /** The code of the reply's writeConcernError, if any. */
  readonly wcCode?: number;
  /** Nothing was written before the failure (fail points, errors before execution). */
  readonly noWritesPerformed?: boolean;
  /** aggregate with $changeStream, or getMore on a change-stream cursor. */
  readonly changeStream?: boolean;
}

function isTransientTransactionError(code: number, hasWce: boolean, commitOrAbort: boolean): boolean {
  if (code === 358) return false;
  if (ALWAYS_TRANSIENT.has(code)) return true;
  if (SNAPSHOT_ERRORS.has(code) || NEED_RETARGETTING.has(code)) return true;
  if (commitOrAbort) return code === ErrorCodes.NoSuchTransaction && !hasWce;
  return RETRIABLE.has(code) || code === ErrorCodes.NoSuchTransaction;
}

export function errorLabelsFor(input: LabelInput): string[] {
  const { code, wcCode, txnNumber, autocommit } = input;
  const commitOrAbort = COMMIT_OR_ABORT.has(input.commandName);
  const labels: string[] = [];
  let transientOrRetryable = false;
  if (
    code !== undefined &&
    txnNumber !== undefined &&
    autocommit !== undefined &&
    isTransientTransactionError(code, wcCode !== undefined, commitOrAbort)
  ) {
    labels.push('TransientTransactionError');
    transientOrRetryable = true;
  } else {
    const retryableWrite = txnNumber !== undefined && autocommit === undefined;
    const txnCommitOrAbort = txnNumber !== undefined && autocommit !== undefined && commitOrAbort;
    if (
      (retryableWrite || txnCommitOrAbort) &&
      ((code !== undefined && RETRIABLE.has(code)) || (wcCode !== undefined && RETRIABLE.has(wcCode)))
    ) {
      labels.push('RetryableWriteError');
      transientOrRetryable = true;
      if (input.noWritesPerformed) labels.push('NoWritesPerformed');
    }
  }
  if (input.changeStream && code !== undefined) {
    const resumable =
      wcCode === undefined &&
      (RETRIABLE.has(code) ||
        NETWORK.has(code) ||
        NEED_RETARGETTING.has(code) ||
        code === ErrorCodes.RetryChangeStream ||
        code === ErrorCodes.FailedToSatisfyReadPreference);
    if (!transientOrRetryable && resumable) labels.push('ResumableChangeStreamError');
    else if (NON_RESUMABLE_CHANGE_STREAM.has(code)) labels.push('NonResumableChangeStreamError');
  }
  return labels;
}
