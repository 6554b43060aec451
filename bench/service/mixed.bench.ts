/**
 * 3. The mixed run: `POST /api/orders` at 500/s and each of the three query endpoints at 500/s
 * offered, all at once (four autocannon instances in this process) for 60 s. Reported: the
 * command p99, the query p99 (the highest of the three endpoints' p99s, an upper bound of the p99
 * of all queries together), the cache hit rate of the queries (delta of the service's cache
 * counters over the run), then the drain and the lag of the run's events as for the order run.
 */
import { drainAndLag, placeOrderRequests } from './commands.bench.js';
import type { Fixtures } from './fixtures.js';
import type { Lag } from './lag.js';
import { connectionsFor, describe, runLoad, type LoadResult } from './load.js';
import { scrapeMetrics } from './metrics-scrape.js';
import { behindNow, type Drain } from './projection-status.js';
import { queryGenerators, withCache, type QueryRun } from './queries.bench.js';
import type { RunningService } from './service.js';

export interface MixedFigures {
  seconds: number;
  orders: LoadResult;
  queries: Array<{ name: string; run: LoadResult }>;
  commandP99Ms: number;
  /** The highest p99 of the three query endpoints (Infinity when one had no answer at all). */
  queryP99Ms: number;
  /** Cache hits / (hits + misses) over the run (all queries). */
  cacheHitRate: number;
  cacheHits: number;
  cacheMisses: number;
  drain: Drain;
  lag: Lag;
}

export async function benchMixed(
  service: RunningService,
  fixtures: Fixtures,
  opts: {
    seconds: number;
    orderRate: number;
    queryRate: number;
    connections: number;
    drainTimeoutSeconds: number;
  },
  log: (line: string) => void,
): Promise<MixedFigures> {
  log(
    `mixed: POST /api/orders at ${opts.orderRate}/s and each query endpoint at ${opts.queryRate}/s, together for ${opts.seconds} s ...`,
  );
  const before = await scrapeMetrics(service.origin, service.adminToken);
  const behindAtStart = await behindNow(service);
  const orderRun = runLoad({
    label: 'mixed: POST /api/orders',
    origin: service.origin,
    connections: connectionsFor(opts.orderRate, opts.connections),
    seconds: opts.seconds,
    rate: opts.orderRate,
    next: placeOrderRequests(service, fixtures),
    log,
  });
  const queryRuns = queryGenerators(service, fixtures).map(async (g) => ({
    name: g.name,
    run: await runLoad({
      label: `mixed: ${g.name}`,
      origin: service.origin,
      connections: connectionsFor(opts.queryRate, opts.connections),
      seconds: opts.seconds,
      rate: opts.queryRate,
      next: g.next,
    }),
  }));
  const [orders, ...queries] = await Promise.all([orderRun, ...queryRuns]);
  const afterLoad = await scrapeMetrics(service.origin, service.adminToken);
  log(`  ${describe(orders)}`);
  for (const q of queries) log(`  ${describe(q.run)}`);
  // Cache counters over the load only (the drain below adds no queries, but keep it exact).
  const cache: QueryRun = withCache(queries[0].run, before, afterLoad);
  const { drain, lag } = await drainAndLag(
    service,
    before,
    orders,
    opts.drainTimeoutSeconds,
    behindAtStart,
    log,
  );
  const figures: MixedFigures = {
    seconds: opts.seconds,
    orders,
    queries,
    commandP99Ms: orders.p99Ms,
    queryP99Ms: Math.max(...queries.map((q) => (Number.isNaN(q.run.p99Ms) ? Infinity : q.run.p99Ms))),
    cacheHitRate: cache.cacheHitRate,
    cacheHits: cache.cacheHits,
    cacheMisses: cache.cacheMisses,
    drain,
    lag,
  };
  log(
    `  mixed: command p99 ${figures.commandP99Ms} ms, query p99 ` +
      `${Number.isFinite(figures.queryP99Ms) ? `${figures.queryP99Ms} ms` : 'none (an endpoint had no answer)'} (highest endpoint), ` +
      `cache hit rate ${(figures.cacheHitRate * 100).toFixed(1)} %`,
  );
  return figures;
}
