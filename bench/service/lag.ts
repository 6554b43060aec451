/**
 * Projection lag from the service's `cqrs_projection_lag_seconds` histogram (observed per applied
 * event: seconds from its commit, `recordedAt`, to its application): the bucket deltas between a
 * scrape before a run and one after its events were applied give p50/p99 (interpolated inside a
 * bucket, as Prometheus' histogram_quantile() does) and an upper bound of the max (the highest
 * non-empty bucket's limit).
 *
 * The bucket limits are read from the scrape and reported with the figures (today, in s: 0.001
 * 0.0025 0.005 0.01 0.025 0.05 0.1 0.175 0.25 0.375 0.5 0.75 1 2.5 5 10 30 60, then +Inf). So a max
 * is known to within its bucket: with those limits "max < 2 s" is decided only when the max falls
 * at or below the 1 s limit (met) or above the 2.5 s limit (missed); between the two the result is
 * undetermined (`null`). Events still behind when the drain wait gave up are added to
 * the +Inf bucket: each of them waited longer than the drain timeout, so they count as too late
 * for any of the targets (the timeout is longer than 2 s); their number is reported. "Behind" is
 * the service's `eventsBehind` (events after the projection's checkpoint, which the resync path
 * writes), so if the checkpoint trails applications by the fast path this is conservative;
 * `appliedOnly` is the same figure over the histogram alone, for comparison.
 */
import {
  histogramDelta,
  labelValues,
  maxBound,
  quantile,
  type Bucket,
  type Scrape,
} from './metrics-scrape.js';

export const LAG_METRIC = 'cqrs_projection_lag_seconds';

/** The histogram's finite bucket limits (s), as the service exposes them. */
export function lagBucketLimits(scrape: Scrape): number[] {
  const les = scrape.filter((s) => s.name === `${LAG_METRIC}_bucket`).map((s) => s.labels.le);
  return [...new Set(les)]
    .filter((le) => le !== '+Inf')
    .map(Number)
    .sort((a, b) => a - b);
}

export interface LagFigures {
  /** Events in the histogram delta (applied) plus those not applied when the drain wait ended. */
  events: number;
  notApplied: number;
  p50Ms: number;
  p99Ms: number;
  /** Upper limit of the highest non-empty bucket (Infinity: above the largest limit, or not applied). */
  maxMsAtMost: number;
  /** Lower limit of that bucket: the max is above this. */
  maxMsAbove: number;
}

export interface Lag {
  all: LagFigures;
  byProjection: Record<string, LagFigures>;
  /** All projections, the histogram alone (events behind at the end left out). */
  appliedOnly: LagFigures;
}

function withNotApplied(buckets: Bucket[], notApplied: number): Bucket[] {
  if (notApplied === 0) return buckets;
  return buckets.map((b) => (Number.isFinite(b.le) ? b : { ...b, count: b.count + notApplied }));
}

function figures(buckets: Bucket[], notApplied: number): LagFigures {
  const b = withNotApplied(buckets, notApplied);
  const max = maxBound(b);
  const below = [0, ...b.map((x) => x.le)];
  const at = b.findIndex((x) => x.le === max);
  return {
    events: b.at(-1)?.count ?? 0,
    notApplied,
    p50Ms: quantile(b, 0.5) * 1000,
    p99Ms: quantile(b, 0.99) * 1000,
    maxMsAtMost: max * 1000,
    maxMsAbove: (at >= 0 ? below[at] : NaN) * 1000,
  };
}

/** `notApplied`: events still behind per projection when the drain wait ended (0 when drained). */
export function lagBetween(before: Scrape, after: Scrape, notApplied: Record<string, number> = {}): Lag {
  const byProjection: Record<string, LagFigures> = {};
  const names = new Set([
    ...labelValues(after, `${LAG_METRIC}_bucket`, 'projection'),
    ...Object.keys(notApplied),
  ]);
  let missing = 0;
  for (const p of names) {
    missing += notApplied[p] ?? 0;
    byProjection[p] = figures(
      histogramDelta(before, after, LAG_METRIC, { projection: p }),
      notApplied[p] ?? 0,
    );
  }
  const all = histogramDelta(before, after, LAG_METRIC);
  return { all: figures(all, missing), byProjection, appliedOnly: figures(all, 0) };
}

/** met (true), missed (false) or undetermined by the buckets (null) for "max < limitMs". */
export function maxBelow(l: LagFigures, limitMs: number): boolean | null {
  if (l.maxMsAtMost <= limitMs) return true;
  if (l.maxMsAbove >= limitMs) return false;
  return null;
}

export function describeLag(l: LagFigures): string {
  const v = (n: number): string => (n === Infinity ? '+Inf' : `${n.toFixed(n < 10 ? 1 : 0)} ms`);
  const max =
    l.maxMsAtMost === Infinity
      ? `> ${(l.maxMsAbove / 1000).toFixed(0)} s`
      : `${v(l.maxMsAbove)}..${v(l.maxMsAtMost)}`;
  return (
    `p50 ${v(l.p50Ms)}, p99 ${v(l.p99Ms)}, max ${max} (${l.events} events` +
    `${l.notApplied > 0 ? `, ${l.notApplied} still behind when the wait ended` : ''})`
  );
}
