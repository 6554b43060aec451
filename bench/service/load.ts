/**
 * HTTP load with autocannon's programmatic API, from this (the orchestrator's) process: a fixed
 * offered load (`overallRate` requests/s over all connections) or saturation (no rate: every
 * connection sends its next request as soon as the previous answer arrives). Each request can be
 * built fresh (`next`: method, path, headers, body), which is how commands get distinct bodies and
 * Idempotency-Keys. Optionally every response's status and headers are passed to a callback, and
 * the responses slower than a bound are counted (the overload run's "answered within 1 s").
 */
import autocannon, { type Request, type Result } from 'autocannon';

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadSpec {
  label: string;
  /** Origin, e.g. http://127.0.0.1:3000 */
  origin: string;
  connections: number;
  seconds: number;
  /** Requests/s offered over all connections; undefined = saturation. */
  rate?: number;
  /** Builds each request. */
  next: () => RequestSpec;
  /** Called with each response's status and headers (names lower-cased). */
  onResponse?: (status: number, headers: Record<string, string>) => void;
  /** Count the responses that took longer than this many ms (`slow` in the result). */
  slowMs?: number;
  /** A progress line every 10 s (runs of 20 s and longer). */
  log?: (line: string) => void;
}

export interface LoadResult {
  label: string;
  /** Offered requests/s, or null at saturation. */
  offeredPerSec: number | null;
  connections: number;
  seconds: number;
  /** Responses received. */
  responses: number;
  ok2xx: number;
  non2xx: number;
  /** Count per HTTP status. */
  statusCodes: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
  timeouts: number;
  /** 2xx responses per second over the run. */
  throughputPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  startedAt: number;
  finishedAt: number;
  /** Responses slower than `slowMs` (when it was given). */
  slow?: { ms: number; count: number };
}

export function summarize(
  label: string,
  spec: Pick<LoadSpec, 'rate' | 'connections'>,
  r: Result,
  slow?: { ms: number; count: number },
): LoadResult {
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = s.count ?? 0;
  const ok2xx = r['2xx'];
  return {
    label,
    offeredPerSec: spec.rate ?? null,
    connections: spec.connections,
    seconds: r.duration,
    responses: ok2xx + r.non2xx,
    ok2xx,
    non2xx: r.non2xx,
    statusCodes,
    errors: r.errors,
    timeouts: r.timeouts,
    throughputPerSec: ok2xx / r.duration,
    // No answer within the run: no latency either (not autocannon's 0).
    p50Ms: ok2xx + r.non2xx > 0 ? r.latency.p50 : NaN,
    p99Ms: ok2xx + r.non2xx > 0 ? r.latency.p99 : NaN,
    maxMs: ok2xx + r.non2xx > 0 ? r.latency.max : NaN,
    startedAt: r.start.getTime(),
    finishedAt: r.finish.getTime(),
    ...(slow ? { slow } : {}),
  };
}

function lowerCased(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const first = spec.next();
  // autocannon passes its defaults (host, port, empty body) in `req`: keep them, set ours on top.
  const build = (req: Request): Request => {
    const r = spec.next();
    return {
      ...req,
      method: r.method,
      path: r.path,
      headers: { ...req.headers, ...r.headers },
      ...(r.body !== undefined ? { body: r.body } : {}),
    };
  };
  const onResponse = spec.onResponse;
  const slow = spec.slowMs !== undefined ? { ms: spec.slowMs, count: 0 } : undefined;
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.origin + first.path,
        connections: spec.connections,
        pipelining: 1,
        duration: spec.seconds,
        timeout: 10,
        ...(spec.rate !== undefined ? { overallRate: spec.rate } : {}),
        requests: [
          {
            method: first.method,
            setupRequest: build,
            ...(onResponse
              ? {
                  onResponse: (status: number, _body: string, _ctx: object, headers: unknown) =>
                    onResponse(status, lowerCased((headers ?? {}) as Record<string, unknown>)),
                }
              : {}),
          },
        ],
      },
      (err: unknown, r: Result) =>
        err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(r),
    );
    let responses = 0;
    let ok = 0;
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      responses++;
      if (status >= 200 && status < 300) ok++;
      if (slow && responseTime > slow.ms) slow.count++;
    });
    const log = spec.log;
    if (log && spec.seconds >= 20) {
      const t0 = Date.now();
      let last = { at: t0, responses: 0, ok: 0 };
      const timer = setInterval(() => {
        const now = Date.now();
        const s = (now - last.at) / 1000;
        log(
          `  ${spec.label}: ${((now - t0) / 1000).toFixed(0)} / ${spec.seconds} s, last ${s.toFixed(0)} s: ` +
            `${((responses - last.responses) / s).toFixed(0)} responses/s, ${((ok - last.ok) / s).toFixed(0)} 2xx/s`,
        );
        last = { at: now, responses, ok };
      }, 10_000);
      instance.once('done', () => clearInterval(timer));
    }
  });
  return summarize(spec.label, spec, result, slow);
}

/**
 * Connections for a run: at saturation `base`; at a fixed offered load enough that the offered
 * rate still holds with ~130 ms answers (autocannon keeps one request in flight per connection, so
 * too few connections would cap the rate on the client side).
 */
export function connectionsFor(rate: number | undefined, base: number): number {
  return rate === undefined ? base : Math.max(base, Math.ceil(rate / 7.5));
}

/** One progress line for a finished load run. */
export function describe(r: LoadResult): string {
  const offered = r.offeredPerSec === null ? 'saturation' : `${r.offeredPerSec}/s offered`;
  return (
    `${r.label} (${offered}, ${r.connections} connections, ${r.seconds.toFixed(1)} s): ` +
    `${r.throughputPerSec.toFixed(0)} 2xx/s, ` +
    (r.responses > 0
      ? `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms, `
      : 'no answer within the run, ') +
    `non-2xx ${r.non2xx}${r.non2xx > 0 ? ` ${JSON.stringify(r.statusCodes)}` : ''}, errors ${r.errors}`
  );
}
