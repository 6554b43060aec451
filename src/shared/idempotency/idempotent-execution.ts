/**
 * Ties a command's transaction to the Idempotency-Key of the request that runs it, so that "did
 * the command with this key commit?" has an exact answer after any crash.
 *
 * The interceptor runs the request inside `runWithIdempotentExecution`; the first UnitOfWork of the
 * request takes the execution (`takeIdempotentExecution`, once: event handlers running later in the
 * same async context do not see it) and, inside its transaction, writes one of:
 * - the key document's completion (`state: 'completed'` with the HTTP response), when the
 *   controller said how its response follows from the command's result (`respondFromTransaction`):
 *   the update names this request as the key's pending owner, so it fails (and the command aborts)
 *   if the key was taken over or lost; the interceptor then stores nothing after the request;
 * - otherwise `idempotency_commits` `{ _id: <key document id>, result }`, whose unique `_id` makes
 *   a key commit at most once.
 * Either record commits or vanishes with the command. So a retry of a key whose first holder died,
 * or whose commit outcome the driver could not learn, finds the record and answers the stored
 * result without running the command again; without the record, nothing was committed and it runs.
 *
 * A key this request has just inserted (`fresh`) cannot have a committed record of the same use,
 * so the UnitOfWork skips the lookup; a duplicate in its transaction still catches the rare case
 * (an earlier use's record the TTL monitor has not swept, or a key document lost with a database
 * restart while its commit survived).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Connection } from 'mongoose';
import { serviceUnavailable } from '../errors/database-unavailable.js';
import { unprocessable } from '../errors/app-error.js';
import type { WriteBatch } from '../persistence/write-batch.js';
import { IDEMPOTENCY_KEYS, type StoredResponse } from './idempotency-key.schema.js';

export const IDEMPOTENCY_COMMITS = 'idempotency_commits';

/** How a controller's 2xx response follows from its command's result (see respondFromTransaction). */
export type ResponseRenderer = (result: unknown) => StoredResponse;

export interface IdempotentExecution {
  /** The key document's `_id` (principal scope + key). */
  readonly keyId: string;
  /** The key document's `createdAt`: tells this use of the key from an earlier, expired one. */
  readonly keyCreatedAt: Date;
  /** When the commit record may go (the key document's expiry; TTL index). */
  readonly expiresAt: Date;
  /** The request holding the key (the key document's `owner`). */
  readonly owner: string;
  /** The request's fingerprint: a committed record of another request is never its answer. */
  readonly fingerprint: string;
  /** This request inserted the key document itself: no earlier holder of this use can have committed. */
  readonly fresh: boolean;
  /** A completed key is kept this long after its response (the key document's TTL). */
  readonly ttlMs: number;
  taken: boolean;
  render?: ResponseRenderer;
  /** Set by the UnitOfWork once its committed transaction completed the key document. */
  completedInTransaction: boolean;
}

interface CommitDoc {
  _id: string;
  keyCreatedAt: Date;
  fingerprint?: string;
  result: unknown;
  committedAt: Date;
  expiresAt: Date;
}

/** The key's transaction record already exists: the command committed once (see the catch path). */
export class KeyAlreadyCommitted extends Error {
  constructor() {
    super('this Idempotency-Key has already committed');
    this.name = 'KeyAlreadyCommitted';
  }
}

const storage = new AsyncLocalStorage<IdempotentExecution>();

export type ExecutionStart = Omit<IdempotentExecution, 'taken' | 'render' | 'completedInTransaction'>;

/** Runs `fn` (the request) with `execution`; returns the execution's state with fn's result. */
export function runWithIdempotentExecution<T>(
  start: ExecutionStart,
  fn: () => Promise<T>,
): { execution: IdempotentExecution; done: Promise<T> } {
  const execution: IdempotentExecution = { ...start, taken: false, completedInTransaction: false };
  return { execution, done: storage.run(execution, fn) };
}

/**
 * Called by a controller BEFORE it runs its command, when its 2xx response is a pure function of
 * that command's result: the command's transaction then stores the response in the key document
 * itself (no write after the request). Without an Idempotency-Key it does nothing.
 */
export function respondFromTransaction<R>(render: (result: R) => StoredResponse): void {
  const execution = storage.getStore();
  if (execution && !execution.taken) execution.render = render as ResponseRenderer;
}

/** The current request's execution, handed out once (to the request's own command). */
export function takeIdempotentExecution(): IdempotentExecution | undefined {
  const execution = storage.getStore();
  if (!execution || execution.taken) return undefined;
  execution.taken = true;
  return execution;
}

export type CommittedLookup = { result: unknown } | { expiredRemoved: true } | undefined;

/**
 * The result a committed command of this key returned; `expiredRemoved` when the record found was
 * left by an earlier use of the key that has expired (removed now: the TTL monitor had not swept
 * it); undefined when none committed. 422 IDEMPOTENCY.KEY_REUSED when the record is another
 * request's (only possible once the key document was lost).
 */
export async function findCommittedResult(
  connection: Connection,
  execution: IdempotentExecution,
): Promise<CommittedLookup> {
  const commits = connection.collection<CommitDoc>(IDEMPOTENCY_COMMITS);
  const doc = await commits.findOne({ _id: execution.keyId });
  if (!doc) return undefined;
  if (doc.keyCreatedAt.getTime() !== execution.keyCreatedAt.getTime() && doc.expiresAt <= new Date()) {
    await commits.deleteOne({ _id: execution.keyId, keyCreatedAt: doc.keyCreatedAt });
    return { expiredRemoved: true };
  }
  if (doc.fingerprint !== undefined && doc.fingerprint !== execution.fingerprint)
    throw unprocessable(
      'IDEMPOTENCY.KEY_REUSED',
      'This Idempotency-Key was already used for a different request (method, path or body)',
    );
  return { result: doc.result ?? undefined };
}

/**
 * Inside the command's transaction (staged in its write batch): the key's record. With a renderer,
 * the key document's completion (KEY_LOST, a 503, when this request no longer holds the key);
 * else the commit record (KeyAlreadyCommitted on a duplicate).
 */
export function stageKeyRecord(writes: WriteBatch, execution: IdempotentExecution, result: unknown): void {
  const now = new Date();
  if (execution.render) {
    writes.updateOne(
      IDEMPOTENCY_KEYS,
      { _id: execution.keyId, owner: execution.owner, state: 'pending' },
      {
        $set: {
          state: 'completed',
          response: execution.render(result),
          completedAt: now,
          expiresAt: new Date(now.getTime() + execution.ttlMs),
        },
      },
      () =>
        serviceUnavailable(
          'This request no longer holds its Idempotency-Key (taken over by a retry); nothing was committed: retry it (same Idempotency-Key)',
        ),
    );
    return;
  }
  const record: CommitDoc = {
    _id: execution.keyId,
    keyCreatedAt: execution.keyCreatedAt,
    fingerprint: execution.fingerprint,
    result: result ?? null,
    committedAt: now,
    expiresAt: execution.expiresAt,
  };
  writes.insertOne(IDEMPOTENCY_COMMITS, { ...record }, () => new KeyAlreadyCommitted());
}
