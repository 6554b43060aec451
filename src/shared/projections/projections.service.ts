/**
 * The operations face of the projection runtime (admin API and CLI): status, rebuild with
 * progress, verify, dead letters (list, retry, discard).
 */
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Document } from 'mongodb';
import { conflict, notFound } from '../errors/app-error.js';
import type { Checkpoint } from './projection-checkpoints.js';
import type { DeadLetter, DeadLetterStatus } from './projection-failures.js';
import type { LeaseInfo } from './projection-lease.js';
import {
  ProjectionRebuilder,
  type RebuildProgress,
  type VerifyProgress,
  type VerifyReport,
} from './projection-rebuilder.js';
import { ProjectionRuntime } from './projection-runtime.js';
import type { Projection } from './projection.js';

/** Where a status stops counting the events behind (`eventsBehindCapped`). */
export const EVENTS_BEHIND_COUNT_LIMIT = 10_000;

export interface ProjectionStatus {
  name: string;
  handles: readonly string[];
  checkpoint: {
    lastEventId: string | null;
    lastOccurredAt: Date | null;
    lastPosition: string | null;
    hasResumeToken: boolean;
    updatedAt: Date;
  } | null;
  /**
   * Events of the handled types after the checkpoint (0 = the resync path is caught up), counted
   * up to EVENTS_BEHIND_COUNT_LIMIT: a status is read by every health check, metrics scrape and
   * lag-monitor pass, and a full count far behind (a restore, a long outage) cost the database a
   * scan of the whole backlog each time.
   */
  eventsBehind: number;
  /** true: at least `eventsBehind` events wait (the count stopped at its limit). */
  eventsBehindCapped: boolean;
  /**
   * How far behind the projection is now, in ms: 0 when nothing waits; otherwise the age of the
   * oldest event still waiting (its commit time to now): the first event after the checkpoint
   * (when the resync path runs), or the oldest one queued or deferred on this instance's fast path.
   * It grows while events wait, also when nothing is being applied.
   */
  lagMs: number;
  /** Commit-to-application time of the last event this instance applied (ms); null before the first. */
  lastAppliedLagMs: number | null;
  /** ms between the checkpointed event's occurredAt and the checkpoint write (any instance). */
  checkpointLagMs: number | null;
  eventsPerSecond: number;
  appliedHere: number;
  deadLetters: number;
  lease: (LeaseInfo & { mine: boolean; expired: boolean }) | null;
  resync: { running: boolean; state: string; scans: number };
  rebuild: RebuildProgress | null;
}

/** A verify run over HTTP: started with 202, polled until `status` is no longer 'running'. */
export interface VerifyJob {
  jobId: string;
  status: 'running' | 'completed' | 'failed';
  projections: string[];
  startedAt: Date;
  finishedAt: Date | null;
  /** The projection being verified and how far (null before the first report and when done). */
  progress: VerifyProgress | null;
  /** One report per projection verified so far. */
  reports: VerifyReport[];
  error: string | null;
}

/** Finished verify jobs kept for GET (the newest ones; jobs live in the instance that runs them). */
const KEEP_JOBS = 20;

@Injectable()
export class ProjectionsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private readonly rebuilds = new Map<string, RebuildProgress>();
  private readonly jobs = new Map<string, VerifyJob>();
  /** Keys of exclusive() held by this process. */
  private readonly held = new Set<string>();
  private readonly running = new Map<string, Promise<RebuildProgress>>();
  private readonly starting = new Map<string, Promise<{ done: Promise<RebuildProgress> }>>();
  /** Verify jobs running in the background. */
  private readonly verifying = new Set<Promise<void>>();
  /** Aborted at shutdown: rebuilds and verifies stop at their next batch. */
  private readonly stopping = new AbortController();

  constructor(private readonly runtime: ProjectionRuntime) {}

  /**
   * Shutdown: running rebuilds and verifies stop before their next batch and clean up (scratch and
   * shadow collections dropped, leases released) while the databases are still open. A rebuild that
   * is already swapping finishes. A rebuild stopped this way ends as `failed` and can be started again.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort(new Error('the service is shutting down'));
    await Promise.allSettled([...this.starting.values()]);
    await Promise.allSettled([...this.running.values(), ...this.verifying]);
  }

  private get rebuilder(): ProjectionRebuilder {
    return new ProjectionRebuilder({
      readDb: this.runtime.readDb,
      eventLog: this.runtime.eventLog,
      logger: this.logger,
      policy: this.runtime.options.retry,
      replayBatchSize: this.runtime.options.replayBatchSize,
      scanOverlapMs: this.runtime.options.scanOverlapMs,
      context: (p, mode, suffix, collect) => this.runtime.context(p, mode, suffix, collect),
      invalidate: (keys) => this.runtime.registry.invalidate(keys),
      signal: this.stopping.signal,
    });
  }

  names(): string[] {
    return this.runtime.registry
      .all()
      .map((p) => p.name)
      .sort();
  }

  projection(name: string): Projection {
    const p = this.runtime.registry.get(name);
    if (!p) throw notFound('PROJECTIONS.NOT_FOUND', `no projection named ${name}`);
    return p;
  }

  async status(name?: string): Promise<ProjectionStatus[]> {
    const names = name ? [this.projection(name).name] : this.names();
    return Promise.all(names.map((n) => this.statusOf(this.projection(n))));
  }

  private async statusOf(p: Projection): Promise<ProjectionStatus> {
    const [cp, lease, deadLetters] = await Promise.all([
      this.runtime.checkpoints.get(p.name),
      this.runtime.leases.get(p.name),
      this.runtime.failures.count(p.name),
    ]);
    const stats = this.runtime.applier.statsFor(p.name);
    return {
      name: p.name,
      handles: p.handles,
      checkpoint: cp
        ? {
            lastEventId: cp.lastEventId,
            lastOccurredAt: cp.lastOccurredAt,
            lastPosition: cp.lastObjectId?.toHexString() ?? null,
            hasResumeToken: cp.resumeToken !== null,
            updatedAt: cp.updatedAt,
          }
        : null,
      ...(await this.eventsBehind(p, cp)),
      lagMs: await this.currentLagMs(p, cp),
      lastAppliedLagMs: stats.lastLagMs,
      checkpointLagMs: cp?.lastOccurredAt
        ? Math.max(0, cp.updatedAt.getTime() - cp.lastOccurredAt.getTime())
        : null,
      eventsPerSecond: stats.eventsPerSecond,
      appliedHere: stats.applied,
      deadLetters,
      lease: lease
        ? {
            ...lease,
            mine: lease.holder === this.runtime.options.instanceId,
            expired: lease.expiresAt.getTime() < Date.now(),
          }
        : null,
      resync: this.runtime.resyncState(p.name),
      rebuild: this.rebuilds.get(p.name) ?? null,
    };
  }

  private async currentLagMs(p: Projection, cp: Checkpoint | null): Promise<number> {
    const now = Date.now();
    const fast = this.runtime.fastPathBacklog(p.name).oldest;
    let oldest = fast ? fast.getTime() : null;
    if (this.runtime.options.resync && p.handles.length > 0) {
      const filter: Document = { type: { $in: [...p.handles] } };
      if (cp?.lastObjectId) filter._id = { $gt: cp.lastObjectId };
      const first = await this.runtime.eventLog.findOne(filter, {
        sort: { _id: 1 },
        projection: { recordedAt: 1, occurredAt: 1 },
      });
      if (first) {
        const t = new Date(first.recordedAt ?? first.occurredAt).getTime();
        oldest = oldest === null ? t : Math.min(oldest, t);
      }
    }
    return oldest === null ? 0 : Math.max(0, now - oldest);
  }

  private async eventsBehind(
    p: Projection,
    cp: Checkpoint | null,
  ): Promise<Pick<ProjectionStatus, 'eventsBehind' | 'eventsBehindCapped'>> {
    const filter: Document = { type: { $in: [...p.handles] } };
    if (cp?.lastObjectId) filter._id = { $gt: cp.lastObjectId };
    const n = await this.runtime.eventLog.countDocuments(filter, { limit: EVENTS_BEHIND_COUNT_LIMIT });
    return { eventsBehind: n, eventsBehindCapped: n >= EVENTS_BEHIND_COUNT_LIMIT };
  }

  /**
   * Start a rebuild and return once it runs; `done` resolves with its final progress. One at a
   * time per projection across all instances (a `rebuild:<name>` lease in projection_leases): a
   * second one fails with 409 PROJECTIONS.REBUILD_RUNNING, except in the same process, where it
   * joins the running one.
   */
  async startRebuild(
    name: string,
    onProgress?: (p: RebuildProgress) => void,
  ): Promise<{ done: Promise<RebuildProgress> }> {
    const p = this.projection(name);
    const current = this.running.get(name);
    if (current) return { done: current };
    const starting = this.starting.get(name);
    if (starting) return starting;
    const start = (async () => {
      const release = await this.exclusive(`rebuild:${name}`, 'PROJECTIONS.REBUILD_RUNNING');
      const done = this.rebuilder
        .rebuild(p, (progress) => {
          this.rebuilds.set(name, progress);
          onProgress?.(progress);
        })
        .finally(() => {
          this.running.delete(name);
          return release();
        });
      this.running.set(name, done);
      return { done };
    })().finally(() => this.starting.delete(name));
    this.starting.set(name, start);
    return start;
  }

  /** Rebuild and wait for the end (see startRebuild). */
  async rebuild(name: string, onProgress?: (p: RebuildProgress) => void): Promise<RebuildProgress> {
    return (await this.startRebuild(name, onProgress)).done;
  }

  /** Hold the lease `key` (renewed every heartbeat) until the returned release is called; else 409 `code`. */
  private async exclusive(key: string, code: string): Promise<() => Promise<void>> {
    const { leases, options } = this.runtime;
    const me = options.instanceId;
    // The lease is re-entrant for its holder, so it cannot keep two requests of this process apart
    // (two concurrent verifies collided on their scratch collections: 500). Claimed synchronously.
    if (this.held.has(key)) throw conflict(code, `${key} is already running`);
    this.held.add(key);
    let acquired = false;
    try {
      acquired = await leases.tryAcquire(key, me, options.leaseTtlMs);
    } finally {
      if (!acquired) this.held.delete(key);
    }
    if (!acquired) throw conflict(code, `${key} is running on another instance`);
    const timer = setInterval(() => {
      leases.tryAcquire(key, me, options.leaseTtlMs).catch(() => undefined);
    }, options.heartbeatMs);
    return async () => {
      clearInterval(timer);
      this.held.delete(key);
      await leases.release(key, me).catch(() => undefined);
    };
  }

  rebuildProgress(name: string): RebuildProgress | null {
    this.projection(name);
    return this.rebuilds.get(name) ?? null;
  }

  /** Verify and wait for the reports (CLI, tests, `?wait=true`). */
  async verify(name?: string, onProgress?: (p: VerifyProgress) => void): Promise<VerifyReport[]> {
    const names = name ? [this.projection(name).name] : this.names();
    const out: VerifyReport[] = [];
    for (const n of names) {
      const p = this.projection(n);
      const release = await this.exclusive(`verify:${n}`, 'PROJECTIONS.VERIFY_RUNNING');
      try {
        out.push(await this.rebuilder.verify(p, onProgress));
      } finally {
        await release();
      }
    }
    return out;
  }

  /**
   * Start a verify as a job and return it at once (running). The verify leases of every projection
   * concerned are taken first, so a verify already running (here or on another instance) is a 409
   * now, not a failed job later.
   */
  async startVerify(name?: string): Promise<VerifyJob> {
    const names = name ? [this.projection(name).name] : this.names();
    const releases: (() => Promise<void>)[] = [];
    try {
      for (const n of names) releases.push(await this.exclusive(`verify:${n}`, 'PROJECTIONS.VERIFY_RUNNING'));
    } catch (e) {
      await Promise.all(releases.map((r) => r()));
      throw e;
    }
    const job: VerifyJob = {
      jobId: randomUUID(),
      status: 'running',
      projections: names,
      startedAt: new Date(),
      finishedAt: null,
      progress: null,
      reports: [],
      error: null,
    };
    this.jobs.set(job.jobId, job);
    const run = (async () => {
      try {
        for (const [i, n] of names.entries()) {
          try {
            job.reports.push(await this.rebuilder.verify(this.projection(n), (p) => (job.progress = p)));
          } finally {
            await releases[i]!();
          }
        }
        job.status = 'completed';
      } catch (e) {
        job.status = 'failed';
        job.error = e instanceof Error ? e.message : String(e);
        if (this.stopping.signal.aborted) this.logger.warn(`verify job ${job.jobId} stopped: ${job.error}`);
        else this.logger.error(`verify job ${job.jobId} failed: ${job.error}`);
        await Promise.all(releases.map((r) => r()));
      } finally {
        job.progress = null;
        job.finishedAt = new Date();
        this.forgetOldJobs();
      }
    })();
    this.verifying.add(run);
    void run.finally(() => this.verifying.delete(run));
    return job;
  }

  verifyJob(jobId: string): VerifyJob {
    const job = this.jobs.get(jobId);
    if (!job) throw notFound('PROJECTIONS.VERIFY_JOB_NOT_FOUND', `no verify job ${jobId} on this instance`);
    return job;
  }

  private forgetOldJobs(): void {
    const done = [...this.jobs.values()].filter((j) => j.status !== 'running');
    for (const j of done.slice(0, Math.max(0, done.length - KEEP_JOBS))) this.jobs.delete(j.jobId);
  }

  listDeadLetters(filter: { projection?: string; status?: DeadLetterStatus } = {}): Promise<DeadLetter[]> {
    return this.runtime.failures.list(filter);
  }

  private async deadLetter(id: string): Promise<DeadLetter> {
    const d = await this.runtime.failures.get(id);
    if (!d) throw notFound('PROJECTIONS.DEAD_LETTER_NOT_FOUND', `no dead letter ${id}`);
    return d;
  }

  /** Re-apply a dead letter's event; resolved on success, still dead (with the new error) otherwise. */
  async retryDeadLetter(id: string): Promise<DeadLetter> {
    const d = await this.deadLetter(id);
    const p = this.projection(d.projection);
    const outcome = await this.runtime.applier.retryOnce(p, d.event, this.runtime.context(p, 'live'));
    if (outcome.ok) await this.runtime.failures.mark(id, 'resolved', undefined, outcome.attempts);
    else await this.runtime.failures.mark(id, 'dead', outcome.error, outcome.attempts);
    return this.deadLetter(id);
  }

  async discardDeadLetter(id: string): Promise<DeadLetter> {
    await this.deadLetter(id);
    await this.runtime.failures.mark(id, 'discarded');
    return this.deadLetter(id);
  }
}
