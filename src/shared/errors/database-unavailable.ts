/**
 * Maps the driver's "the database cannot take this now" errors to 503 SERVICE.UNAVAILABLE with a
 * Retry-After, instead of a 500: the primary is down or restarting (network errors, server
 * selection timeouts, shutdown/not-primary codes), or a transaction kept losing write conflicts for
 * its whole time budget. In every one of these cases the client may retry with the same
 * Idempotency-Key: a command commits at most once (the key is recorded in its transaction).
 */
import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { AppError } from './app-error.js';

export const SERVICE_UNAVAILABLE = 'SERVICE.UNAVAILABLE';
/** Seconds a client should wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 1;

/** Server codes meaning "not now": shutdown, stepdown, not primary, write conflict, interrupted. */
const TRANSIENT_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  112, // WriteConflict
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

const TRANSIENT_LABELS = [
  'TransientTransactionError',
  'UnknownTransactionCommitResult',
  'RetryableWriteError',
];

export function isDatabaseUnavailable(e: unknown): boolean {
  if (e instanceof AppError) return e.code === SERVICE_UNAVAILABLE;
  if (
    e instanceof MongoNetworkError ||
    e instanceof MongoServerSelectionError ||
    e instanceof MongoNotConnectedError ||
    e instanceof MongoTopologyClosedError
  )
    return true;
  if (!(e instanceof MongoError)) return false;
  if (typeof e.code === 'number' && TRANSIENT_CODES.has(e.code)) return true;
  return TRANSIENT_LABELS.some((label) => e.hasErrorLabel(label));
}

export function serviceUnavailable(message: string): AppError {
  return new AppError(SERVICE_UNAVAILABLE, 503, message);
}

/** The 503 answer for a database error, or undefined when `e` is not one. */
export function databaseUnavailableError(e: unknown): AppError | undefined {
  if (e instanceof AppError) return e.code === SERVICE_UNAVAILABLE ? e : undefined;
  if (!isDatabaseUnavailable(e)) return undefined;
  return serviceUnavailable(
    'The database is unavailable or busy; retry shortly (with the same Idempotency-Key for a command)',
  );
}
