/**
 * One command = one transaction on the write database: the handler loads and saves aggregates
 * with the session it is given and returns the domain events it produced; the events are
 * appended to `domain_events` in the same transaction; after the commit they are published on
 * the EventBus (the fast path to the projections). A crash between commit and publish loses
 * nothing: the events are in the log, which the resync path reads.
 *
 * Transient transaction errors (write conflicts) are retried by the driver's withTransaction.
 */
import { Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { InjectConnection } from '@nestjs/mongoose';
import type { ClientSession, Connection } from 'mongoose';
import type { DomainEvent } from '../events/domain-event.js';
import { toStored } from '../events/event-registry.js';
import { DOMAIN_EVENTS } from '../events/event-log.schema.js';
import { WRITE_CONNECTION } from './connections.js';

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
  ) {}

  async run<T>(work: (session: ClientSession) => Promise<CommandOutcome<T>>): Promise<T> {
    const session = await this.connection.startSession();
    let outcome: CommandOutcome<T> | undefined;
    try {
      await session.withTransaction(
        async () => {
          outcome = await work(session);
          if (outcome.events.length > 0) {
            const recordedAt = new Date();
            for (const e of outcome.events) e.recordedAt = recordedAt;
            await this.connection
              .collection(DOMAIN_EVENTS)
              .insertMany(outcome.events.map(toStored), { session });
          }
        },
        { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority', journal: true } },
      );
    } finally {
      await session.endSession();
    }
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
