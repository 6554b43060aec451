/**
 * Queries over HTTP, each at a fixed offered load (1,000/s, issue 12's target), and the cached
 * order query at saturation (compared with the bare node:http baseline of the same run): one order
 * (`GET /api/orders/:id`, by its owner), a customer's order list (`GET /api/customers/:id/orders`,
 * a few parameter variants) and product search (`GET /api/products/search?q=`). Ids and words are
 * drawn with a skew (a few are asked often, most rarely), as real traffic is. The cache hit rate
 * of each run is the delta of the service's cache counters (`cqrs_query_cache_hits_total` /
 * `_misses_total`) between a scrape before and one after it.
 */
import type { Fixtures } from './fixtures.js';
import { connectionsFor, describe, runLoad, type LoadResult, type RequestSpec } from './load.js';
import { scrapeMetrics, total, type Scrape } from './metrics-scrape.js';
import type { RunningService } from './service.js';

export interface QueryRun extends LoadResult {
  cacheHits: number;
  cacheMisses: number;
  /** hits / (hits + misses) during the run; NaN when the cache was not consulted. */
  cacheHitRate: number;
}

export interface QueryFigures {
  endpoints: Array<{ name: string; fixed: QueryRun }>;
  /** GET /api/orders/:id at saturation (after its fixed run, so its working set is cached). */
  orderAtSaturation: QueryRun;
  /** All measured query runs together. */
  cacheHitRate: number;
  /** A real GET /api/orders/:id answer body (the size the HTTP ceiling baseline serves). */
  sampleOrderBody: string;
  /** The order ids the order query drew from (for the baselines). */
  orderIds: string[];
}

/** Index into `n` items, skewed towards the start (index = n * u^3: ~46 % of draws in the first 10 %). */
const skewed = (n: number): number => Math.min(n - 1, Math.floor(n * Math.random() ** 3));

function shuffled<T>(items: readonly T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export function queryGenerators(
  service: RunningService,
  fixtures: Fixtures,
): Array<{ name: string; next: () => RequestSpec }> {
  const tokens = new Map<string, string>();
  const token = (customerId: string): string => {
    let t = tokens.get(customerId);
    if (!t) tokens.set(customerId, (t = service.customerToken(customerId)));
    return t;
  };
  const orders = shuffled(fixtures.orders);
  const customers = shuffled(fixtures.customers);
  const words = shuffled(fixtures.searchWords);
  const listVariants = ['', '&status=delivered', '&sort=total&order=desc'];
  return [
    {
      name: 'GET /api/orders/:id',
      next: () => {
        const o = orders[skewed(orders.length)];
        return {
          method: 'GET',
          path: `/api/orders/${o.orderId}`,
          headers: { authorization: `Bearer ${token(o.customerId)}` },
        };
      },
    },
    {
      name: 'GET /api/customers/:id/orders',
      next: () => {
        const c = customers[skewed(customers.length)];
        const variant = listVariants[skewed(listVariants.length)];
        return {
          method: 'GET',
          path: `/api/customers/${c.customerId}/orders?limit=20${variant}`,
          headers: { authorization: `Bearer ${token(c.customerId)}` },
        };
      },
    },
    {
      name: 'GET /api/products/search?q=',
      next: () => {
        const c = customers[skewed(customers.length)];
        const q = words[skewed(words.length)];
        return {
          method: 'GET',
          path: `/api/products/search?q=${encodeURIComponent(q)}`,
          headers: { authorization: `Bearer ${token(c.customerId)}` },
        };
      },
    },
  ];
}

const HITS = 'cqrs_query_cache_hits_total';
const MISSES = 'cqrs_query_cache_misses_total';

export function withCache(r: LoadResult, before: Scrape, after: Scrape): QueryRun {
  const cacheHits = total(after, HITS) - total(before, HITS);
  const cacheMisses = total(after, MISSES) - total(before, MISSES);
  return { ...r, cacheHits, cacheMisses, cacheHitRate: cacheHits / (cacheHits + cacheMisses) };
}

export async function benchQueries(
  service: RunningService,
  fixtures: Fixtures,
  opts: { rate: number; seconds: number; connections: number },
  log: (line: string) => void,
): Promise<QueryFigures> {
  const generators = queryGenerators(service, fixtures);
  const sample = fixtures.orders[0];
  const res = await fetch(`${service.origin}/api/orders/${sample.orderId}`, {
    headers: { authorization: `Bearer ${service.customerToken(sample.customerId)}` },
  });
  const sampleOrderBody = await res.text();
  if (res.status !== 200)
    throw new Error(`GET /api/orders/${sample.orderId} answered ${res.status}: ${sampleOrderBody}`);

  log('queries: warm-up (2 s per endpoint at saturation) ...');
  for (const g of generators)
    await runLoad({ label: 'warm-up', origin: service.origin, connections: 8, seconds: 2, next: g.next });

  const endpoints: QueryFigures['endpoints'] = [];
  let hits = 0;
  let misses = 0;
  const measure = async (g: (typeof generators)[number], rate: number | undefined): Promise<QueryRun> => {
    log(
      `queries: ${g.name} ${rate === undefined ? `at saturation (${opts.connections} connections)` : `at ${rate}/s offered`} for ${opts.seconds} s ...`,
    );
    const before = await scrapeMetrics(service.origin, service.adminToken);
    const r = await runLoad({
      label: g.name,
      origin: service.origin,
      connections: connectionsFor(rate, opts.connections),
      seconds: opts.seconds,
      rate,
      next: g.next,
      log,
    });
    const run = withCache(r, before, await scrapeMetrics(service.origin, service.adminToken));
    hits += run.cacheHits;
    misses += run.cacheMisses;
    log(`  ${describe(run)}, cache hit rate ${(run.cacheHitRate * 100).toFixed(1)} %`);
    return run;
  };
  for (const g of generators) endpoints.push({ name: g.name, fixed: await measure(g, opts.rate) });
  const orderAtSaturation = await measure(generators[0], undefined);
  return {
    endpoints,
    orderAtSaturation,
    cacheHitRate: hits / (hits + misses),
    sampleOrderBody,
    orderIds: fixtures.orders.map((o) => o.orderId),
  };
}
