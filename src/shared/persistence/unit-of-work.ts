/**
 * One command = one transaction on the write database: the handler loads and saves aggregates
 * with the session it is given and returns the domain events it produced; the events are
 * appended to `domain_events` in the same transaction; after the commit they are published on
 * the EventBus (the fast path to the projections). A crash between commit and publish loses
 * nothing: the events are in the log, which the resync path reads.
 *
 * Transient transaction errors (write conflicts) are retried by the driver's withTransaction, for
 * at most TRANSACTION_TIMEOUT_MS (the driver's own limit is 120 s): a later attempt then stops
 * with 503 SERVICE.UNAVAILABLE, which the client retries with its Idempotency-Key.
 *
 * A command run for a request with an Idempotency-Key records that key in the same transaction
 * (idempotent-execution.ts): a key commits at most once, and a retry of a key that already
 * committed (its first holder died, or the commit's outcome was unknown) gets the stored result
 * instead of a second execution.
 *
 * Round trips: the handler reads with `session` and stages its writes in the `WriteBatch` it is
 * given (a handler may still write directly with `session`); the UnitOfWork adds the events and
 * the key's record and sends the batch as one client-level bulkWrite, then commits. So a command
 * costs its reads + 1 bulkWrite + 1 commit (the only write that waits for the journal).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { InjectConnection } from '@nestjs/mongoose';
import type { MongoClient } from 'mongodb';
import type { ClientSession, Connection } from 'mongoose';
import type { DomainEvent } from '../events/domain-event.js';
import { toStored } from '../events/event-registry.js';
import { DOMAIN_EVENTS } from '../events/event-log.schema.js';
import {
  findCommittedResult,
  KeyAlreadyCommitted,
  stageKeyRecord,
  takeIdempotentExecution,
  type IdempotentExecution,
} from '../idempotency/idempotent-execution.js';
import { AppError } from '../errors/app-error.js';
import type { AppConfig } from '../../config/env.js';
import { APP_CONFIG } from '../config.module.js';
import { serviceUnavailable } from '../errors/database-unavailable.js';
import { WRITE_CONNECTION } from './connections.js';
import { isRestartAfterLockWait } from './restart-transaction.js';
import { WriteBatch } from './write-batch.js';

export interface CommandOutcome<T> {
  result: T;
  events: DomainEvent<object>[];
}

/** Test hook: lets a test stop the process between commit and publish. */
export type AfterCommitHook = (events: readonly DomainEvent<object>[]) => void | Promise<void>;

@Injectable()
export class UnitOfWork {
  private readonly logger = new Logger('UnitOfWork');
  afterCommitHook: AfterCommitHook | undefined;

  constructor(
    @InjectConnection(WRITE_CONNECTION) private readonly connection: Connection,
    private readonly eventBus: EventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Runs `work` in a transaction (retried on write conflicts), commits it with its events and the
   * request's idempotency record, then publishes the events. `writes` is new for every attempt.
   */
  async run<T>(work: (session: ClientSession, writes: WriteBatch) => Promise<CommandOutcome<T>>): Promise<T> {
    const keyed = takeIdempotentExecution();
    if (keyed && !keyed.fresh) {
      const committed = await findCommittedResult(this.connection, keyed);
      if (committed && 'result' in committed) return committed.result as T;
    }
    for (let pass = 0; ; pass++) {
      try {
        return await this.runOnce(work, keyed);
      } catch (e) {
        // Another holder of the key committed first (duplicate record), or this commit's outcome
        // was unknown: if the key's record is there, the command ran exactly once; answer its
        // result. A 4xx of the command itself committed nothing, and needs no look.
        if (!keyed || (e instanceof AppError && e.status < 500)) throw e;
        const committed = await findCommittedResult(this.connection, keyed).catch(() => undefined);
        if (committed && 'result' in committed) return committed.result as T;
        // An expired use's record was in the way (now removed): run once more.
        if (committed && pass === 0 && e instanceof KeyAlreadyCommitted) continue;
        throw e;
      }
    }
  }

  private async runOnce<T>(
    work: (session: ClientSession, writes: WriteBatch) => Promise<CommandOutcome<T>>,
    keyed: IdempotentExecution | undefined,
  ): Promise<T> {
    const session = await this.connection.startSession();
    const client = this.connection.getClient() as unknown as MongoClient;
    let outcome: CommandOutcome<T> | undefined;
    let lastWrites: WriteBatch | undefined;
    let deadline = Date.now() + this.config.transactionTimeoutMs;
    let attempt = 0;
    try {
      await session.withTransaction(
        async () => {
          // A non-driver error ends withTransaction's retry loop at once (after an abort).
          if (attempt++ > 0 && Date.now() > deadline)
            throw serviceUnavailable(
              `The command kept conflicting with concurrent commands for ${this.config.transactionTimeoutMs} ms; retry it (same Idempotency-Key)`,
            );
          const writes = new WriteBatch(this.connection.db?.databaseName ?? this.connection.name);
          lastWrites = writes;
          try {
            outcome = await work(session, writes);
          } catch (e) {
            // Waiting for a lock is queueing (bounded by the load shedding), not conflicting.
            if (isRestartAfterLockWait(e)) deadline = Date.now() + this.config.transactionTimeoutMs;
            throw e;
          }
          if (outcome.events.length > 0) {
            const recordedAt = new Date();
            for (const e of outcome.events) {
              e.recordedAt = recordedAt;
              writes.insertOne(DOMAIN_EVENTS, { ...toStored(e) });
            }
          }
          if (keyed) stageKeyRecord(writes, keyed, outcome.result);
          await writes.flush(client, session);
        },
        { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority', journal: true } },
      );
    } finally {
      await session.endSession();
    }
    if (keyed?.render) keyed.completedInTransaction = true;
    lastWrites?.committed();
    if (!outcome) throw new Error('transaction finished without an outcome');
    const events = outcome.events;
    if (this.afterCommitHook) await this.afterCommitHook(events);
    try {
      this.eventBus.publishAll(events);
    } catch (e) {
      // Publishing is best effort: the resync path delivers what the fast path misses.
      this.logger.warn(
        `publishing ${events.length} events failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    return outcome.result;
  }
}
