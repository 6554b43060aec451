/**
 * Prometheus metrics (prom-client, one Registry per application instance so that several apps in
 * one process — e2e tests — never share series).
 *
 * Commands and queries are timed by wrapping `CommandBus.execute` / `QueryBus.execute` once at
 * module init: every command and query goes through the buses, so nothing else needs to change.
 * Cache and projection figures are read at scrape time (collect callbacks) from QueryCache.stats()
 * and ProjectionsService.status() — they are never sampled or estimated. Counters fed that way
 * exist (at 0) from the first scrape, so a rate over them is 0, never missing, before the first
 * event (an alert on "misses without hits" needs the hits series).
 *
 * The alerting rules in ops/prometheus/alerts.yml are written against these names and labels;
 * alert-rules.spec.ts fails when a rule names a metric or label this service does not export.
 */
import { Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { QueryCache } from '../cache/query-cache.js';
import { toErrorBody } from '../errors/http-exception.filter.js';
import { ProjectionRuntime } from '../projections/projection-runtime.js';
import { ProjectionsService, type ProjectionStatus } from '../projections/projections.service.js';

type Execute = (message: object, ...rest: unknown[]) => Promise<unknown>;

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Projection lag (commit -> applied), seconds: fine below 1 s (the target), coarse above. */
const LAG_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.175, 0.25, 0.375, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60,
];

function nameOf(message: object): string {
  return message.constructor?.name ?? 'Unknown';
}

/**
 * Whose failure a failed command is, by the HTTP status the exception filter answers it with:
 * `client` for a 4xx (invalid input, not found, conflict, forbidden: the service worked), `server`
 * for a 5xx (database unavailable, overload, a bug). The failure-rate alert counts `server` only.
 */
export function failureKind(error: unknown): 'client' | 'server' {
  return toErrorBody(error).statusCode < 500 ? 'client' : 'server';
}

@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  private readonly commandDuration: Histogram<'command' | 'outcome'>;
  private readonly commands: Counter<'command'>;
  private readonly commandFailures: Counter<'command' | 'kind'>;
  private readonly queryDuration: Histogram<'query' | 'outcome'>;
  private readonly projectionLag: Histogram<'projection'>;
  /** Last seen totals of monotonic sources, so the Prometheus counters move by the exact delta. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly projections: ProjectionsService,
    private readonly runtime: ProjectionRuntime,
    @Optional() private readonly cache?: QueryCache,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.commandDuration = new Histogram({
      name: 'cqrs_command_duration_seconds',
      help: 'Command latency from CommandBus.execute to its result (transaction + publish)',
      labelNames: ['command', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.commands = new Counter({
      name: 'cqrs_commands_total',
      help: 'Commands executed (success and failure)',
      labelNames: ['command'],
      registers,
    });
    this.commandFailures = new Counter({
      name: 'cqrs_command_failures_total',
      help: 'Commands that ended with an error; kind=client (answered 4xx: validation, conflict) or server (5xx)',
      labelNames: ['command', 'kind'],
      registers,
    });
    this.queryDuration = new Histogram({
      name: 'cqrs_query_duration_seconds',
      help: 'Query latency from QueryBus.execute to its result (cache included)',
      labelNames: ['query', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.projectionLag = new Histogram({
      name: 'cqrs_projection_lag_seconds',
      help: 'Per applied event: seconds from its commit (recordedAt) to its application in this instance',
      labelNames: ['projection'],
      buckets: LAG_BUCKETS,
      registers,
    });
    this.cacheMetrics(registers);
    this.projectionMetrics(registers);
  }

  onModuleInit(): void {
    this.runtime.applier.onApplied((projection, lagMs) =>
      this.projectionLag.observe({ projection }, lagMs / 1000),
    );
    this.wrap(this.commandBus, (name, seconds, failed) => {
      this.commandDuration.observe({ command: name, outcome: failed ? 'failure' : 'success' }, seconds);
      this.commands.inc({ command: name });
      if (failed) this.commandFailures.inc({ command: name, kind: failureKind(failed.error) });
    });
    this.wrap(this.queryBus, (name, seconds, failed) => {
      this.queryDuration.observe({ query: name, outcome: failed ? 'failure' : 'success' }, seconds);
    });
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private wrap(
    bus: object,
    record: (name: string, seconds: number, failed: { error: unknown } | null) => void,
  ): void {
    const target = bus as { execute: Execute };
    const original: Execute = target.execute.bind(bus);
    const timed: Execute = async (message, ...rest) => {
      const start = process.hrtime.bigint();
      const seconds = (): number => Number(process.hrtime.bigint() - start) / 1e9;
      try {
        const result = await original(message, ...rest);
        record(nameOf(message), seconds(), null);
        return result;
      } catch (error) {
        record(nameOf(message), seconds(), { error });
        throw error;
      }
    };
    Object.defineProperty(bus, 'execute', { value: timed, configurable: true, writable: true });
  }

  /**
   * Increase `counter{labels}` by how much the monotonic `total` grew since the last scrape (by 0
   * the first time: the series exists from the first scrape on).
   */
  private advance(
    counter: Counter<string>,
    key: string,
    labels: Record<string, string>,
    total: number,
  ): void {
    const before = this.seen.get(key) ?? 0;
    counter.inc(labels, Math.max(0, total - before));
    this.seen.set(key, Math.max(before, total));
  }

  private cacheMetrics(registers: Registry[]): void {
    const cache = this.cache;
    if (!cache) return;
    const advance = this.advance.bind(this);
    const names = ['hits', 'misses', 'invalidations', 'errors'] as const;
    const counters = names.map(
      (n) =>
        new Counter({
          name: `cqrs_query_cache_${n}_total`,
          help: `Query cache ${n} (QueryCache.stats())`,
          labelNames: ['store'],
          registers,
          collect() {
            const s = cache.stats();
            advance(this, `cache:${n}`, { store: s.store }, s[n]);
          },
        }),
    );
    void counters;
    new Gauge({
      name: 'cqrs_query_cache_hit_ratio',
      help: 'hits / (hits + misses) since start (0 before the first lookup)',
      labelNames: ['store'],
      registers,
      collect() {
        const s = cache.stats();
        const lookups = s.hits + s.misses;
        this.set({ store: s.store }, lookups === 0 ? 0 : s.hits / lookups);
      },
    });
  }

  private projectionMetrics(registers: Registry[]): void {
    // One status() read per scrape, shared by every projection metric's collect callback.
    let pending: Promise<ProjectionStatus[]> | undefined;
    const statuses = (): Promise<ProjectionStatus[]> => {
      pending ??= this.projections.status().finally(() => {
        setImmediate(() => (pending = undefined));
      });
      return pending;
    };
    const advance = this.advance.bind(this);
    const gauge = (
      name: string,
      help: string,
      value: (s: ProjectionStatus, now: number) => number | null,
    ): Gauge<'projection'> =>
      new Gauge({
        name,
        help,
        labelNames: ['projection'],
        registers,
        async collect() {
          this.reset();
          const now = Date.now();
          for (const s of await statuses()) {
            const v = value(s, now);
            if (v !== null) this.set({ projection: s.name }, v);
          }
        },
      });
    gauge(
      'cqrs_projection_lag_ms',
      'How far behind the projection is now, ms: 0 when no event waits, else the age of the oldest waiting event',
      (s) => s.lagMs,
    );
    gauge(
      'cqrs_projection_events_behind',
      'Handled events after the checkpoint (counted up to 10,000)',
      (s) => s.eventsBehind,
    );
    gauge(
      'cqrs_projection_events_per_second',
      'Events applied here in the last 60 s, per second',
      (s) => s.eventsPerSecond,
    );
    gauge(
      'cqrs_projection_dead_letters',
      'Dead letters (status dead) of the projection',
      (s) => s.deadLetters,
    );
    gauge(
      'cqrs_projection_checkpoint_age_seconds',
      'Seconds since the checkpoint was last written',
      (s, now) => (s.checkpoint ? (now - s.checkpoint.updatedAt.getTime()) / 1000 : null),
    );
    gauge('cqrs_projection_resync_running', '1 when this instance runs the resync stream', (s) =>
      s.resync.running ? 1 : 0,
    );
    new Gauge({
      name: 'cqrs_projection_lease_holder',
      help: '1 per projection and current (unexpired) lease holder; mine=true for this instance',
      labelNames: ['projection', 'holder', 'mine'],
      registers,
      async collect() {
        this.reset();
        for (const s of await statuses()) {
          if (s.lease && !s.lease.expired)
            this.set({ projection: s.name, holder: s.lease.holder, mine: String(s.lease.mine) }, 1);
        }
      },
    });
    new Counter({
      name: 'cqrs_projection_events_applied_total',
      help: 'Events applied by this instance (fast path, resync, retries)',
      labelNames: ['projection'],
      registers,
      async collect() {
        for (const s of await statuses())
          advance(this, `applied:${s.name}`, { projection: s.name }, s.appliedHere);
      },
    });
    const runtime = this.runtime;
    new Counter({
      name: 'cqrs_projection_failures_total',
      help: 'Events this instance dead-lettered after exhausting retries',
      labelNames: ['projection'],
      registers,
      async collect() {
        for (const s of await statuses()) {
          const failed = runtime.applier.statsFor(s.name).deadLettered;
          advance(this, `failed:${s.name}`, { projection: s.name }, failed);
        }
      },
    });
  }
}
