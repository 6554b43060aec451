/**
 * An event committed `ageMs` ago straight into `domain_events` (not published, so only the resync
 * path would apply it): with the resync path stopped, `orders_read` has an event waiting and its
 * lag grows from that commit time. Returns a function that deletes it again (the lag recovers).
 */
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { writeDb } from './write-model.js';

export async function insertWaitingEvent(
  app: INestApplication,
  correlationId: string,
  ageMs = 5_000,
): Promise<() => Promise<void>> {
  const eventId = randomUUID();
  const committed = new Date(Date.now() - ageMs);
  await writeDb(app)
    .collection('domain_events')
    .insertOne({
      eventId,
      type: 'orders.order-confirmed',
      aggregateType: 'order',
      aggregateId: `ord_${randomUUID()}`,
      aggregateVersion: 2,
      occurredAt: committed,
      recordedAt: committed,
      correlationId,
      payload: { status: 'confirmed', previousStatus: 'pending' },
    });
  return async () => {
    await writeDb(app).collection('domain_events').deleteOne({ eventId });
  };
}
