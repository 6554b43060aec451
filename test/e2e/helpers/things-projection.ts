/**
 * The tiny projection of projections-runtime.e2e-spec.ts (also run in a child process from dist/):
 * one document per event in `test_things` plus the highest version per aggregate in
 * `test_things_by_aggregate`; idempotent; throws for the payload numbers in `failOn`.
 */
import {
  applyEach,
  type BatchOutcome,
  type ProjectionContext,
  type Projection,
} from '../../../src/shared/projections/projection.js';
import type { StoredEvent } from '../../../src/shared/events/event-registry.js';
import { DomainEvent } from '../../../src/shared/events/domain-event.js';

export const TYPE = 'test.thing-happened';

export class ThingHappened extends DomainEvent<{ n: number }> {
  static readonly TYPE = TYPE;
  readonly type = TYPE;
  readonly aggregateType = 'thing';
}

export class ThingsProjection implements Projection {
  readonly name = 'test_things';
  readonly handles = [TYPE];
  readonly collections = [
    { name: 'test_things', indexes: [{ key: { aggregateId: 1 } }], verifyIgnore: ['appliedAt'] },
    { name: 'test_things_by_aggregate', indexes: [] },
  ];
  readonly failOn = new Set<number>();
  applyCalls = 0;

  applyBatch(events: readonly StoredEvent[], ctx: ProjectionContext): Promise<BatchOutcome> {
    return applyEach(events, ctx, (e, c) => this.apply(e, c));
  }

  async apply(e: StoredEvent, ctx: ProjectionContext): Promise<void> {
    this.applyCalls++;
    const n = (e.payload as { n: number }).n;
    if (this.failOn.has(n)) throw new Error(`cannot project thing ${n}`);
    await ctx
      .collection('test_things')
      .updateOne(
        { _id: e.eventId as never },
        { $set: { aggregateId: e.aggregateId, n, version: e.aggregateVersion, appliedAt: new Date() } },
        { upsert: true },
      );
    await ctx
      .collection('test_things_by_aggregate')
      .updateOne(
        { _id: e.aggregateId as never },
        { $max: { version: e.aggregateVersion } },
        { upsert: true },
      );
    await ctx.invalidate([`thing:${e.aggregateId}`]);
  }
}
