/**
 * The benchmark's settings: the full run, the quick run (`BENCH_QUICK=1` or `--quick`), and the
 * environment variables and flags that change them (README, "Performance of the service").
 *
 *   BENCH_QUICK=1 / --quick            the quick settings below
 *   BENCH_ORDER_SECONDS / --order-seconds N      the 500/s order run (full 60, quick 10)
 *   BENCH_MIXED_SECONDS / --mixed-seconds N      the mixed run (full 60, quick 8)
 *   BENCH_OVERLOAD_SECONDS / --overload-seconds N  the overload run (full 20, quick 6)
 *   BENCH_QUERY_SECONDS / --query-seconds N      each query run (full 12, quick 3)
 *   BENCH_DRAIN_TIMEOUT_S / --drain-timeout N    longest wait for the projections to drain after a run
 *   BENCH_REBUILD_BOX_S / --rebuild-box N        stop the rebuild's replay and the verify after N s
 *                                      (full: no box; quick: 20 s; 0 = no box)
 *   --rebuild-orders N                 orders generated for the rebuild (full 100,000, quick 300)
 *   BENCH_SKIP / --skip a,b            leave phases out: orders, saturation, queries, mixed, overload,
 *                                      ceiling, crud, rebuild, verify (quick: crud by default)
 */
import { parseArgs } from 'node:util';

export const PHASES = [
  'orders',
  'saturation',
  'queries',
  'mixed',
  'overload',
  'ceiling',
  'crud',
  'rebuild',
  'verify',
] as const;
export type Phase = (typeof PHASES)[number];

export interface Settings {
  /** The demo data (`npm run seed -- --products --customers --orders --concurrency`). */
  seedProducts: number;
  seedCustomers: number;
  seedOrders: number;
  seedConcurrency: number;
  /** Connections of the saturation runs (no rate). */
  connections: number;
  /** 1. POST /api/orders at `orderRate`/s offered for `orderSeconds`. */
  orderRate: number;
  orderSeconds: number;
  /** 1. and 5.: POST /api/orders at saturation (projection throughput measured there too). */
  saturationSeconds: number;
  /** 2. each query endpoint at `queryRate`/s offered, and the cached order query at saturation. */
  queryRate: number;
  querySeconds: number;
  /** 3. mixed run: orders at `mixedOrderRate`/s and each query endpoint at `mixedQueryRate`/s. */
  mixedSeconds: number;
  mixedOrderRate: number;
  mixedQueryRate: number;
  /** 4. orders at `overloadFactor` x the measured saturation rate. */
  overloadSeconds: number;
  overloadFactor: number;
  /** Longest wait for every projection to have nothing behind after a load run. */
  drainTimeoutSeconds: number;
  baselineSeconds: number;
  rebuildOrders: number;
  /** The rebuild's replay and the verify are stopped after this long; null = no box. */
  rebuildBoxSeconds: number | null;
  skip: Phase[];
}

export const FULL: Settings = {
  seedProducts: 300,
  seedCustomers: 250,
  seedOrders: 300,
  seedConcurrency: 6,
  connections: 32,
  orderRate: 500,
  orderSeconds: 60,
  saturationSeconds: 15,
  queryRate: 1000,
  querySeconds: 12,
  mixedSeconds: 60,
  mixedOrderRate: 500,
  mixedQueryRate: 500,
  overloadSeconds: 20,
  overloadFactor: 2,
  drainTimeoutSeconds: 60,
  baselineSeconds: 8,
  rebuildOrders: 100_000,
  rebuildBoxSeconds: null,
  skip: [],
};

export const QUICK: Settings = {
  ...FULL,
  seedProducts: 60,
  seedCustomers: 60,
  seedOrders: 100,
  orderSeconds: 10,
  saturationSeconds: 5,
  querySeconds: 3,
  mixedSeconds: 8,
  overloadSeconds: 6,
  drainTimeoutSeconds: 10,
  baselineSeconds: 3,
  rebuildOrders: 300,
  // The quick run's only box: the rebuild's and verify's pace decides whether 4 minutes hold.
  rebuildBoxSeconds: 20,
  // The CRUD baseline has no target in the issues; the quick run leaves it out.
  skip: ['crud'],
};

function positive(name: string, raw: string | undefined, max: number): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > max) {
    console.error(`${name} must be a number above 0 and at most ${max} (got "${raw}")`);
    process.exit(2);
  }
  return n;
}

export interface Parsed {
  quick: boolean;
  keep: boolean;
  settings: Settings;
}

export function parseSettings(argv: string[] = process.argv.slice(2)): Parsed {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      'rebuild-orders': { type: 'string' },
      'rebuild-box': { type: 'string' },
      'order-seconds': { type: 'string' },
      'mixed-seconds': { type: 'string' },
      'overload-seconds': { type: 'string' },
      'query-seconds': { type: 'string' },
      'drain-timeout': { type: 'string' },
      skip: { type: 'string' },
    },
  });
  const env = process.env;
  const quick = values.quick || env.BENCH_QUICK === '1';
  const s: Settings = { ...(quick ? QUICK : FULL) };
  const set = <K extends keyof Settings>(key: K, value: Settings[K] | undefined): void => {
    if (value !== undefined) s[key] = value;
  };
  const orders = positive('--rebuild-orders', values['rebuild-orders'], 1_000_000);
  if (orders !== undefined && !Number.isInteger(orders)) {
    console.error('--rebuild-orders must be an integer');
    process.exit(2);
  }
  set('rebuildOrders', orders);
  set(
    'rebuildBoxSeconds',
    positive('BENCH_REBUILD_BOX_S', values['rebuild-box'] ?? env.BENCH_REBUILD_BOX_S, 86_400),
  );
  set(
    'orderSeconds',
    positive('BENCH_ORDER_SECONDS', values['order-seconds'] ?? env.BENCH_ORDER_SECONDS, 3_600),
  );
  set(
    'mixedSeconds',
    positive('BENCH_MIXED_SECONDS', values['mixed-seconds'] ?? env.BENCH_MIXED_SECONDS, 3_600),
  );
  set(
    'overloadSeconds',
    positive('BENCH_OVERLOAD_SECONDS', values['overload-seconds'] ?? env.BENCH_OVERLOAD_SECONDS, 3_600),
  );
  set(
    'querySeconds',
    positive('BENCH_QUERY_SECONDS', values['query-seconds'] ?? env.BENCH_QUERY_SECONDS, 3_600),
  );
  set(
    'drainTimeoutSeconds',
    positive('BENCH_DRAIN_TIMEOUT_S', values['drain-timeout'] ?? env.BENCH_DRAIN_TIMEOUT_S, 3_600),
  );
  const skipText = values.skip ?? env.BENCH_SKIP;
  if (skipText === undefined) return { quick, keep: values.keep ?? false, settings: s };
  const skip = skipText
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of skip)
    if (!(PHASES as readonly string[]).includes(p)) {
      console.error(`unknown phase "${p}" in --skip / BENCH_SKIP (phases: ${PHASES.join(', ')})`);
      process.exit(2);
    }
  s.skip = skip as Phase[];
  return { quick, keep: values.keep ?? false, settings: s };
}
