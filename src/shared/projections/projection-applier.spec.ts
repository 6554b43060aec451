import { ObjectId } from 'mongodb';
import type { StoredEvent } from '../events/event-registry.js';
import { ProjectionApplier } from './projection-applier.js';
import { positionAfter, type EventLogDoc } from './resync-worker.js';
import { scanStartFilter, type Checkpoint } from './projection-checkpoints.js';
import type { DeadLetter, DeadLetterStatus, FailureStore } from './projection-failures.js';
import {
  EventOutOfOrderError,
  applyEach,
  type BatchOutcome,
  type Projection,
  type ProjectionContext,
} from './projection.js';

const silent = { log: () => undefined, error: () => undefined, warn: () => undefined };

function event(n: number, aggregateId = 'a1'): StoredEvent {
  return {
    eventId: `e${n}`,
    type: 'test.counted',
    aggregateType: 'test',
    aggregateId,
    aggregateVersion: n,
    occurredAt: new Date(1_000_000 + n),
    correlationId: 'c',
    payload: { n },
  };
}

class FakeFailures implements FailureStore {
  recorded: { projection: string; eventId: string; error: string; attempts: number }[] = [];
  async record(projection: string, e: StoredEvent, error: string, attempts: number): Promise<void> {
    this.recorded.push({ projection, eventId: e.eventId, error, attempts });
  }
  async list(): Promise<DeadLetter[]> {
    return [];
  }
  async get(): Promise<DeadLetter | null> {
    return null;
  }
  async mark(_id: string, _s: DeadLetterStatus): Promise<void> {}
  async count(): Promise<number> {
    return this.recorded.length;
  }
}

/** In-memory projection: per-aggregate version guard, like the real read models. */
class CounterProjection implements Projection {
  readonly name = 'counter';
  readonly handles = ['test.counted'];
  readonly collections = [];
  readonly versions = new Map<string, number>();
  applied: string[] = [];
  failFor = new Set<string>();
  failTimes = 0;
  inFlight = 0;
  maxInFlight = 0;
  applyCalls = 0;
  applyBatch(events: readonly StoredEvent[], ctx: ProjectionContext): Promise<BatchOutcome> {
    return applyEach(events, ctx, (e) => this.apply(e));
  }
  async apply(e: StoredEvent): Promise<void> {
    this.applyCalls++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 1));
      if (this.failFor.has(e.eventId)) throw new Error(`cannot apply ${e.eventId}`);
      if (this.failTimes > 0) {
        this.failTimes--;
        throw new Error('transient');
      }
      if ((this.versions.get(e.aggregateId) ?? 0) >= e.aggregateVersion) return;
      this.versions.set(e.aggregateId, e.aggregateVersion);
      this.applied.push(e.eventId);
    } finally {
      this.inFlight--;
    }
  }
}

const ctx = { mode: 'live' } as ProjectionContext;
const policy = { attempts: 3, baseDelayMs: 10, factor: 2, maxDelayMs: 15 };

describe('ProjectionApplier', () => {
  it('applies once per event even when delivered twice (fast + resync)', async () => {
    const p = new CounterProjection();
    const applier = new ProjectionApplier({
      failures: new FakeFailures(),
      policy,
      logger: silent,
      wait: async () => undefined,
    });
    for (const n of [1, 2, 2, 1, 3]) await applier.deliver(p, event(n), ctx, n % 2 ? 'fast' : 'resync');
    expect(p.applied).toEqual(['e1', 'e2', 'e3']);
    expect(applier.statsFor('counter').applied).toBe(5); // every delivery is applied (idempotently)
  });

  it('tells onApplied listeners the commit-to-application lag of every applied event, not of dead letters', async () => {
    const p = new CounterProjection();
    p.failFor.add('e2');
    const applier = new ProjectionApplier({
      failures: new FakeFailures(),
      policy,
      logger: silent,
      wait: async () => undefined,
      now: () => 1_000_500,
    });
    const seen: Array<[string, number]> = [];
    applier.onApplied((projection, lagMs) => seen.push([projection, lagMs]));
    const recorded = { ...event(3), recordedAt: new Date(1_000_450) };
    for (const e of [event(1), event(2), recorded]) await applier.deliver(p, e, ctx, 'fast');
    // event(1) has no recordedAt: lag from occurredAt (1_000_001); recordedAt wins when present.
    expect(seen).toEqual([
      ['counter', 499],
      ['counter', 50],
    ]);
  });

  it('an event out of order is left to the resync path on the fast path, but dead-lettered on the resync path', async () => {
    const failures = new FakeFailures();
    const outOfOrder: Projection = {
      name: 'ordered',
      handles: ['test.counted'],
      collections: [],
      applyBatch: () => Promise.reject(new EventOutOfOrderError('predecessor not applied yet')),
    };
    const applier = new ProjectionApplier({ failures, policy, logger: silent, wait: async () => undefined });
    expect(await applier.deliver(outOfOrder, event(2), ctx, 'fast')).toBe(false);
    expect(failures.recorded).toEqual([]);
    expect(await applier.deliver(outOfOrder, event(2), ctx, 'resync')).toBe(false);
    expect(failures.recorded.map((r) => r.eventId)).toEqual(['e2']);
  });

  it('the resync path applies again an event this process applied on the fast path (its write may be lost)', async () => {
    const p = new CounterProjection();
    const applier = new ProjectionApplier({ failures: new FakeFailures(), policy, logger: silent });
    await applier.deliver(p, event(1), ctx, 'fast');
    p.versions.clear(); // the write was lost with the read database
    await applier.deliver(p, event(1), ctx, 'resync');
    await applier.deliver(p, event(2), ctx, 'resync');
    expect(p.applyCalls).toBe(3);
    expect(p.versions.get('a1')).toBe(2);
  });

  it('runs one apply at a time per projection', async () => {
    const p = new CounterProjection();
    const applier = new ProjectionApplier({ failures: new FakeFailures(), policy, logger: silent });
    await Promise.all([1, 2, 3, 4, 5].map((n) => applier.deliver(p, event(n, `agg${n}`), ctx, 'fast')));
    expect(p.maxInFlight).toBe(1);
    expect(p.applied).toHaveLength(5);
  });

  it('retries a transient failure with backoff and succeeds', async () => {
    const p = new CounterProjection();
    p.failTimes = 2;
    const waits: number[] = [];
    const failures = new FakeFailures();
    const applier = new ProjectionApplier({
      failures,
      policy,
      logger: silent,
      wait: async (ms) => {
        waits.push(ms);
      },
    });
    await expect(applier.deliver(p, event(1), ctx, 'fast')).resolves.toBe(true);
    expect(waits).toEqual([10, 15]);
    expect(failures.recorded).toEqual([]);
    expect(p.applied).toEqual(['e1']);
  });

  it('dead-letters after the bounded retries and moves on to the next event', async () => {
    const p = new CounterProjection();
    p.failFor.add('e2');
    const failures = new FakeFailures();
    const applier = new ProjectionApplier({ failures, policy, logger: silent, wait: async () => undefined });
    const results = [];
    for (const n of [1, 2, 3]) results.push(await applier.deliver(p, event(n), ctx, 'resync'));
    expect(results).toEqual([true, false, true]);
    expect(failures.recorded).toEqual([
      { projection: 'counter', eventId: 'e2', error: 'cannot apply e2', attempts: 3 },
    ]);
    expect(p.applied).toEqual(['e1', 'e3']);
    expect(applier.statsFor('counter').deadLettered).toBe(1);
  });

  it('a dead-letter retry re-applies without recording a new dead letter', async () => {
    const p = new CounterProjection();
    p.failFor.add('e1');
    const failures = new FakeFailures();
    const applier = new ProjectionApplier({ failures, policy, logger: silent, wait: async () => undefined });
    expect(await applier.retryOnce(p, event(1), ctx)).toEqual({
      ok: false,
      attempts: 3,
      error: 'cannot apply e1',
    });
    p.failFor.clear();
    expect(await applier.retryOnce(p, event(1), ctx)).toEqual({ ok: true, attempts: 1 });
    expect(failures.recorded).toEqual([]);
    expect(p.applied).toEqual(['e1']);
  });
});

describe('checkpoint positions', () => {
  const cp = (id: ObjectId | null): Checkpoint => ({
    projection: 'counter',
    resumeToken: { _data: 'x' },
    lastObjectId: id,
    lastEventId: null,
    lastOccurredAt: null,
    updatedAt: new Date(),
  });
  const doc = (id: ObjectId, n: number): EventLogDoc => ({ ...event(n), _id: id });

  it('scans everything without a checkpoint', () => {
    expect(scanStartFilter(null, 60_000)).toEqual({});
    expect(scanStartFilter(cp(null), 60_000)).toEqual({});
  });

  it('scans from the checkpoint minus the overlap (commits can land slightly out of _id order)', () => {
    const id = ObjectId.createFromTime(1_700_000_000);
    const f = scanStartFilter(cp(id), 60_000) as { _id: { $gte: ObjectId } };
    expect(f._id.$gte.getTimestamp().getTime()).toBe((1_700_000_000 - 60) * 1000);
  });

  it('moves forward with each applied event, never backwards, and records the token', () => {
    const a = ObjectId.createFromTime(100);
    const b = ObjectId.createFromTime(200);
    const after1 = positionAfter(cp(null), doc(b, 2), { _data: 't2' });
    expect(after1.lastObjectId).toEqual(b);
    expect(after1.resumeToken).toEqual({ _data: 't2' });
    const after2 = positionAfter(after1, doc(a, 1), { _data: 't3' });
    expect(after2.lastObjectId).toEqual(b);
    expect(after2.lastEventId).toBe('e1');
    expect(after2.resumeToken).toEqual({ _data: 't3' });
  });
});
