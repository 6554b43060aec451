/**
 * The projection runtime of one process:
 * - resync path: per projection, under a lease (`projection_leases`), a ResyncWorker streams
 *   `domain_events` from the checkpoint; another instance takes the lease over when this one dies;
 * - the contexts (live / shadow / scratch collection mapping) handed to `apply`.
 *
 * - fast path: every DomainEvent published on the EventBus goes to the FastPathQueue of every
 *   registered projection that handles its type, which applies them in batches;
 *
 * Projections read their own state (guards, refs, facts) through the primary: `ctx.collection()`
 * sets read preference `primary` whatever the read connection's default (queries may read from
 * secondaries; a projection fed a lagging secondary's state would write stale documents).
 *
 * Options come from the validated configuration (the PROJECTION_* settings of config/env.ts).
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { InjectConnection } from '@nestjs/mongoose';
import {
  ReadPreference,
  type Collection,
  type Db,
  type Document,
  type ServerDescriptionChangedEvent,
} from 'mongodb';
import type { Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Subscription } from 'rxjs';
import type { AppConfig } from '../../config/env.js';
import { APP_CONFIG } from '../config.module.js';
import { DomainEvent } from '../events/domain-event.js';
import { DOMAIN_EVENTS } from '../events/event-log.schema.js';
import { toStored } from '../events/event-registry.js';
import { READ_CONNECTION, WRITE_CONNECTION } from '../persistence/connections.js';
import { ProjectionApplier } from './projection-applier.js';
import { FastPathQueue, type FastPathOptions } from './fast-path-queue.js';
import { MongoCheckpointStore } from './projection-checkpoints.js';
import { MongoFailureStore } from './projection-failures.js';
import { LeaseStore } from './projection-lease.js';
import { ProjectionRegistry } from './projection-registry.js';
import type { Projection, ProjectionContext, ProjectionMode } from './projection.js';
import type { RetryPolicy } from './retry.js';
import { ResyncWorker, type EventLogDoc } from './resync-worker.js';

export interface ProjectionRuntimeOptions {
  /** Most events applied in one batch (fast path, resync path, rebuild and verify). */
  batchSize: number;
  /** Events per batch of a rebuild or verify replay. */
  replayBatchSize: number;
  fastPath: FastPathOptions;
  resync: boolean;
  retry: RetryPolicy;
  leaseTtlMs: number;
  heartbeatMs: number;
  scanOverlapMs: number;
  maxAwaitTimeMs: number;
  idleCheckpointMs: number;
  instanceId: string;
}

/** The runtime's options from the validated configuration. */
export function runtimeOptions(config: AppConfig): ProjectionRuntimeOptions {
  return {
    batchSize: config.projectionBatchSize,
    replayBatchSize: config.projectionReplayBatchSize,
    fastPath: {
      maxBatch: config.projectionBatchSize,
      deferRetries: config.projectionDeferRetries,
      deferDelayMs: config.projectionDeferDelayMs,
    },
    resync: config.projectionResync,
    retry: {
      attempts: config.projectionRetryAttempts,
      baseDelayMs: config.projectionRetryBaseMs,
      factor: 2,
      maxDelayMs: config.projectionRetryMaxMs,
    },
    leaseTtlMs: config.projectionLeaseTtlMs,
    heartbeatMs: config.projectionHeartbeatMs,
    scanOverlapMs: config.projectionScanOverlapMs,
    maxAwaitTimeMs: 500,
    idleCheckpointMs: 5_000,
    instanceId:
      config.projectionInstanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
  };
}

interface Runner {
  projection: Projection;
  fast: FastPathQueue;
  worker: ResyncWorker | undefined;
  loop: Promise<void> | undefined;
}

@Injectable()
export class ProjectionRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projections');
  readonly options: ProjectionRuntimeOptions;
  private subscription: Subscription | undefined;
  private readonly runners = new Map<string, Runner>();
  private readonly queues = new Map<string, FastPathQueue>();
  private stopping = false;
  private readonly sleepers = new Set<() => void>();
  private started = false;
  private stores:
    | {
        checkpoints: MongoCheckpointStore;
        failures: MongoFailureStore;
        leases: LeaseStore;
        applier: ProjectionApplier;
      }
    | undefined;

  constructor(
    @InjectConnection(READ_CONNECTION) private readonly readConnection: Connection,
    @InjectConnection(WRITE_CONNECTION) private readonly writeConnection: Connection,
    readonly registry: ProjectionRegistry,
    private readonly eventBus: EventBus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.options = runtimeOptions(config);
  }

  get readDb(): Db {
    const db = this.readConnection.db;
    if (!db) throw new Error('read connection is not open');
    return db;
  }

  get eventLog(): Collection<EventLogDoc> {
    const db = this.writeConnection.db;
    if (!db) throw new Error('write connection is not open');
    return db.collection<EventLogDoc>(DOMAIN_EVENTS);
  }

  private get s() {
    if (!this.stores) {
      const failures = new MongoFailureStore(this.readDb);
      this.stores = {
        checkpoints: new MongoCheckpointStore(this.readDb),
        failures,
        leases: new LeaseStore(this.readDb),
        applier: new ProjectionApplier({ failures, policy: this.options.retry, logger: this.logger }),
      };
    }
    return this.stores;
  }

  get checkpoints(): MongoCheckpointStore {
    return this.s.checkpoints;
  }
  get failures(): MongoFailureStore {
    return this.s.failures;
  }
  get leases(): LeaseStore {
    return this.s.leases;
  }
  get applier(): ProjectionApplier {
    return this.s.applier;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.started = true;
    this.watchReadServer();
    this.subscription = this.eventBus.subscribe((e: unknown) => this.onPublished(e));
    for (const p of this.registry.all()) await this.startProjection(p);
    this.registry.onRegister((p) => {
      if (this.started && !this.stopping) void this.startProjection(p);
    });
  }

  /**
   * When the read database's server becomes unreachable (the driver marks it Unknown on a network
   * error or a failed heartbeat), every resync worker restarts from its durable checkpoint: writes
   * acknowledged just before a crash of that server may be gone (see resync-worker.ts).
   */
  private watchReadServer(): void {
    const client = this.readConnection.getClient();
    client.on('serverDescriptionChanged', (e: ServerDescriptionChangedEvent) => {
      if (e.newDescription.type !== 'Unknown' || e.previousDescription.type === 'Unknown') return;
      if (this.stopping) return;
      for (const r of this.runners.values()) r.worker?.restartFromCheckpoint();
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.subscription?.unsubscribe();
    this.wakeAll();
    await Promise.all([...this.runners.values()].map((r) => r.loop));
    await Promise.all([...this.runners.values()].map((r) => r.fast.close()));
    await Promise.all([...this.runners.keys()].map((n) => this.stores?.applier.idle(n)));
    for (const name of this.runners.keys()) {
      await this.stores?.leases.release(name, this.options.instanceId).catch(() => undefined);
    }
  }

  /**
   * The context for `apply`: logical names map to `<name><suffix>` for the collections `p` owns.
   * Live contexts invalidate cache keys at once; other modes hand them to `collect` (if given).
   */
  context(
    p: Projection,
    mode: ProjectionMode,
    suffix = '',
    collect?: (keys: readonly string[]) => void,
  ): ProjectionContext {
    const owned = new Set(p.collections.map((c) => c.name));
    const db = this.readDb;
    const map = (name: string): string => (owned.has(name) ? name + suffix : name);
    return {
      db,
      mode,
      // Always the primary (see the header). Scratch collections of rebuild/verify need no
      // journaled writes (the read connection's default): a crash restarts the rebuild, and the
      // swap itself is journaled.
      collection: <T extends Document = Document>(name: string) =>
        db.collection<T>(map(name), {
          readPreference: ReadPreference.primary,
          ...(suffix ? { writeConcern: { w: 1, journal: false } } : {}),
        }),
      collectionName: map,
      logger: this.logger,
      invalidate: (keys) => {
        if (mode === 'live') return this.registry.invalidate(keys);
        collect?.(keys); // rebuild: invalidated after the swap
        return Promise.resolve();
      },
    };
  }

  /** The resync worker's state for status: running here, standby (another holds the lease), off. */
  resyncState(name: string): { running: boolean; state: string; scans: number } {
    const w = this.runners.get(name)?.worker;
    return w
      ? { running: true, state: w.state, scans: w.scans }
      : { running: false, state: 'standby', scans: 0 };
  }

  /** Stop this instance's resync streams and give up the leases (tests: simulate a dead holder with release=false). */
  async stopResync(release = true): Promise<void> {
    this.stopping = true;
    this.wakeAll();
    await Promise.all([...this.runners.values()].map((r) => r.loop));
    if (release) {
      for (const name of this.runners.keys()) await this.leases.release(name, this.options.instanceId);
    }
  }

  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve(); // wakeAll() may have run before this pause began
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private wakeAll(): void {
    for (const s of [...this.sleepers]) s();
  }

  private onPublished(e: unknown): void {
    if (!(e instanceof DomainEvent)) return;
    const event = toStored(e as DomainEvent<object>);
    for (const p of this.registry.handling(event.type)) this.fastQueue(p).push(event);
  }

  /** The fast-path queue of `p` (made on first use: events published before its start are kept). */
  private fastQueue(p: Projection): FastPathQueue {
    let q = this.queues.get(p.name);
    if (!q) {
      q = new FastPathQueue(p, this.applier, this.context(p, 'live'), this.options.fastPath, this.logger);
      this.queues.set(p.name, q);
    }
    return q;
  }

  /**
   * The fast path's backlog of `name` in this process: events queued or deferred, and the commit
   * time of the oldest of them (null when none waits).
   */
  fastPathBacklog(name: string): { pending: number; oldest: Date | null } {
    const q = this.queues.get(name);
    return { pending: q?.pending ?? 0, oldest: q?.oldestPending() ?? null };
  }

  /** Resolves when the fast path of `name` has applied everything queued so far (tests, shutdown). */
  async fastPathIdle(name: string): Promise<void> {
    await this.queues.get(name)?.idle();
    await this.stores?.applier.idle(name);
  }

  private async startProjection(p: Projection): Promise<void> {
    if (this.runners.has(p.name)) return;
    const runner: Runner = { projection: p, fast: this.fastQueue(p), worker: undefined, loop: undefined };
    this.runners.set(p.name, runner);
    await this.ensureIndexes(p);
    if (this.options.resync && p.handles.length > 0) runner.loop = this.leaseLoop(runner);
  }

  private async ensureIndexes(p: Projection): Promise<void> {
    for (const c of p.collections) {
      if (c.indexes.length === 0) continue;
      try {
        await this.readDb
          .collection(c.name)
          .createIndexes(c.indexes.map((i) => ({ ...(i.options ?? {}), key: i.key as Document })));
      } catch (e) {
        this.logger.error(
          `projection ${p.name}: indexes of ${c.name}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
  }

  private async leaseLoop(r: Runner): Promise<void> {
    const name = r.projection.name;
    const me = this.options.instanceId;
    let lastRenewed = 0;
    while (!this.stopping) {
      try {
        const held = await this.leases.tryAcquire(name, me, this.options.leaseTtlMs);
        if (held) {
          lastRenewed = Date.now();
          if (!r.worker) {
            this.logger.log(`projection ${name}: lease acquired by ${me}; resync stream starting`);
            r.worker = new ResyncWorker({
              projection: r.projection,
              applier: this.applier,
              checkpoints: this.checkpoints,
              eventLog: this.eventLog,
              ctx: this.context(r.projection, 'live'),
              logger: this.logger,
              scanOverlapMs: this.options.scanOverlapMs,
              maxAwaitTimeMs: this.options.maxAwaitTimeMs,
              idleCheckpointMs: this.options.idleCheckpointMs,
              batchSize: this.options.batchSize,
            });
            r.worker.start();
          }
        } else if (r.worker) {
          this.logger.warn(`projection ${name}: lease lost; stopping the resync stream here`);
          await r.worker.stop();
          r.worker = undefined;
        }
      } catch (e) {
        this.logger.error(`projection ${name}: lease: ${e instanceof Error ? e.message : String(e)}`);
        if (r.worker && Date.now() - lastRenewed > this.options.leaseTtlMs) {
          await r.worker.stop();
          r.worker = undefined;
        }
      }
      await this.pause(this.options.heartbeatMs);
    }
    if (r.worker) {
      await r.worker.stop();
      r.worker = undefined;
    }
  }
}
