/**
 * Commands over HTTP: `POST /api/orders` at a fixed offered load (500/s, the seed's target) and at
 * saturation, every request a valid, distinct order (a random active customer ordering 1 to 3
 * random products for one of their current addresses) with its own Idempotency-Key, so the measured
 * path is the success path (stock is raised first). While they run, the projections' lag comes
 * from the `cqrs_projection_lag_seconds` histogram (bucket deltas between two scrapes, taken after
 * the projections went quiet, so every event of the run is in it), and the projection throughput
 * from the events the saturation burst produced, timed from its first request to the last
 * application the scrapes saw.
 */
import { randomUUID } from 'node:crypto';
import type { Fixtures } from './fixtures.js';
import { connectionsFor, describe, runLoad, type LoadResult, type RequestSpec } from './load.js';
import {
  histogramDelta,
  labelValues,
  maxBound,
  quantile,
  scrapeMetrics,
  total,
  type Bucket,
  type Scrape,
} from './metrics-scrape.js';
import type { RunningService } from './service.js';

export const STOCK_LEVEL = 10_000_000;

export interface LagFigures {
  events: number;
  p50Ms: number;
  p99Ms: number;
  /** Upper bound of the highest non-empty histogram bucket. */
  maxMsAtMost: number;
}

export interface CommandFigures {
  fixed: LoadResult;
  saturation: LoadResult;
  /** Lag under the fixed load: all projections together and per projection. */
  lagAtFixed: { all: LagFigures; byProjection: Record<string, LagFigures> };
  lagAtSaturation: { all: LagFigures; byProjection: Record<string, LagFigures> };
  projectionThroughput: {
    events: number;
    seconds: number;
    eventsPerSec: number;
    byProjection: Record<string, number>;
    ordersReadEventsPerSec: number;
  };
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
const LAG = 'cqrs_projection_lag_seconds';

/**
 * Scrapes until no projection applied anything for `quietMs`; returns the last scrape and when the
 * last increase was seen (the time of the last application, to within the polling interval).
 */
async function waitQuiet(
  service: RunningService,
  quietMs = 1_500,
  timeoutMs = 240_000,
): Promise<{ scrape: Scrape; lastChangeAt: number }> {
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
  return { scrape, lastChangeAt };
}

function lagFigures(buckets: Bucket[]): LagFigures {
  return {
    events: buckets.at(-1)?.count ?? 0,
    p50Ms: quantile(buckets, 0.5) * 1000,
    p99Ms: quantile(buckets, 0.99) * 1000,
    maxMsAtMost: maxBound(buckets) * 1000,
  };
}

function lagBetween(before: Scrape, after: Scrape): CommandFigures['lagAtFixed'] {
  const byProjection: Record<string, LagFigures> = {};
  for (const p of labelValues(after, `${LAG}_bucket`, 'projection'))
    byProjection[p] = lagFigures(histogramDelta(before, after, LAG, { projection: p }));
  return { all: lagFigures(histogramDelta(before, after, LAG)), byProjection };
}

export async function benchCommands(
  service: RunningService,
  fixtures: Fixtures,
  opts: { rate: number; fixedSeconds: number; saturationSeconds: number; connections: number },
  log: (line: string) => void,
): Promise<CommandFigures> {
  const next = placeOrderRequests(service, fixtures);
  log(`commands: warm-up (2 s at ${Math.round(opts.rate / 5)}/s) ...`);
  await runLoad({
    label: 'warm-up',
    origin: service.origin,
    connections: 16,
    seconds: 2,
    rate: opts.rate / 5,
    next,
  });

  const before = (await waitQuiet(service)).scrape;
  log(`commands: POST /api/orders at ${opts.rate}/s offered for ${opts.fixedSeconds} s ...`);
  const fixed = await runLoad({
    label: 'POST /api/orders',
    origin: service.origin,
    connections: connectionsFor(opts.rate, opts.connections),
    seconds: opts.fixedSeconds,
    rate: opts.rate,
    next,
  });
  log(`  ${describe(fixed)}`);
  const afterFixed = await waitQuiet(service);
  const lagAtFixed = lagBetween(before, afterFixed.scrape);
  log(
    `  projection lag at ${opts.rate}/s (ms; Infinity = above 60 s): p50 ${lagAtFixed.all.p50Ms.toFixed(1)}, ` +
      `p99 ${lagAtFixed.all.p99Ms.toFixed(1)}, max <= ${lagAtFixed.all.maxMsAtMost} ` +
      `(${lagAtFixed.all.events} events, all projections; drained ${((afterFixed.lastChangeAt - fixed.finishedAt) / 1000).toFixed(1)} s after the load)`,
  );

  log(
    `commands: POST /api/orders at saturation (${opts.connections} connections) for ${opts.saturationSeconds} s ...`,
  );
  const saturation = await runLoad({
    label: 'POST /api/orders',
    origin: service.origin,
    connections: opts.connections,
    seconds: opts.saturationSeconds,
    next,
  });
  log(`  ${describe(saturation)}`);
  const afterSaturation = await waitQuiet(service);
  const lagAtSaturation = lagBetween(afterFixed.scrape, afterSaturation.scrape);
  const seconds = (afterSaturation.lastChangeAt - saturation.startedAt) / 1000;
  const byProjection: Record<string, number> = {};
  for (const p of labelValues(afterSaturation.scrape, APPLIED, 'projection'))
    byProjection[p] =
      total(afterSaturation.scrape, APPLIED, { projection: p }) -
      total(afterFixed.scrape, APPLIED, { projection: p });
  const events = Object.values(byProjection).reduce((a, b) => a + b, 0);
  const projectionThroughput = {
    events,
    seconds,
    eventsPerSec: events / seconds,
    byProjection,
    ordersReadEventsPerSec: (byProjection.orders_read ?? 0) / seconds,
  };
  log(
    `  projections applied ${events} events in ${seconds.toFixed(1)} s from the burst's first request to the last ` +
      `application: ${projectionThroughput.eventsPerSec.toFixed(0)} events/s (${JSON.stringify(byProjection)}); ` +
      `lag p99 ${lagAtSaturation.all.p99Ms.toFixed(1)} ms`,
  );
  return { fixed, saturation, lagAtFixed, lagAtSaturation, projectionThroughput };
}
