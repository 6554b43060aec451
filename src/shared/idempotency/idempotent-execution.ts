/**
 * Ties a command's transaction to the Idempotency-Key of the request that runs it, so that "did
 * the command with this key commit?" has an exact answer after any crash.
 *
 * The interceptor runs the request inside `runWithIdempotentExecution`; the first UnitOfWork of the
 * request takes the execution (`takeIdempotentExecution`, once: event handlers running later in the
 * same async context do not see it) and, inside its transaction, inserts `idempotency_commits`
 * `{ _id: <key document id>, result }`. The unique `_id` makes a key commit at most once, and the
 * record commits or vanishes with the command. So a retry of a key whose first holder died, or
 * whose commit outcome the driver could not learn, finds the record and answers the stored result
 * without running the command again; without the record, nothing was committed and it runs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ClientSession, Connection } from 'mongoose';

export const IDEMPOTENCY_COMMITS = 'idempotency_commits';

export interface IdempotentExecution {
  /** The key document's `_id` (principal scope + key). */
  readonly keyId: string;
  /** The key document's `createdAt`: tells this use of the key from an earlier, expired one. */
  readonly keyCreatedAt: Date;
  /** When the commit record may go (the key document's expiry; TTL index). */
  readonly expiresAt: Date;
  taken: boolean;
}

interface CommitDoc {
  _id: string;
  keyCreatedAt: Date;
  result: unknown;
  committedAt: Date;
  expiresAt: Date;
}

const storage = new AsyncLocalStorage<IdempotentExecution>();

export function runWithIdempotentExecution<T>(
  execution: { keyId: string; keyCreatedAt: Date; expiresAt: Date },
  fn: () => T,
): T {
  return storage.run({ ...execution, taken: false }, fn);
}

/** The current request's execution, handed out once (to the request's own command). */
export function takeIdempotentExecution(): IdempotentExecution | undefined {
  const execution = storage.getStore();
  if (!execution || execution.taken) return undefined;
  execution.taken = true;
  return execution;
}

/** The result a committed command of this key returned, or undefined when none committed. */
export async function findCommittedResult(
  connection: Connection,
  execution: IdempotentExecution,
): Promise<{ result: unknown } | undefined> {
  const commits = connection.collection<CommitDoc>(IDEMPOTENCY_COMMITS);
  const doc = await commits.findOne({ _id: execution.keyId });
  if (!doc) return undefined;
  if (doc.keyCreatedAt.getTime() !== execution.keyCreatedAt.getTime()) {
    // Left by an earlier use of the key, which has expired (the TTL monitor has not swept it yet).
    await commits.deleteOne({ _id: execution.keyId, keyCreatedAt: doc.keyCreatedAt });
    return undefined;
  }
  return { result: doc.result ?? undefined };
}

/** Inside the command's transaction: fails with a duplicate key if this key already committed. */
export async function recordCommit(
  connection: Connection,
  execution: IdempotentExecution,
  result: unknown,
  session: ClientSession,
): Promise<void> {
  await connection.collection<CommitDoc>(IDEMPOTENCY_COMMITS).insertOne(
    {
      _id: execution.keyId,
      keyCreatedAt: execution.keyCreatedAt,
      result: result ?? null,
      committedAt: new Date(),
      expiresAt: execution.expiresAt,
    },
    { session },
  );
}
