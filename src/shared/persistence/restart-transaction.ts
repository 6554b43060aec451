/**
 * An error that makes the UnitOfWork's withTransaction run the command again from its first read:
 * the driver retries a callback whose error carries the TransientTransactionError label (after
 * aborting the transaction, with its short backoff). For a command that learnt, from its own first
 * read, that it must wait for a lock (KeyedMutex.scope): once it holds the lock, a new snapshot.
 */
import { MongoError } from 'mongodb';

const AFTER_LOCK_WAIT = Symbol('restart after a lock wait');

export function restartTransaction(reason: string): MongoError {
  const e = new MongoError(`restarting the transaction: ${reason}`);
  e.addErrorLabel('TransientTransactionError');
  return e;
}

/**
 * The restart of a command that has just waited its turn for a lock: not a conflict, so the
 * UnitOfWork does not count the wait against the command's conflict budget (TRANSACTION_TIMEOUT_MS).
 */
export function restartAfterLockWait(reason: string): MongoError {
  return Object.assign(restartTransaction(reason), { [AFTER_LOCK_WAIT]: true });
}

export const isRestartAfterLockWait = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && AFTER_LOCK_WAIT in e;
