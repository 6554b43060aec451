/**
 * Commands over HTTP: `POST /api/orders` at a fixed offered load (500/s for 60 s, the targets of
 * issues 11 and 12) and at saturation, every request a valid, distinct order (a random active
 * customer ordering 1 to 3 random products for one of their current addresses) with its own
 * Idempotency-Key, so the measured path is the success path (stock is raised first).
 *
 * After each run the projections' drain is timed (projection-status.ts: until no projection has an
 * event behind), then the lag of every event of the run comes from the `cqrs_projection_lag_seconds`
 * histogram (lag.ts). At saturation also the projection throughput: events applied per second
 * while the load ran (scrapes at its start and end), and over the whole burst until drained.
 */
import { randomUUID } from 'node:crypto';
import type { Fixtures } from './fixtures.js';
import { connectionsFor, describe, runLoad, type LoadResult, type RequestSpec } from './load.js';
import { describeLag, lagBetween, type Lag } from './lag.js';
import { labelValues, scrapeMetrics, total, type Scrape } from './metrics-scrape.js';
import { behindNow, totalBehind, waitDrained, type Drain } from './projection-status.js';
import type { RunningService } from './service.js';

export const STOCK_LEVEL = 10_000_000;

export interface OrderRunFigures {
  load: LoadResult;
  drain: Drain;
  /** Lag of the events of the run (all projections, and per projection). */
  lag: Lag;
}

export interface ProjectionThroughput {
  /** Events applied (all projections) between the scrapes at the load's start and end. */
  eventsDuringLoad: number;
  loadSeconds: number;
  /** eventsDuringLoad / loadSeconds: the live rate at saturation. */
  eventsPerSec: number;
  /** Events applied from the load's start until drained (or the drain wait ended). */
  eventsUntilDrained: number;
  secondsUntilDrained: number;
  eventsPerSecUntilDrained: number;
  byProjection: Record<string, number>;
}

export interface SaturationFigures extends OrderRunFigures {
  projectionThroughput: ProjectionThroughput;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

/** Sets every product's available stock high, so no order of the run fails for stock. */
export async function raiseStock(service: RunningService, fixtures: Fixtures): Promise<void> {
  const queue = [...fixtures.productIds];
  const worker = async (): Promise<void> => {
    for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
      const res = await fetch(`${service.origin}/api/products/${id}/inventory`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${service.adminToken}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ set: STOCK_LEVEL }),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`inventory adjust of ${id} answered ${res.status}: ${text}`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

/** A fresh, valid place-order request. */
export function placeOrderRequests(service: RunningService, fixtures: Fixtures): () => RequestSpec {
  const tokens = new Map(fixtures.customers.map((c) => [c.customerId, service.customerToken(c.customerId)]));
  return () => {
    const c = pick(fixtures.customers);
    const address = pick(c.addressIds);
    const lines = 1 + Math.floor(Math.random() * 3);
    const products = new Set<string>();
    while (products.size < Math.min(lines, fixtures.productIds.length))
      products.add(pick(fixtures.productIds));
    return {
      method: 'POST',
      path: '/api/orders',
      headers: {
        authorization: `Bearer ${tokens.get(c.customerId)}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify({
        items: [...products].map((productId) => ({ productId, quantity: 1 + Math.floor(Math.random() * 2) })),
        shippingAddressId: address,
        billingAddressId: address,
      }),
    };
  };
}

const APPLIED = 'cqrs_projection_events_applied_total';

/**
 * Scrapes until no projection applied anything for `quietMs` (or `timeoutMs` passed); returns the
 * last scrape.
 */
async function waitQuiet(service: RunningService, quietMs = 1_000, timeoutMs = 15_000): Promise<Scrape> {
  let scrape = await scrapeMetrics(service.origin, service.adminToken);
  let applied = total(scrape, APPLIED);
  let lastChangeAt = Date.now();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() - lastChangeAt < quietMs && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    scrape = await scrapeMetrics(service.origin, service.adminToken);
    const now = total(scrape, APPLIED);
    if (now !== applied) {
      applied = now;
      lastChangeAt = Date.now();
    }
  }
  return scrape;
}

export interface OrderRunOptions {
  /** Offered orders/s; undefined = saturation. */
  rate?: number;
  seconds: number;
  connections: number;
  drainTimeoutSeconds: number;
}

/** The "after" scrape once drained: every event of the run is in the histogram or counted as behind. */
export async function drainAndLag(
  service: RunningService,
  before: Scrape,
  load: LoadResult,
  drainTimeoutSeconds: number,
  behindAtStart: Record<string, number>,
  log: (line: string) => void,
): Promise<{ drain: Drain; lag: Lag; after: Scrape }> {
  const drain = { behindAtStart, ...(await waitDrained(service, load.finishedAt, drainTimeoutSeconds, log)) };
  if (!drain.drained && totalBehind(behindAtStart) > 0)
    log(`  (behind when the run started: ${JSON.stringify(behindAtStart)})`);
  const after = drain.drained
    ? await waitQuiet(service)
    : await scrapeMetrics(service.origin, service.adminToken);
  const lag = lagBetween(before, after, drain.drained ? {} : drain.behindAtEnd);
  log(
    `  projections ${drain.drained ? `drained ${drain.seconds.toFixed(1)} s after the load` : `NOT drained within ${drain.seconds.toFixed(0)} s`}` +
      ` (behind at the load's end: ${JSON.stringify(drain.behindAtLoadEnd)}); lag ${describeLag(lag.all)}` +
      (drain.drained ? '' : `; applied events only: ${describeLag(lag.appliedOnly)}`),
  );
  return { drain, lag, after };
}

export async function warmUpOrders(
  service: RunningService,
  fixtures: Fixtures,
  rate: number,
  log: (line: string) => void,
): Promise<void> {
  log(`orders: warm-up (2 s at ${Math.round(rate / 5)}/s) ...`);
  await runLoad({
    label: 'warm-up',
    origin: service.origin,
    connections: 16,
    seconds: 2,
    rate: rate / 5,
    next: placeOrderRequests(service, fixtures),
  });
}

/** 1. and 5.: POST /api/orders at a fixed rate; then the drain and the lag of the run's events. */
export async function benchOrders(
  service: RunningService,
  fixtures: Fixtures,
  opts: OrderRunOptions & { rate: number },
  log: (line: string) => void,
): Promise<OrderRunFigures> {
  const before = await waitQuiet(service);
  const behindAtStart = await behindNow(service);
  log(`orders: POST /api/orders at ${opts.rate}/s offered for ${opts.seconds} s ...`);
  const load = await runLoad({
    label: 'POST /api/orders',
    origin: service.origin,
    connections: connectionsFor(opts.rate, opts.connections),
    seconds: opts.seconds,
    rate: opts.rate,
    next: placeOrderRequests(service, fixtures),
    log,
  });
  log(`  ${describe(load)}`);
  const { drain, lag } = await drainAndLag(
    service,
    before,
    load,
    opts.drainTimeoutSeconds,
    behindAtStart,
    log,
  );
  return { load, drain, lag };
}

/** 1. and 5.: POST /api/orders at saturation, and the projections' throughput while it runs. */
export async function benchSaturation(
  service: RunningService,
  fixtures: Fixtures,
  opts: OrderRunOptions,
  log: (line: string) => void,
): Promise<SaturationFigures> {
  const before = await waitQuiet(service);
  const behindAtStart = await behindNow(service);
  log(`orders: POST /api/orders at saturation (${opts.connections} connections) for ${opts.seconds} s ...`);
  const load = await runLoad({
    label: 'POST /api/orders',
    origin: service.origin,
    connections: opts.connections,
    seconds: opts.seconds,
    next: placeOrderRequests(service, fixtures),
    log,
  });
  const atEnd = await scrapeMetrics(service.origin, service.adminToken);
  log(`  ${describe(load)}`);
  const { drain, lag, after } = await drainAndLag(
    service,
    before,
    load,
    opts.drainTimeoutSeconds,
    behindAtStart,
    log,
  );
  const byProjection: Record<string, number> = {};
  for (const p of labelValues(after, APPLIED, 'projection'))
    byProjection[p] = total(after, APPLIED, { projection: p }) - total(before, APPLIED, { projection: p });
  const eventsDuringLoad = total(atEnd, APPLIED) - total(before, APPLIED);
  const eventsUntilDrained = total(after, APPLIED) - total(before, APPLIED);
  const loadSeconds = (load.finishedAt - load.startedAt) / 1000;
  const secondsUntilDrained = loadSeconds + drain.seconds;
  const projectionThroughput: ProjectionThroughput = {
    eventsDuringLoad,
    loadSeconds,
    eventsPerSec: eventsDuringLoad / loadSeconds,
    eventsUntilDrained,
    secondsUntilDrained,
    eventsPerSecUntilDrained: eventsUntilDrained / secondsUntilDrained,
    byProjection,
  };
  log(
    `  projections applied ${eventsDuringLoad} events while the load ran: ${projectionThroughput.eventsPerSec.toFixed(0)} events/s; ` +
      `${eventsUntilDrained} until ${drain.drained ? 'drained' : 'the wait ended'}: ` +
      `${projectionThroughput.eventsPerSecUntilDrained.toFixed(0)} events/s (${JSON.stringify(byProjection)})`,
  );
  return { load, drain, lag, projectionThroughput };
}
