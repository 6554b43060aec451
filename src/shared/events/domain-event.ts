/**
 * Domain events: the contract between the write side and the read side. Each event class has a
 * stable type name ('orders.order-placed'); instances carry the envelope fields ARCHITECTURE.md
 * requires and a payload of plain JSON-able values (money as decimal strings). They are written
 * to `domain_events` in the command's transaction and published on the @nestjs/cqrs EventBus
 * after commit.
 */
import { randomUUID } from 'node:crypto';
import type { IEvent } from '@nestjs/cqrs';

export interface EventEnvelope {
  readonly eventId: string;
  readonly type: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly aggregateVersion: number;
  readonly occurredAt: Date;
  readonly correlationId: string;
}

export abstract class DomainEvent<P extends object = Record<string, unknown>>
  implements IEvent, EventEnvelope
{
  readonly eventId: string;
  readonly occurredAt: Date;
  /**
   * When the event was appended to `domain_events` (set by the UnitOfWork inside the command's
   * transaction). `occurredAt` is the business time and may lie in the past (demo data is
   * back-dated); projection lag is measured from this one.
   */
  recordedAt?: Date;
  abstract readonly type: string;
  abstract readonly aggregateType: string;

  constructor(
    readonly aggregateId: string,
    readonly aggregateVersion: number,
    readonly payload: P,
    readonly correlationId: string,
    meta?: { eventId?: string; occurredAt?: Date },
  ) {
    this.eventId = meta?.eventId ?? randomUUID();
    this.occurredAt = meta?.occurredAt ?? new Date();
  }
}

/** The constructor shape every concrete event class has. */
export type DomainEventClass<P extends object = Record<string, unknown>> = {
  readonly TYPE: string;
  new (
    aggregateId: string,
    aggregateVersion: number,
    payload: P,
    correlationId: string,
    meta?: { eventId?: string; occurredAt?: Date },
  ): DomainEvent<P>;
};
