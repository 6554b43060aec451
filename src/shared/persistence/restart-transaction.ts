/**
 * An error that makes the UnitOfWork's withTransaction run the command again from its first read:
 * the driver retries a callback whose error carries the TransientTransactionError label (after
 * aborting the transaction, with its short backoff). For a command that learnt, from its own first
 * read, that it must wait for a lock (KeyedMutex.scope): once it holds the lock, a new snapshot.
 */
import { MongoError } from 'mongodb';

export function restartTransaction(reason: string): MongoError {
  const e = new MongoError(`restarting the transaction: ${reason}`);
  e.addErrorLabel('TransientTransactionError');
  return e;
}
