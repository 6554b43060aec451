import { ObjectId, type Collection, type Document } from 'mongodb';
import type { StoredEvent } from '../events/event-registry.js';
import { ProjectionApplier } from './projection-applier.js';
import type { Checkpoint, CheckpointStore } from './projection-checkpoints.js';
import type { DeadLetter, FailureStore } from './projection-failures.js';
import { applyEach, type BatchOutcome, type Projection, type ProjectionContext } from './projection.js';
import { ResyncWorker, type EventLogDoc } from './resync-worker.js';

const silent = { log: () => undefined, error: () => undefined, warn: () => undefined };

function doc(sec: number, n: number): EventLogDoc {
  return {
    _id: ObjectId.createFromTime(sec),
    eventId: `e${n}`,
    type: 't.happened',
    aggregateType: 't',
    aggregateId: `a${n}`,
    aggregateVersion: 1,
    occurredAt: new Date(sec * 1000),
    correlationId: 'c',
    payload: { n },
  };
}

/** The checkpoint after e1 (`doc(100, 1)`), with the stream's token t1. */
function afterE1(): Checkpoint {
  return {
    projection: 'rec',
    resumeToken: { _data: 't1' },
    lastObjectId: doc(100, 1)._id,
    lastEventId: 'e1',
    lastOccurredAt: new Date(100_000),
    updatedAt: new Date(),
  };
}

class FakeStream {
  resumeToken: Document | undefined;
  closed = false;
  constructor(
    private readonly changes: Document[],
    private readonly opened: () => void,
  ) {}
  async tryNext(): Promise<Document | null> {
    this.opened();
    const c = this.changes.shift();
    if (c) {
      this.resumeToken = c._id as Document;
      return c;
    }
    this.resumeToken = { _data: 'post-batch' };
    await new Promise((r) => setTimeout(r, 2));
    return null;
  }
  bufferedCount(): number {
    return this.changes.length;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A domain_events stand-in: `watch` replays queued changes (or throws), `find` scans the log. */
class FakeEventLog {
  log: EventLogDoc[] = [];
  streamChanges: Document[] = [];
  watchError: { code: number; message: string } | undefined;
  watchOptions: Document[] = [];
  findFilters: Document[] = [];
  events: string[] = [];

  watch(_pipeline: Document[], options: Document): FakeStream {
    this.watchOptions.push(options);
    if (this.watchError && options.startAfter) {
      const e = this.watchError;
      return Object.assign(new FakeStream([], () => undefined), {
        tryNext: async () => {
          throw Object.assign(new Error(e.message), { code: e.code });
        },
      });
    }
    return new FakeStream(this.streamChanges.splice(0), () => this.events.push('stream-open'));
  }

  find(filter: Document) {
    this.findFilters.push(filter);
    this.events.push('scan');
    const min = (filter._id as { $gte?: ObjectId } | undefined)?.$gte;
    const rows = this.log.filter((d) => !min || d._id.toHexString() >= min.toHexString());
    return {
      sort: () => ({
        async *[Symbol.asyncIterator]() {
          yield* [...rows].sort((a, b) => a._id.toHexString().localeCompare(b._id.toHexString()));
        },
      }),
    };
  }
}

class MemoryCheckpoints implements CheckpointStore {
  saved: Checkpoint[] = [];
  constructor(public current: Checkpoint | null = null) {}
  async get(): Promise<Checkpoint | null> {
    return this.current;
  }
  async save(cp: Checkpoint): Promise<void> {
    this.current = cp;
    this.saved.push(cp);
  }
  async clear(): Promise<void> {
    this.current = null;
  }
}

const noFailures: FailureStore = {
  record: async () => undefined,
  list: async (): Promise<DeadLetter[]> => [],
  get: async () => null,
  mark: async () => undefined,
  count: async () => 0,
};

class Recorder implements Projection {
  readonly name = 'rec';
  readonly handles = ['t.happened'];
  readonly collections = [];
  seen: string[] = [];
  applyBatch(events: readonly StoredEvent[], ctx: ProjectionContext): Promise<BatchOutcome> {
    return applyEach(events, ctx, (e) => this.apply(e));
  }
  async apply(e: StoredEvent): Promise<void> {
    this.seen.push(e.eventId);
  }
}

function worker(log: FakeEventLog, checkpoints: MemoryCheckpoints, p: Recorder): ResyncWorker {
  return new ResyncWorker({
    projection: p,
    applier: new ProjectionApplier({
      failures: noFailures,
      policy: { attempts: 1, baseDelayMs: 0, factor: 2, maxDelayMs: 0 },
      logger: silent,
    }),
    checkpoints,
    eventLog: log as unknown as Collection<EventLogDoc>,
    ctx: { mode: 'live' } as ProjectionContext,
    logger: silent,
    scanOverlapMs: 60_000,
    maxAwaitTimeMs: 10,
    batchSize: 100,
    idleCheckpointMs: 1_000_000,
  });
}

async function until(probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('ResyncWorker', () => {
  it('first start: opens the stream, then scans the whole log, then applies the stream, checkpointing each', async () => {
    const log = new FakeEventLog();
    log.log = [doc(100, 1), doc(200, 2)];
    log.streamChanges = [{ _id: { _data: 't3' }, operationType: 'insert', fullDocument: doc(300, 3) }];
    const checkpoints = new MemoryCheckpoints();
    const p = new Recorder();
    const w = worker(log, checkpoints, p);
    w.start();
    await until(() => checkpoints.current?.lastEventId === 'e3');
    await w.stop();
    expect(log.events.slice(0, 2)).toEqual(['stream-open', 'scan']);
    expect(log.findFilters[0]).toEqual({ type: { $in: ['t.happened'] } });
    expect(p.seen).toEqual(['e1', 'e2', 'e3']);
    expect(checkpoints.current).toMatchObject({ resumeToken: { _data: 't3' }, lastEventId: 'e3' });
    expect(checkpoints.current!.lastObjectId!.getTimestamp().getTime()).toBe(300_000);
    expect(w.scans).toBe(1);
  });

  it('resumes from the stored token without scanning', async () => {
    const log = new FakeEventLog();
    log.log = [doc(100, 1)];
    log.streamChanges = [{ _id: { _data: 't2' }, operationType: 'insert', fullDocument: doc(200, 2) }];
    const checkpoints = new MemoryCheckpoints(afterE1());
    const p = new Recorder();
    const w = worker(log, checkpoints, p);
    w.start();
    await until(() => checkpoints.current?.lastEventId === 'e2');
    await w.stop();
    expect(log.watchOptions[0]).toMatchObject({ startAfter: { _data: 't1' } });
    expect(log.findFilters).toEqual([]);
    expect(p.seen).toEqual(['e2']);
  });

  it('history lost (286): drops the token, scans from the checkpoint minus the overlap, then streams', async () => {
    const log = new FakeEventLog();
    log.log = [doc(1_000, 1), doc(1_050, 2), doc(1_200, 3)];
    log.watchError = { code: 286, message: 'ChangeStreamHistoryLost' };
    const checkpoints = new MemoryCheckpoints({
      projection: 'rec',
      resumeToken: { _data: 'gone' },
      lastObjectId: doc(1_100, 0)._id,
      lastEventId: 'e0',
      lastOccurredAt: new Date(1_100_000),
      updatedAt: new Date(),
    });
    const p = new Recorder();
    const w = worker(log, checkpoints, p);
    w.start();
    await until(() => checkpoints.current?.lastEventId === 'e3' && checkpoints.current.resumeToken !== null);
    await w.stop();
    const from = (log.findFilters[0]!._id as { $gte: ObjectId }).$gte;
    expect(from.getTimestamp().getTime()).toBe(1_040_000); // 1100 s - 60 s overlap
    expect(p.seen).toEqual(['e2', 'e3']); // e1 is before the overlap window
    expect(checkpoints.saved.some((c) => c.resumeToken === null)).toBe(true);
    expect(checkpoints.current!.resumeToken).toEqual({ _data: 'post-batch' });
    expect(w.scans).toBe(1);
  });

  it('read server lost: stops before checkpointing past an apply, reopens from the durable checkpoint', async () => {
    const log = new FakeEventLog();
    const durable: Checkpoint = afterE1();
    log.streamChanges = [{ _id: { _data: 't2' }, operationType: 'insert', fullDocument: doc(200, 2) }];
    const checkpoints = new MemoryCheckpoints(durable);
    const p = new Recorder();
    const w = worker(log, checkpoints, p);
    // The server dies while e2 is being applied: its write may be lost, so no checkpoint past it.
    const apply = p.apply.bind(p);
    p.apply = async (e: StoredEvent) => {
      await apply(e);
      if (e.eventId === 'e2' && w.restarts === 0) {
        checkpoints.current = durable; // what the restarted database still has
        log.streamChanges = [{ _id: { _data: 't2' }, operationType: 'insert', fullDocument: doc(200, 2) }];
        w.restartFromCheckpoint();
      }
    };
    w.start();
    await until(() => checkpoints.current?.lastEventId === 'e2');
    await w.stop();
    expect(w.restarts).toBe(1);
    expect(checkpoints.saved.filter((c) => c.lastEventId === 'e2')).toHaveLength(1); // only after the replay
    expect(p.seen).toEqual(['e2', 'e2']); // applied again after the restart (idempotent apply)
    expect(log.watchOptions.map((o) => o.startAfter)).toEqual([{ _data: 't1' }, { _data: 't1' }]);
  });

  it('stopped while a batch is being applied: the batch completes and its checkpoint is saved', async () => {
    const log = new FakeEventLog();
    const start: Checkpoint = afterE1();
    log.streamChanges = [
      { _id: { _data: 't2' }, operationType: 'insert', fullDocument: doc(200, 2) },
      { _id: { _data: 't3' }, operationType: 'insert', fullDocument: doc(300, 3) },
    ];
    const checkpoints = new MemoryCheckpoints(start);
    const p = new Recorder();
    const w = worker(log, checkpoints, p);
    let stopping: Promise<void> | undefined;
    const apply = p.apply.bind(p);
    p.apply = async (e: StoredEvent) => {
      if (e.eventId === 'e2') stopping = w.stop(); // the shutdown arrives mid-batch
      await apply(e);
    };
    w.start();
    await until(() => stopping !== undefined);
    await stopping;
    expect(p.seen).toEqual(['e2', 'e3']);
    // Not replayed by the next start: the shutdown saved the position after the batch.
    expect(checkpoints.current).toMatchObject({ resumeToken: { _data: 't3' }, lastEventId: 'e3' });
    expect(w.state).toBe('stopped');
  });

  it('stopped during the backoff after a failure: stops at once, not after the backoff', async () => {
    const log = new FakeEventLog();
    log.watchError = { code: 6, message: 'HostUnreachable' };
    const checkpoints = new MemoryCheckpoints(afterE1());
    const w = worker(log, checkpoints, new Recorder());
    w.start();
    await until(() => w.state === 'error');
    const started = Date.now();
    await w.stop();
    expect(Date.now() - started).toBeLessThan(150); // the first backoff is 200 ms, the next ones longer
    expect(w.state).toBe('stopped');
  });
});
