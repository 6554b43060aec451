/**
 * Type name -> event class, so events read back from `domain_events` (the resync path, rebuilds)
 * become the same classes the EventBus handlers subscribe to. Each module registers its events.
 */
import type { DomainEvent, DomainEventClass } from './domain-event.js';

export interface StoredEvent {
  eventId: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
  occurredAt: Date;
  /** When it was appended to the log (see DomainEvent.recordedAt); absent on events logged before it existed. */
  recordedAt?: Date;
  correlationId: string;
  payload: Record<string, unknown>;
}

export class EventRegistry {
  private readonly byType = new Map<string, DomainEventClass<object>>();

  register(...classes: DomainEventClass<object>[]): void {
    for (const c of classes) {
      const existing = this.byType.get(c.TYPE);
      if (existing && existing !== c) throw new Error(`event type ${c.TYPE} registered twice`);
      this.byType.set(c.TYPE, c);
    }
  }

  revive(stored: StoredEvent): DomainEvent<object> | undefined {
    const cls = this.byType.get(stored.type);
    if (!cls) return undefined;
    return new cls(stored.aggregateId, stored.aggregateVersion, stored.payload, stored.correlationId, {
      eventId: stored.eventId,
      occurredAt: stored.occurredAt,
    });
  }

  get types(): string[] {
    return [...this.byType.keys()].sort();
  }
}

export function toStored(e: DomainEvent<object>): StoredEvent {
  return {
    eventId: e.eventId,
    type: e.type,
    aggregateType: e.aggregateType,
    aggregateId: e.aggregateId,
    aggregateVersion: e.aggregateVersion,
    occurredAt: e.occurredAt,
    ...(e.recordedAt ? { recordedAt: e.recordedAt } : {}),
    correlationId: e.correlationId,
    payload: { ...(e.payload as Record<string, unknown>) },
  };
}
