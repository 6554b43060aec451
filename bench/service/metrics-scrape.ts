/**
 * Reads the service's /metrics (Prometheus text format) and computes what the benchmark reports
 * from the difference of two scrapes: counter deltas (cache hits and misses, events applied) and
 * histogram quantiles from bucket deltas, interpolated inside a bucket as Prometheus'
 * histogram_quantile() does.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export type Scrape = Sample[];

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Scrape {
  const samples: Scrape = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

export async function scrapeMetrics(origin: string, adminToken: string): Promise<Scrape> {
  const res = await fetch(`${origin}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${text.slice(0, 200)}`);
  return parseMetrics(text);
}

const matches = (s: Sample, name: string, labels: Record<string, string>): boolean =>
  s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v);

/** Sum of the matching series (e.g. a counter over all its label values). */
export function total(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  return scrape.filter((s) => matches(s, name, labels)).reduce((sum, s) => sum + s.value, 0);
}

/** Label values of `label` that `name` has series for. */
export function labelValues(scrape: Scrape, name: string, label: string): string[] {
  return [...new Set(scrape.filter((s) => s.name === name && label in s.labels).map((s) => s.labels[label]))];
}

export interface Bucket {
  /** Upper bound (seconds for *_seconds histograms); Infinity for +Inf. */
  le: number;
  /** Cumulative count of observations <= le. */
  count: number;
}

/** Cumulative buckets of `name` (a histogram's base name) observed between two scrapes. */
export function histogramDelta(
  before: Scrape,
  after: Scrape,
  name: string,
  labels: Record<string, string> = {},
): Bucket[] {
  const bucketName = `${name}_bucket`;
  const les = [...new Set(after.filter((s) => matches(s, bucketName, labels)).map((s) => s.labels.le))];
  return les
    .map((le) => ({
      le: le === '+Inf' ? Infinity : Number(le),
      count: total(after, bucketName, { ...labels, le }) - total(before, bucketName, { ...labels, le }),
    }))
    .sort((a, b) => a.le - b.le);
}

/**
 * The q-quantile (0..1) of cumulative buckets, linear inside the bucket; NaN when empty, Infinity
 * when it falls into the +Inf bucket (above the largest finite bound).
 */
export function quantile(buckets: readonly Bucket[], q: number): number {
  const count = buckets.at(-1)?.count ?? 0;
  if (count === 0) return NaN;
  const rank = q * count;
  let lower = 0;
  let below = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      // In the +Inf bucket nothing is known but "above the last finite bound".
      if (!Number.isFinite(b.le)) return Infinity;
      const inBucket = b.count - below;
      return inBucket === 0 ? b.le : lower + ((b.le - lower) * (rank - below)) / inBucket;
    }
    lower = b.le;
    below = b.count;
  }
  return lower;
}

/** Upper bound of the highest non-empty bucket: the maximum is at most this (Infinity if in +Inf). */
export function maxBound(buckets: readonly Bucket[]): number {
  const count = buckets.at(-1)?.count ?? 0;
  if (count === 0) return NaN;
  return buckets.find((b) => b.count >= count)?.le ?? Infinity;
}
