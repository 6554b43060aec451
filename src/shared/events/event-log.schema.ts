import { Schema } from 'mongoose';

/**
 * `domain_events`: the event log and outbox. One document per event, written in the same
 * transaction as the state change; unique on (aggregateId, aggregateVersion) so two commands can
 * never both append "version 5" of an aggregate.
 */
export const DOMAIN_EVENTS = 'domain_events';

export const DomainEventSchema = new Schema(
  {
    eventId: { type: String, required: true },
    type: { type: String, required: true },
    aggregateType: { type: String, required: true },
    aggregateId: { type: String, required: true },
    aggregateVersion: { type: Number, required: true },
    occurredAt: { type: Date, required: true },
    recordedAt: { type: Date },
    correlationId: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
  },
  { collection: DOMAIN_EVENTS, versionKey: false, minimize: false },
);
DomainEventSchema.index({ eventId: 1 }, { unique: true });
DomainEventSchema.index({ aggregateId: 1, aggregateVersion: 1 }, { unique: true });
DomainEventSchema.index({ occurredAt: 1 });
// The replay order of rebuild and verify (projection-rebuilder.ts REPLAY_ORDER).
DomainEventSchema.index({ recordedAt: 1, aggregateVersion: 1, _id: 1 });
