/**
 * The final table of `npm run bench`: each figure beside its target from issues 11 and 12, with
 * met / MISSED (or "undetermined" where the lag histogram's buckets cannot decide); printed with
 * bench/mongo's table helper and stored in the results JSON as `table`.
 */
import { fmt } from '../mongo/measure.js';
import type { CeilingFigures, CrudFigures } from './baselines.bench.js';
import type { OrderRunFigures, SaturationFigures } from './commands.bench.js';
import { maxBelow, type LagFigures } from './lag.js';
import type { LoadResult } from './load.js';
import type { MixedFigures } from './mixed.bench.js';
import type { OverloadFigures } from './overload.bench.js';
import type { QueryFigures } from './queries.bench.js';
import type { RebuildFigures } from './rebuild.bench.js';
import type { VerifyFigures } from './verify.bench.js';

export type Verdict = 'met' | 'MISSED' | 'undetermined' | '';

export interface Row {
  figure: string;
  value: string;
  /** The target and the issue it comes from; '' when the figure is reported without one. */
  target: string;
  result: Verdict;
}

export interface AllFigures {
  orders?: OrderRunFigures;
  saturation?: SaturationFigures;
  queries?: QueryFigures;
  mixed?: MixedFigures;
  overload?: OverloadFigures;
  ceiling?: CeilingFigures;
  crud?: CrudFigures;
  rebuild?: RebuildFigures;
  verify?: VerifyFigures;
}

const ms = (n: number): string =>
  n === Infinity ? 'no answer' : Number.isNaN(n) ? 'no answer' : `${fmt(n, n < 10 ? 1 : 0)} ms`;
const rate = (n: number): string => `${fmt(n)}/s`;
const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
const verdict = (ok: boolean | null): Verdict => (ok === null ? 'undetermined' : ok ? 'met' : 'MISSED');
const row = (figure: string, value: string, target = '', result: Verdict = ''): Row => ({
  figure,
  value,
  target,
  result,
});

/** A lag value: Infinity = above the largest bucket limit, or not applied when the drain wait ended. */
const lagMs = (n: number, largestLimitS: number): string =>
  n === Infinity ? `> ${fmt(largestLimitS * 1000)} ms or not applied` : ms(n);

const lagMax = (l: LagFigures): string =>
  l.maxMsAtMost === Infinity
    ? `> ${fmt(l.maxMsAbove)} ms (above the largest bucket, or not applied)`
    : `between ${ms(l.maxMsAbove)} and ${ms(l.maxMsAtMost)} (its histogram bucket)`;

const load = (r: LoadResult): string =>
  `${rate(r.throughputPerSec)} 2xx, p50 ${ms(r.p50Ms)}, p99 ${ms(r.p99Ms)}, ` +
  `non-2xx ${r.non2xx}, errors ${r.errors}`;

function orderRows(o: OrderRunFigures, largestLimitS: number): Row[] {
  const r = o.load;
  const at = `${r.offeredPerSec}/s offered, ${fmt(r.seconds)} s`;
  const rows = [
    row(
      `1. POST /api/orders (${at}): completed`,
      rate(r.throughputPerSec),
      '>= 495/s (#12)',
      verdict(r.throughputPerSec >= 495),
    ),
    row(`1. POST /api/orders (${at}): p50`, ms(r.p50Ms)),
    row(`1. POST /api/orders (${at}): p99`, ms(r.p99Ms), '< 100 ms (#12)', verdict(r.p99Ms < 100)),
    row(
      `1. POST /api/orders (${at}): non-2xx`,
      fmt(r.non2xx) + (r.non2xx > 0 ? ` ${JSON.stringify(r.statusCodes)}` : ''),
      '0 (#12)',
      verdict(r.non2xx === 0),
    ),
    row(
      `1. POST /api/orders (${at}): errors`,
      `${fmt(r.errors)} (timeouts ${r.timeouts})`,
      '0 (#12)',
      verdict(r.errors === 0),
    ),
  ];
  const l = o.lag.all;
  rows.push(
    row(
      `5. projection lag during the order run: p50`,
      lagMs(l.p50Ms, largestLimitS) +
        ` (${fmt(l.events)} events, all projections` +
        (l.notApplied > 0
          ? `; ${fmt(l.notApplied)} still behind at the end counted as +Inf; applied only: p50 ${lagMs(o.lag.appliedOnly.p50Ms, largestLimitS)}, p99 ${lagMs(o.lag.appliedOnly.p99Ms, largestLimitS)})`
          : ')'),
    ),
    row(
      `5. projection lag during the order run: p99`,
      lagMs(l.p99Ms, largestLimitS),
      '< 1 s (#11)',
      verdict(l.p99Ms < 1000),
    ),
    row(`5. projection lag during the order run: max`, lagMax(l), '< 2 s (#11)', verdict(maxBelow(l, 2000))),
    row(
      '5. drain: load end to nothing behind',
      o.drain.drained
        ? `${fmt(o.drain.seconds, 1)} s`
        : `not drained in ${fmt(o.drain.seconds, 0)} s (${fmt(sum(o.drain.behindAtEnd))} events behind; ` +
            `${fmt(sum(o.drain.behindAtStart ?? {}))} were behind when the run started)`,
      '<= 1 s (#11)',
      verdict(o.drain.drained && o.drain.seconds <= 1),
    ),
  );
  return rows;
}

export function buildRows(f: AllFigures, largestLagLimitS = 60): Row[] {
  const rows: Row[] = [];
  if (f.orders) rows.push(...orderRows(f.orders, largestLagLimitS));
  if (f.saturation) {
    const s = f.saturation;
    rows.push(
      row(
        `1. POST /api/orders at saturation (${s.load.connections} conn, ${fmt(s.load.seconds)} s)`,
        load(s.load),
        'aim >= 1,000/s (#12)',
        verdict(s.load.throughputPerSec >= 1000),
      ),
      row(
        '5. projection throughput at saturation (applied while the load ran)',
        `${fmt(s.projectionThroughput.eventsPerSec)} events/s (${fmt(s.projectionThroughput.eventsDuringLoad)} in ${fmt(s.projectionThroughput.loadSeconds, 1)} s; ` +
          `until drained ${fmt(s.projectionThroughput.eventsPerSecUntilDrained)} events/s)`,
        '>= 1,000 events/s (#11)',
        verdict(s.projectionThroughput.eventsPerSec >= 1000),
      ),
    );
  }
  if (f.queries) {
    for (const e of f.queries.endpoints)
      rows.push(
        row(
          `2. ${e.name} (${e.fixed.offeredPerSec}/s offered)`,
          load(e.fixed) + `, cache hits ${fmt(e.fixed.cacheHitRate * 100, 1)} %`,
          'p99 < 50 ms (#12)',
          verdict(e.fixed.p99Ms < 50),
        ),
      );
    const sat = f.queries.orderAtSaturation;
    rows.push(
      row(
        `2. GET /api/orders/:id at saturation (${sat.connections} conn)`,
        load(sat) + `, cache hits ${fmt(sat.cacheHitRate * 100, 1)} %`,
      ),
    );
  }
  if (f.ceiling) {
    const c = f.ceiling;
    rows.push(row(`2. bare node:http, ${c.bodyBytes}-byte body, saturation`, load(c.saturation)));
    const sat = f.queries?.orderAtSaturation;
    if (sat) {
      const share = sat.throughputPerSec / c.saturation.throughputPerSec;
      rows.push(
        row(
          '2. cached GET /api/orders/:id at saturation / bare node:http',
          `${fmt(share * 100, 1)} %`,
          '>= 25 % (#12)',
          verdict(share >= 0.25),
        ),
      );
    }
  }
  if (f.mixed) {
    const m = f.mixed;
    const q = m.queries.map((x) => `${x.name.split(' ')[1]} ${ms(x.run.p99Ms)}`).join(', ');
    rows.push(
      row(`3. mixed (${fmt(m.seconds)} s): orders`, load(m.orders)),
      row('3. mixed: command p99', ms(m.commandP99Ms), '< 100 ms (#12)', verdict(m.commandP99Ms < 100)),
      row(
        '3. mixed: query p99 (highest endpoint)',
        `${ms(m.queryP99Ms)} (${q})`,
        '< 50 ms (#12)',
        verdict(m.queryP99Ms < 50),
      ),
      row(
        '3. mixed: cache hit rate',
        `${fmt(m.cacheHitRate, 3)} (${fmt(m.cacheHits)} hits, ${fmt(m.cacheMisses)} misses)`,
        '>= 0.90 (#12)',
        verdict(m.cacheHitRate >= 0.9),
      ),
    );
  }
  if (f.overload) {
    const o = f.overload;
    rows.push(
      row(
        `4. overload: orders at ${o.load.offeredPerSec}/s (${o.factor} x saturation ${fmt(o.saturationPerSec)}/s, ${fmt(o.load.seconds)} s)`,
        `answered ${rate(o.load.responses / o.load.seconds)}: ${fmt(o.accepted202)} x 202, ${fmt(o.shed503WithRetryAfter)} x 503 + Retry-After, ` +
          `${fmt(o.shed503WithoutRetryAfter)} x 503 without, other ${JSON.stringify(o.otherStatuses)}; p99 ${ms(o.load.p99Ms)}, max ${ms(o.load.maxMs)}`,
      ),
      row(
        '4. overload: answers slower than 1 s, timeouts, errors',
        fmt(o.lateOrUnanswered),
        '0: every request answered within 1 s (#12)',
        verdict(o.allAnsweredInTime),
      ),
      row(
        '4. overload: answers other than 202 or 503 with Retry-After',
        fmt(o.shed503WithoutRetryAfter + Object.values(o.otherStatuses).reduce((a, b) => a + b, 0)),
        '0 (#12)',
        verdict(o.shed503WithoutRetryAfter === 0 && Object.keys(o.otherStatuses).length === 0),
      ),
      row('4. overload: 5xx other than 503', fmt(o.other5xx), '0 (#12)', verdict(o.other5xx === 0)),
      row(
        '4. overload: error lines in the service log',
        `${fmt(o.log.errorLines)} (warnings ${fmt(o.log.warnLines)})`,
        '0 (#12)',
        verdict(o.log.errorLines === 0),
      ),
    );
  }
  if (f.rebuild) {
    const r = f.rebuild;
    rows.push(
      row(
        `6. rebuild orders_read at ${fmt(r.orders)} orders (${fmt(r.eventsTotal)} events): rate`,
        `${fmt(r.eventsPerSec)} events/s (${fmt(r.ordersPerSec)} orders/s)`,
        '>= 10,000 events/s (#11)',
        verdict(r.eventsPerSec >= 10_000),
      ),
      row(
        '6. rebuild orders_read: total time',
        r.complete
          ? `${fmt(r.seconds, 1)} s replay to done (${fmt(r.wallSeconds, 1)} s with start-up)`
          : `time-boxed: ${fmt(r.eventsReplayed)} of ${fmt(r.eventsTotal)} events in ${fmt(r.seconds, 1)} s; full ~${fmt(r.fullRebuildSeconds)} s (extrapolated)`,
        r.orders >= 100_000 ? '< 60 s at 100k orders (#11)' : '',
        r.orders >= 100_000 ? verdict(r.complete && r.seconds < 60) : '',
      ),
    );
  }
  if (f.verify) {
    const v = f.verify;
    rows.push(
      row(
        `6. verify orders_read on the rebuild's data (${v.shape} API)`,
        (v.status === 'completed'
          ? `${fmt(v.seconds, 1)} s (${v.events === null ? '?' : fmt(v.events)} events, ${v.differences ?? '?'} differences)`
          : `${v.status} after ${fmt(v.seconds, 1)} s${v.error ? `: ${v.error.slice(0, 80)}` : ''}`) +
          (f.rebuild && !f.rebuild.complete ? ' (after a time-boxed rebuild: differences expected)' : ''),
        f.rebuild && f.rebuild.orders >= 100_000 ? '< 60 s at 100k orders (#11)' : '',
        f.rebuild && f.rebuild.orders >= 100_000 ? verdict(v.status === 'completed' && v.seconds < 60) : '',
      ),
    );
  }
  if (f.crud) {
    const c = f.crud;
    rows.push(
      row('baseline: order detail, CRUD $lookup (minimal stack, saturation)', load(c.crud)),
      row('baseline: order detail, read model findOne (same stack)', load(c.readModel)),
      row(
        'baseline: CRUD / read model (throughput; p50)',
        `${fmt(c.throughputRatio, 3)} x; ${fmt(c.p50Ratio, 2)} x`,
      ),
    );
  }
  return rows;
}

/** Left-aligned columns (the values are long); the value column is wrapped at 100 characters. */
export function printRows(rows: Row[]): void {
  const header = ['figure', 'value', 'target (issue)', 'result'];
  const cells = rows.map((r) => [r.figure, r.value, r.target || '-', r.result]);
  const wrap = (text: string, width: number): string[] => {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(' ')) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    return [...lines, line];
  };
  const valueWidth = Math.min(100, Math.max(header[1].length, ...cells.map((c) => c[1].length)));
  const widths = header.map((h, i) =>
    i === 1 ? valueWidth : Math.max(h.length, ...cells.map((c) => c[i].length)),
  );
  const line = (c: string[]): string =>
    c
      .map((x, i) => x.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log('\nservice benchmark (npm run bench)');
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const c of cells) {
    const parts = wrap(c[1], valueWidth);
    console.log(line([c[0], parts[0], c[2], c[3]]));
    for (const more of parts.slice(1)) console.log(line(['', more, '', '']));
  }
}
