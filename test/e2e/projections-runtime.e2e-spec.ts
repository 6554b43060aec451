/**
 * The projection runtime with a tiny test projection ('test_things': one document per event plus
 * a per-aggregate max version), on a shared embedded server so several app instances (and
 * restarts) use the same databases: fast path, resync path (events inserted into domain_events
 * without publishing), restart from the checkpoint, history loss (tiny oplog) and an invalidated
 * stream recovered by a scan, dead letters (retry, discard), rebuild + verify, one rebuild at a
 * time, lease takeover between two instances (in process, and a SIGKILLed child process).
 */
import { EventBus } from '@nestjs/cqrs';
import { MongoClient, type Db } from 'mongodb';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  startEmbeddedMongo,
  type EmbeddedMongo,
  type EmbeddedMongoOptions,
} from '../../src/embedded-mongo/index.js';
import type { StoredEvent } from '../../src/shared/events/event-registry.js';
import { ProjectionRegistry } from '../../src/shared/projections/projection-registry.js';
import { ProjectionRuntime } from '../../src/shared/projections/projection-runtime.js';
import { APPLIED_ALL, type Projection } from '../../src/shared/projections/projection.js';
import {
  EVENTS_BEHIND_COUNT_LIMIT,
  ProjectionsService,
} from '../../src/shared/projections/projections.service.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { ThingHappened, ThingsProjection, TYPE } from './helpers/things-projection.js';

function eventDoc(aggregateId: string, version: number, n: number): StoredEvent {
  return {
    eventId: randomUUID(),
    type: TYPE,
    aggregateType: 'thing',
    aggregateId,
    aggregateVersion: version,
    occurredAt: new Date(),
    recordedAt: new Date(),
    correlationId: randomUUID(),
    payload: { n },
  };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Instance {
  t: TestApp;
  projection: ThingsProjection;
  runtime: ProjectionRuntime;
  service: ProjectionsService;
}

/** Short retries and lease times, so failures, takeovers and restarts show within seconds. */
const QUICK: Record<string, string> = {
  PROJECTION_RETRY_ATTEMPTS: '3',
  PROJECTION_RETRY_BASE_MS: '20',
  PROJECTION_RETRY_MAX_MS: '50',
  PROJECTION_LEASE_TTL_MS: '1500',
  PROJECTION_HEARTBEAT_MS: '300',
  PROJECTION_SCAN_OVERLAP_MS: '60000',
};

async function startInstance(uri: string, id: string, env: Record<string, string> = {}): Promise<Instance> {
  const t = await startTestApp({ MONGODB_URI: uri, PROJECTION_INSTANCE_ID: id, ...env });
  const projection = new ThingsProjection();
  t.app.get(ProjectionRegistry).register(projection);
  return { t, projection, runtime: t.app.get(ProjectionRuntime), service: t.app.get(ProjectionsService) };
}

describe('projection runtime', () => {
  let mongo: EmbeddedMongo;
  let client: MongoClient;
  let write: Db;
  let read: Db;

  const countThings = (filter = {}) => read.collection('test_things').countDocuments(filter);
  const insertEvents = async (events: StoredEvent[]) => {
    await write.collection('domain_events').insertMany(events.map((e) => ({ ...e })));
  };

  beforeAll(async () => {
    mongo = await startEmbeddedMongo({ logLevel: 'warn' });
    client = await MongoClient.connect(mongo.uri);
    write = client.db('app');
    read = client.db('app_read');
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await mongo?.stop();
  });

  describe('one instance', () => {
    let a: Instance;

    beforeAll(async () => {
      a = await startInstance(mongo.uri, 'instance-a', QUICK);
    }, 60_000);

    afterAll(async () => {
      await a?.t.close();
    }, 30_000);

    it('takes the lease and starts the resync stream', async () => {
      await until('resync running', async () => a.runtime.resyncState('test_things').running);
      const [s] = await a.service.status('test_things');
      expect(s!.lease).toMatchObject({ holder: 'instance-a', mine: true });
    });

    it('fast path: a published event is applied', async () => {
      const e = new ThingHappened('fast-1', 1, { n: 1 }, randomUUID());
      a.t.app.get(EventBus).publish(e); // not in domain_events: only the fast path can apply it
      await until('fast path applied', () =>
        read.collection('test_things').findOne({ _id: e.eventId as never }),
      );
      expect(await countThings({ aggregateId: 'fast-1' })).toBe(1);
    });

    it('resync path: events written to domain_events without publishing are applied and checkpointed', async () => {
      const events = [1, 2, 3].map((v) => eventDoc('resync-1', v, 10 + v));
      await insertEvents(events);
      await until('resync applied', async () => (await countThings({ aggregateId: 'resync-1' })) === 3);
      const cp = await until('checkpoint', async () => {
        const [s] = await a.service.status('test_things');
        return s!.checkpoint?.lastEventId === events[2]!.eventId && s!.checkpoint.hasResumeToken ? s : null;
      });
      expect(cp.eventsBehind).toBe(0);
      expect(cp.lagMs).not.toBeNull();
    });

    it('a failing event is retried, dead-lettered, the projection moves on; retry and discard work', async () => {
      a.projection.failOn.add(99);
      a.projection.failOn.add(98);
      const bad = eventDoc('dl-1', 1, 99);
      const bad2 = eventDoc('dl-2', 1, 98);
      const good = eventDoc('dl-1', 2, 100);
      await insertEvents([bad, bad2, good]);
      await until('good applied after the bad one', () =>
        read.collection('test_things').findOne({ _id: good.eventId as never }),
      );
      const letters = await until('dead letters', async () => {
        const l = await a.service.listDeadLetters({ projection: 'test_things' });
        return l.length === 2 ? l : null;
      });
      const letter = letters.find((l) => l.event.eventId === bad.eventId)!;
      expect(letter).toMatchObject({
        projection: 'test_things',
        error: 'cannot project thing 99',
        status: 'dead',
      });
      expect(letter.attempts).toBeGreaterThanOrEqual(3);

      const list = await request(a.t.http)
        .get('/api/admin/projections/dead-letters?projection=test_things')
        .set('Authorization', `Bearer ${a.t.adminToken}`);
      expect(list.status).toBe(200);
      expect(list.body).toHaveLength(2);
      const forbidden = await request(a.t.http)
        .get('/api/admin/projections/dead-letters')
        .set('Authorization', `Bearer ${a.t.customerToken('c1')}`);
      expect(forbidden.status).toBe(403);

      // Still failing: stays dead.
      const stillDead = await request(a.t.http)
        .post(`/api/admin/projections/dead-letters/${letter.id}/retry`)
        .set('Authorization', `Bearer ${a.t.adminToken}`);
      expect(stillDead.status).toBe(200);
      expect(stillDead.body.status).toBe('dead');

      a.projection.failOn.delete(99);
      const retried = await request(a.t.http)
        .post(`/api/admin/projections/dead-letters/${letter.id}/retry`)
        .set('Authorization', `Bearer ${a.t.adminToken}`);
      expect(retried.status).toBe(200);
      expect(retried.body.status).toBe('resolved');
      expect(await read.collection('test_things').findOne({ _id: bad.eventId as never })).toMatchObject({
        n: 99,
      });

      const other = letters.find((l) => l.event.eventId === bad2.eventId)!;
      const discarded = await request(a.t.http)
        .post(`/api/admin/projections/dead-letters/${other.id}/discard`)
        .set('Authorization', `Bearer ${a.t.adminToken}`);
      expect(discarded.body.status).toBe('discarded');
      expect(await a.service.listDeadLetters({ projection: 'test_things' })).toEqual([]);
      a.projection.failOn.clear();
    });

    it('verify reports 0 differences when in sync, and each difference when not', async () => {
      // bad2 was discarded, so the live model lacks it: verify must say so; re-apply it first.
      const letters = await a.service.listDeadLetters({ projection: 'test_things', status: 'discarded' });
      for (const l of letters) await a.service.retryDeadLetter(l.id);
      // the fast-path-only event (fast-1) is not in the log: remove it, it is not derivable.
      await read.collection('test_things').deleteMany({ aggregateId: 'fast-1' });
      await read.collection('test_things_by_aggregate').deleteOne({ _id: 'fast-1' as never });

      const [ok] = await a.service.verify('test_things');
      expect(ok).toMatchObject({ projection: 'test_things', differences: 0 });
      expect(ok!.events).toBeGreaterThan(0);

      await read
        .collection('test_things_by_aggregate')
        .updateOne({ _id: 'resync-1' as never }, { $set: { version: 42 } });
      await read.collection('test_things').deleteOne({ aggregateId: 'dl-1', n: 100 });
      // Over HTTP, verify is a job: 202 with its Location, then GET until it is done.
      const started = await request(a.t.http)
        .post('/api/admin/projections/verify?name=test_things')
        .set('Authorization', `Bearer ${a.t.adminToken}`);
      expect(started.status).toBe(202);
      expect(started.body).toMatchObject({ status: 'running', projections: ['test_things'] });
      expect(started.headers.location).toBe(`/api/admin/projections/verify/${started.body.jobId}`);
      let job = started.body as {
        status: string;
        reports: { differences: number; samples: { kind: string }[] }[];
      };
      for (let i = 0; i < 300 && job.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const polled = await request(a.t.http)
          .get(started.headers.location as string)
          .set('Authorization', `Bearer ${a.t.adminToken}`)
          .expect(200);
        job = polled.body as typeof job;
      }
      expect(job.status).toBe('completed');
      expect(job.reports[0]!.differences).toBe(2);
      expect(job.reports[0]!.samples.map((d: { kind: string }) => d.kind).sort()).toEqual([
        'different',
        'missing-in-live',
      ]);
    });

    it('rebuild replays the log into shadow collections and swaps them in; verify = 0 afterwards', async () => {
      const before = await countThings();
      let writing = true;
      let written = 0;
      const load = (async () => {
        while (writing) {
          await insertEvents([eventDoc(`load-${written}`, 1, 1000 + written)]);
          written++;
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const invalidated: string[] = [];
      a.t.app.get(ProjectionRegistry).setInvalidator(async (keys) => {
        invalidated.push(...keys);
      });
      const res = await request(a.t.http)
        .post('/api/admin/projections/test_things/rebuild?wait=true')
        .set('Authorization', `Bearer ${a.t.adminToken}`);
      writing = false;
      await load;
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ projection: 'test_things', phase: 'done' });
      expect(res.body.processed).toBeGreaterThanOrEqual(before);
      // the cache keys the replay touched are invalidated after the swap
      expect(invalidated).toEqual(expect.arrayContaining(['thing:resync-1', 'thing:dl-1', 'thing:dl-2']));
      invalidated.length = 0;
      await a.service.verify('test_things');
      expect(invalidated.filter((k) => !k.startsWith('thing:load-'))).toEqual([]); // verify replays invalidate nothing
      expect(
        await read.collection('test_things_by_aggregate').findOne({ _id: 'resync-1' as never }),
      ).toMatchObject({
        version: 3,
      });
      await until('load applied', async () => (await countThings({ aggregateId: /^load-/ })) === written);
      const [report] = await a.service.verify('test_things');
      expect(report!.differences).toBe(0);
      const names = (await read.listCollections().toArray()).map((c) => c.name);
      expect(names.filter((n) => n.includes('__'))).toEqual([]);
      const progress = await request(a.t.http)
        .get('/api/admin/projections/test_things/rebuild')
        .set('Authorization', `Bearer ${a.t.adminToken}`);
      expect(progress.body.phase).toBe('done');
    }, 60_000);

    it('one rebuild at a time: joined in the same process, 409 while another instance rebuilds', async () => {
      const post = () =>
        request(a.t.http)
          .post('/api/admin/projections/test_things/rebuild?wait=true')
          .set('Authorization', `Bearer ${a.t.adminToken}`);
      const [r1, r2] = await Promise.all([post(), post()]);
      expect([r1.status, r2.status]).toEqual([200, 200]);
      expect(r1.body.startedAt).toBe(r2.body.startedAt);

      await read.collection('projection_leases').insertOne({
        _id: 'rebuild:test_things' as never,
        holder: 'elsewhere',
        expiresAt: new Date(Date.now() + 60_000),
      });
      try {
        const busy = await request(a.t.http)
          .post('/api/admin/projections/test_things/rebuild')
          .set('Authorization', `Bearer ${a.t.adminToken}`);
        expect(busy.status).toBe(409);
        expect(busy.body.code).toBe('PROJECTIONS.REBUILD_RUNNING');
      } finally {
        await read.collection('projection_leases').deleteOne({ _id: 'rebuild:test_things' as never });
      }
      const [report] = await a.service.verify('test_things');
      expect(report!.differences).toBe(0);
    }, 60_000);

    it('status over HTTP', async () => {
      const res = await request(a.t.http)
        .get('/api/admin/projections/test_things')
        .set('Authorization', `Bearer ${a.t.adminToken}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'test_things', deadLetters: 0, resync: { running: true } });
      const missing = await request(a.t.http)
        .get('/api/admin/projections/nope')
        .set('Authorization', `Bearer ${a.t.adminToken}`);
      expect(missing.status).toBe(404);
    });
  });

  it('restart: events written while no instance runs are applied from the checkpoint', async () => {
    const offline = [1, 2].map((v) => eventDoc('offline-1', v, 2000 + v));
    await insertEvents(offline);
    const b = await startInstance(mongo.uri, 'instance-b', QUICK);
    try {
      await until(
        'offline events applied',
        async () => (await countThings({ aggregateId: 'offline-1' })) === 2,
      );
      // resumed from the stored token: no catch-up scan was needed
      expect(b.runtime.resyncState('test_things').scans).toBe(0);
    } finally {
      await b.t.close();
    }
  }, 60_000);

  it('a backlog over the count limit reads as "at least" that many behind (a status never counts a whole backlog)', async () => {
    const b = await startInstance(mongo.uri, 'instance-backlog');
    let open: () => void = () => undefined;
    const gate = new Promise<void>((r) => (open = r));
    const held: Projection = {
      name: 'test_backlog',
      handles: ['test.backlog'],
      collections: [],
      applyBatch: async () => {
        await gate;
        return APPLIED_ALL;
      },
    };
    b.t.app.get(ProjectionRegistry).register(held);
    try {
      const backlog = Array.from({ length: EVENTS_BEHIND_COUNT_LIMIT + 5 }, (_, i) => ({
        ...eventDoc(`backlog-${i % 50}`, Math.floor(i / 50) + 1, i),
        type: 'test.backlog',
      }));
      await insertEvents(backlog);
      const capped = await until('backlog counted', async () => {
        const [s] = await b.service.status('test_backlog');
        return s!.eventsBehind > 0 ? s : null;
      });
      expect({ behind: capped.eventsBehind, capped: capped.eventsBehindCapped }).toEqual({
        behind: EVENTS_BEHIND_COUNT_LIMIT,
        capped: true,
      });
      open();
      const done = await until(
        'backlog applied',
        async () => {
          const [s] = await b.service.status('test_backlog');
          return s!.eventsBehind === 0 ? s : null;
        },
        60_000,
      );
      expect(done.eventsBehindCapped).toBe(false);
    } finally {
      open();
      await b.t.close();
    }
  }, 90_000);

  it('two instances: the resync stream runs on one; when its holder dies the other takes over within seconds', async () => {
    const a = await startInstance(mongo.uri, 'instance-a2', QUICK);
    const b = await startInstance(mongo.uri, 'instance-b2', QUICK);
    try {
      await until(
        'one holder',
        async () =>
          a.runtime.resyncState('test_things').running !== b.runtime.resyncState('test_things').running,
      );
      const [holder, other] = a.runtime.resyncState('test_things').running ? [a, b] : [b, a];
      await holder.runtime.stopResync(false); // dies without releasing the lease
      const t0 = Date.now();
      await until('takeover', async () => other.runtime.resyncState('test_things').running, 10_000);
      expect(Date.now() - t0).toBeLessThan(5_000);
      const e = eventDoc('after-takeover', 1, 3000);
      await insertEvents([e]);
      await until('applied by the new holder', () =>
        read.collection('test_things').findOne({ _id: e.eventId as never }),
      );
    } finally {
      await a.t.close();
      await b.t.close();
    }
  }, 60_000);
  it('a lease holder process SIGKILLed: the resync stream moves to the surviving instance within seconds', async () => {
    const childJs = path.resolve('dist/test/e2e/helpers/projection-instance.js');
    if (!existsSync(childJs)) throw new Error(`${childJs} is missing: run \`npm run build\` first`);
    const child = spawn(process.execPath, ['--enable-source-maps', childJs, mongo.uri, 'child-holder'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    let survivor: Instance | undefined;
    try {
      // Let the child take the lease first (the current one is free or expires within 1.5 s).
      await until(
        'child holds the lease',
        async () =>
          (await read.collection('projection_leases').findOne({ _id: 'test_things' as never }))?.holder ===
          'child-holder',
        20_000,
      ).catch((e: unknown) => {
        throw new Error(`${String(e)}; child stderr: ${stderr}`);
      });
      survivor = await startInstance(mongo.uri, 'survivor', QUICK);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(survivor.runtime.resyncState('test_things').running).toBe(false); // standby
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const t0 = Date.now();
      await until('takeover', async () => survivor!.runtime.resyncState('test_things').running, 10_000);
      expect(Date.now() - t0).toBeLessThan(5_000);
      const e = eventDoc('after-kill', 1, 4000);
      await insertEvents([e]);
      await until('applied by the survivor', () =>
        read.collection('test_things').findOne({ _id: e.eventId as never }),
      );
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await survivor?.t.close();
    }
  }, 60_000);
});

describe('projection runtime: the change stream cannot resume', () => {
  it('recovers by scanning domain_events from the checkpoint, then streams again; verify = 0', async () => {
    await onOwnServer({ logLevel: 'warn', oplogSizeMB: 0.05 }, async (mongo, write, read) => {
      let i = await startInstance(mongo.uri, 'history-a');
      await insertEvents(write, [eventDoc('h-0', 1, 1)]);
      await until('first event', async () => (await read.collection('test_things').countDocuments()) === 1);
      await until(
        'token checkpoint',
        async () =>
          (await read.collection('projection_checkpoints').findOne({ _id: 'test_things' as never }))
            ?.resumeToken,
      );
      await i.t.close();
      // Far more than the tiny oplog keeps: the stored token falls out of the history.
      const filler = 'x'.repeat(2_000);
      for (let b = 0; b < 10; b++) {
        await write.collection('filler').insertMany(Array.from({ length: 20 }, () => ({ filler })));
      }
      const missed = Array.from({ length: 30 }, (_, k) => eventDoc(`h-${k + 1}`, 1, 100 + k));
      await insertEvents(write, missed);
      for (let b = 0; b < 10; b++) {
        await write.collection('filler').insertMany(Array.from({ length: 20 }, () => ({ filler })));
      }
      i = await startInstance(mongo.uri, 'history-a');
      try {
        await until(
          'missed events applied',
          async () => (await read.collection('test_things').countDocuments()) === 31,
          20_000,
        );
        expect(i.runtime.resyncState('test_things').scans).toBeGreaterThanOrEqual(1);
        const after = eventDoc('h-after', 1, 500);
        await insertEvents(write, [after]);
        await until('streaming again', () =>
          read.collection('test_things').findOne({ _id: after.eventId as never }),
        );
        const [report] = await i.service.verify('test_things');
        expect(report!.differences).toBe(0);
      } finally {
        await i.t.close();
      }
    });
  }, 90_000);

  it("a rebuild whose change stream loses its history (the replay's own writes overflow the oplog) scans the log instead; nothing is missed, verify = 0", async () => {
    await onOwnServer({ logLevel: 'warn', oplogSizeMB: 0.05 }, async (mongo, write, read) => {
      // A short scan overlap: the rescan then rewrites only the events since the stream opened
      // (with the default minute it would rewrite the whole test log and overflow the tiny oplog
      // again, as often as it retried).
      const i = await startInstance(mongo.uri, 'rebuild-history', {
        ...QUICK,
        PROJECTION_SCAN_OVERLAP_MS: '100',
      });
      try {
        const before = Array.from({ length: 400 }, (_, k) =>
          eventDoc(`rh-${k % 40}`, Math.floor(k / 40) + 1, k),
        );
        await insertEvents(write, before);
        await until(
          'log applied',
          async () => (await read.collection('test_things').countDocuments()) === 400,
        );
        const during = Array.from({ length: 30 }, (_, k) => eventDoc(`rh-during-${k}`, 1, 1000 + k));
        const [progress] = await Promise.all([
          i.service.rebuild('test_things'),
          (async () => {
            for (const e of during) await insertEvents(write, [e]);
          })(),
        ]);
        expect({ phase: progress.phase, error: progress.error }).toEqual({ phase: 'done', error: undefined });
        expect(progress.rescans).toBeGreaterThanOrEqual(1);
        await until('every event in the rebuilt model', async () =>
          (await read.collection('test_things').countDocuments()) === 430 ? true : null,
        );
        const [report] = await i.service.verify('test_things');
        expect(report!.differences).toBe(0);
      } finally {
        await i.t.close();
      }
    });
  }, 90_000);

  it('an invalidated stream (domain_events renamed away and recreated) recovers by scanning, then streams again', async () => {
    await onOwnServer({ logLevel: 'warn' }, async (mongo, write, read) => {
      const i = await startInstance(mongo.uri, 'invalidate-a');
      try {
        await insertEvents(write, [eventDoc('inv-0', 1, 1)]);
        await until('first event', async () => (await read.collection('test_things').countDocuments()) === 1);
        const scansBefore = i.runtime.resyncState('test_things').scans;
        // Renaming the watched collection invalidates the stream (an archive + a fresh log).
        await write.collection('domain_events').rename('domain_events_archived');
        const later = [1, 2, 3].map((v) => eventDoc('inv-1', v, 10 + v));
        await insertEvents(write, later);
        await until(
          'events after the invalidate applied',
          async () => (await read.collection('test_things').countDocuments({ aggregateId: 'inv-1' })) === 3,
        );
        expect(i.runtime.resyncState('test_things').scans).toBeGreaterThan(scansBefore);
      } finally {
        await i.t.close();
      }
    });
  }, 60_000);

  /** Runs `test` against an embedded server of its own (e.g. with a tiny oplog), stopped after. */
  async function onOwnServer(
    options: EmbeddedMongoOptions,
    test: (mongo: EmbeddedMongo, write: Db, read: Db) => Promise<void>,
  ): Promise<void> {
    const mongo = await startEmbeddedMongo(options);
    const client = await MongoClient.connect(mongo.uri);
    try {
      await test(mongo, client.db('app'), client.db('app_read'));
    } finally {
      await client.close();
      await mongo.stop();
    }
  }

  async function insertEvents(write: Db, events: StoredEvent[]): Promise<void> {
    await write.collection('domain_events').insertMany(events.map((e) => ({ ...e })));
  }
});
