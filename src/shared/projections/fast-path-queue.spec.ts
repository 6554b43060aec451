import type { StoredEvent } from '../events/event-registry.js';
import { FastPathQueue } from './fast-path-queue.js';
import type { ProjectionApplier } from './projection-applier.js';
import type { Projection, ProjectionContext } from './projection.js';

const silent = { log: () => undefined, error: () => undefined, warn: () => undefined };
const projection = { name: 'p', handles: ['t'], collections: [] } as unknown as Projection;
const ctx = { mode: 'live' } as ProjectionContext;

function event(n: number): StoredEvent {
  return {
    eventId: `e${n}`,
    type: 't',
    aggregateType: 'a',
    aggregateId: `a${n}`,
    aggregateVersion: 1,
    occurredAt: new Date(1_000 + n),
    recordedAt: new Date(2_000 + n),
    correlationId: 'c',
    payload: {},
  };
}

/** An applier stand-in: records each batch; `defer` decides which events come back deferred. */
function applier(defer: (e: StoredEvent, call: number) => boolean = () => false) {
  const batches: string[][] = [];
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  const fake = {
    async deliverBatch(_p: Projection, events: readonly StoredEvent[]) {
      batches.push(events.map((e) => e.eventId));
      if (gate) await gate;
      return { deferred: events.filter((e) => defer(e, batches.length)), deadLettered: 0 };
    },
  };
  return {
    fake: fake as unknown as ProjectionApplier,
    batches,
    hold: () => (gate = new Promise<void>((r) => (release = r))),
    open: () => {
      gate = undefined;
      release?.();
    },
  };
}

const options = { maxBatch: 3, deferRetries: 2, deferDelayMs: 1 };

describe('FastPathQueue', () => {
  it('applies a light load event by event and, while a batch runs, gathers the next one (up to maxBatch)', async () => {
    const a = applier();
    const q = new FastPathQueue(projection, a.fake, ctx, options, silent);
    q.push(event(1));
    await q.idle();
    a.hold();
    q.push(event(2));
    await Promise.resolve();
    await Promise.resolve();
    for (const n of [3, 4, 5, 6, 7]) q.push(event(n));
    expect(q.pending).toBe(5);
    expect(q.oldestPending()).toEqual(new Date(2_003));
    a.open();
    await q.idle();
    expect(a.batches).toEqual([['e1'], ['e2'], ['e3', 'e4', 'e5'], ['e6', 'e7']]);
    expect(q.pending).toBe(0);
    expect(q.oldestPending()).toBeNull();
  });

  it('offers a deferred event again, then leaves it to the resync path', async () => {
    const a = applier((e) => e.eventId === 'e2');
    const warnings: string[] = [];
    const q = new FastPathQueue(projection, a.fake, ctx, options, {
      ...silent,
      warn: (m: string) => warnings.push(m),
    });
    q.push(event(1));
    q.push(event(2));
    for (let i = 0; i < 100 && a.batches.length < 3; i++) await new Promise((r) => setTimeout(r, 5));
    await q.idle();
    expect(a.batches).toEqual([['e1', 'e2'], ['e2'], ['e2']]);
    expect(q.pending).toBe(0);
    expect(warnings.join()).toContain('e2 left to the resync path');
  });

  it('an event deferred once and applied on its next offer is not lost', async () => {
    const a = applier((e, call) => e.eventId === 'e2' && call === 1);
    const q = new FastPathQueue(projection, a.fake, ctx, options, silent);
    q.push(event(2));
    expect(q.pending).toBe(1);
    for (let i = 0; i < 100 && a.batches.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    await q.idle();
    expect(a.batches).toEqual([['e2'], ['e2']]);
    expect(q.pending).toBe(0);
  });
});
