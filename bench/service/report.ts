/**
 * The final table of `npm run bench` (figure, value, seed target, met/missed), built from the
 * figures of every part; printed with bench/mongo's table helper.
 */
import { fmt, printTable } from '../mongo/measure.js';
import type { CeilingFigures, CrudFigures } from './baselines.bench.js';
import type { CommandFigures } from './commands.bench.js';
import type { LoadResult } from './load.js';
import type { QueryFigures } from './queries.bench.js';
import type { RebuildFigures } from './rebuild.bench.js';

export interface Row {
  figure: string;
  value: string;
  target: string;
  /** true met, false missed, null: no target. */
  met: boolean | null;
}

export interface AllFigures {
  commands?: CommandFigures;
  queries?: QueryFigures;
  rebuild?: RebuildFigures;
  ceiling?: CeilingFigures;
  crud?: CrudFigures;
}

const ms = (n: number): string => `${fmt(n, n < 10 ? 1 : 0)} ms`;
const rate = (n: number): string => `${fmt(n)}/s`;
/** A lag figure; Infinity = above the histogram's largest bucket (60 s). */
const lagMs = (n: number): string => (n === Infinity ? '> 60,000 ms' : ms(n));
const row = (figure: string, value: string, target = '', met: boolean | null = null): Row => ({
  figure,
  value,
  target,
  met,
});

function loadRows(name: string, r: LoadResult, p99Target?: number, rateTarget?: number): Row[] {
  const where =
    r.offeredPerSec === null ? `saturation, ${r.connections} conn` : `${r.offeredPerSec}/s offered`;
  const rows = [
    row(
      `${name} (${where}): throughput`,
      `${rate(r.throughputPerSec)} (non-2xx ${r.non2xx}, errors ${r.errors})`,
      rateTarget !== undefined ? `>= ${rateTarget}/s` : '',
      rateTarget !== undefined ? r.throughputPerSec >= rateTarget * 0.98 && r.non2xx === 0 : null,
    ),
    row(`${name} (${where}): p50 latency`, ms(r.p50Ms)),
    row(
      `${name} (${where}): p99 latency`,
      ms(r.p99Ms),
      p99Target !== undefined ? `< ${p99Target} ms` : '',
      p99Target !== undefined ? r.p99Ms < p99Target : null,
    ),
  ];
  return rows;
}

export function buildRows(f: AllFigures): Row[] {
  const rows: Row[] = [];
  if (f.commands) {
    const c = f.commands;
    rows.push(...loadRows('1. POST /api/orders', c.fixed, 100, c.fixed.offeredPerSec ?? undefined));
    rows.push(...loadRows('1. POST /api/orders', c.saturation));
  }
  if (f.queries) {
    for (const e of f.queries.endpoints) {
      rows.push(...loadRows(`2. ${e.name}`, e.fixed, 50));
      rows.push(...loadRows(`2. ${e.name}`, e.saturation, 50));
      rows.push(
        row(`2. ${e.name}: cache hit rate`, fmt(e.saturation.cacheHitRate * 100, 1) + ' % (saturation run)'),
      );
    }
    rows.push(
      row(
        '2. query cache hit rate (all query runs)',
        fmt(f.queries.cacheHitRate, 3),
        '>= 0.90',
        f.queries.cacheHitRate >= 0.9,
      ),
    );
  }
  if (f.commands) {
    const lag = f.commands.lagAtFixed.all;
    const at = `${f.commands.fixed.offeredPerSec}/s`;
    rows.push(row(`3. projection lag at ${at}: p50 (all projections)`, lagMs(lag.p50Ms)));
    rows.push(row(`3. projection lag at ${at}: p99`, lagMs(lag.p99Ms), '< 1000 ms', lag.p99Ms < 1000));
    rows.push(
      row(
        `3. projection lag at ${at}: max`,
        lag.maxMsAtMost === Infinity ? lagMs(Infinity) : `<= ${ms(lag.maxMsAtMost)}`,
        '< 1000 ms',
        lag.maxMsAtMost <= 1000,
      ),
    );
    const t = f.commands.projectionThroughput;
    rows.push(
      row(
        '3. projection throughput (saturation burst)',
        `${fmt(t.eventsPerSec)} events/s (${fmt(t.events)} in ${fmt(t.seconds, 1)} s; orders_read ${fmt(t.ordersReadEventsPerSec)}/s)`,
        '>= 1,000 events/s',
        t.eventsPerSec >= 1000,
      ),
    );
  }
  if (f.rebuild) {
    const r = f.rebuild;
    rows.push(
      row(
        `4. rebuild orders_read at ${fmt(r.orders)} orders`,
        `${fmt(r.ordersPerSec)} orders/s (${fmt(r.eventsPerSec)} events/s; ` +
          (r.complete
            ? `${fmt(r.seconds, 1)} s)`
            : `time-boxed: ${fmt(r.eventsReplayed)} of ${fmt(r.eventsTotal)} events in ${fmt(r.seconds, 1)} s, full ~${fmt(r.fullRebuildSeconds)} s)`),
      ),
    );
  }
  if (f.ceiling) {
    const c = f.ceiling;
    rows.push(
      row(
        `5a. bare node:http, ${c.bodyBytes}-byte body (saturation)`,
        `${rate(c.saturation.throughputPerSec)}, p99 ${ms(c.saturation.p99Ms)}`,
      ),
    );
    const service = f.queries?.endpoints.find((e) => e.name === 'GET /api/orders/:id')?.saturation;
    if (service)
      rows.push(
        row(
          '5a. GET /api/orders/:id / HTTP ceiling (throughput)',
          `${fmt(service.throughputPerSec / c.saturation.throughputPerSec, 3)} x`,
        ),
      );
  }
  if (f.crud) {
    const c = f.crud;
    rows.push(
      row(
        '5b. order detail, CRUD $lookup (minimal stack, saturation)',
        `${rate(c.crud.throughputPerSec)}, p50 ${ms(c.crud.p50Ms)}, p99 ${ms(c.crud.p99Ms)}`,
      ),
    );
    rows.push(
      row(
        '5b. order detail, read model findOne (same stack)',
        `${rate(c.readModel.throughputPerSec)}, p50 ${ms(c.readModel.p50Ms)}, p99 ${ms(c.readModel.p99Ms)}`,
      ),
    );
    rows.push(
      row(
        '5b. CRUD / read model (throughput; p50)',
        `${fmt(c.throughputRatio, 3)} x; ${fmt(c.p50Ratio, 2)} x`,
      ),
    );
  }
  return rows;
}

export function printRows(rows: Row[]): void {
  printTable(
    'service benchmark (npm run bench)',
    ['figure', 'value', 'seed target', 'result'],
    rows.map((r) => [r.figure, r.value, r.target || '-', r.met === null ? '' : r.met ? 'met' : 'MISSED']),
  );
}
