/**
 * 4. The overload run: `POST /api/orders` offered at twice the saturation rate measured in the same
 * run, for ~20 s, with enough connections that the offered rate holds even if every answer took
 * 1 s. Issue 12's target: every request answered within 1 s, with 202 or with 503 and a
 * `Retry-After` header; no other 5xx; no error lines in the service's log. Counted here: answers
 * slower than 1 s (autocannon's per-response time), timeouts and connection errors, 202s, 503s
 * with and without Retry-After, other statuses, and the error lines the service logged from the
 * start of the run until its projections drained (or the drain wait ended).
 */
import { drainAndLag, placeOrderRequests } from './commands.bench.js';
import type { Fixtures } from './fixtures.js';
import type { Lag } from './lag.js';
import { describe, runLoad, type LoadResult } from './load.js';
import { scrapeMetrics } from './metrics-scrape.js';
import { behindNow, type Drain } from './projection-status.js';
import type { LogDelta } from './service-log.js';
import type { RunningService } from './service.js';

const ANSWER_BUDGET_MS = 1_000;
const MAX_CONNECTIONS = 1_000;

export interface OverloadFigures {
  /** The saturation rate (2xx/s) it is a multiple of. */
  saturationPerSec: number;
  factor: number;
  load: LoadResult;
  accepted202: number;
  /** 503 answers with a Retry-After header. */
  shed503WithRetryAfter: number;
  shed503WithoutRetryAfter: number;
  /** 5xx answers other than 503. */
  other5xx: number;
  /** Answers neither 202 nor 503 (any status, 5xx included). */
  otherStatuses: Record<string, number>;
  /** Answers slower than 1 s, plus timeouts and connection errors (requests not answered in time). */
  lateOrUnanswered: number;
  allAnsweredInTime: boolean;
  log: LogDelta;
  drain: Drain;
  lag: Lag;
}

export async function benchOverload(
  service: RunningService,
  fixtures: Fixtures,
  opts: {
    saturationPerSec: number;
    factor: number;
    seconds: number;
    connections: number;
    drainTimeoutSeconds: number;
  },
  log: (line: string) => void,
): Promise<OverloadFigures> {
  const rate = Math.max(20, Math.round(opts.saturationPerSec * opts.factor));
  const connections = Math.min(
    MAX_CONNECTIONS,
    Math.max(opts.connections, Math.ceil((rate * ANSWER_BUDGET_MS) / 1000)),
  );
  log(
    `overload: POST /api/orders at ${rate}/s offered (${opts.factor} x the saturation rate ` +
      `${opts.saturationPerSec.toFixed(0)}/s), ${connections} connections, for ${opts.seconds} s ...`,
  );
  let accepted202 = 0;
  let withRetry = 0;
  let withoutRetry = 0;
  let other5xx = 0;
  const otherStatuses: Record<string, number> = {};
  const logMark = service.log.mark();
  const before = await scrapeMetrics(service.origin, service.adminToken);
  const behindAtStart = await behindNow(service);
  const load = await runLoad({
    label: 'overload: POST /api/orders',
    origin: service.origin,
    connections,
    seconds: opts.seconds,
    rate,
    next: placeOrderRequests(service, fixtures),
    slowMs: ANSWER_BUDGET_MS,
    log,
    onResponse: (status, headers) => {
      if (status === 202) accepted202++;
      else if (status === 503) {
        if (headers['retry-after'] !== undefined) withRetry++;
        else withoutRetry++;
      } else {
        otherStatuses[status] = (otherStatuses[status] ?? 0) + 1;
        if (status >= 500) other5xx++;
      }
    },
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
  const lateOrUnanswered = (load.slow?.count ?? 0) + load.errors;
  const figures: OverloadFigures = {
    saturationPerSec: opts.saturationPerSec,
    factor: opts.factor,
    load,
    accepted202,
    shed503WithRetryAfter: withRetry,
    shed503WithoutRetryAfter: withoutRetry,
    other5xx,
    otherStatuses,
    lateOrUnanswered,
    allAnsweredInTime: lateOrUnanswered === 0,
    log: service.log.since(logMark),
    drain,
    lag,
  };
  log(
    `  overload: ${accepted202} x 202, ${withRetry} x 503 with Retry-After, ${withoutRetry} x 503 without, ` +
      `other ${JSON.stringify(otherStatuses)}; ${lateOrUnanswered} slower than 1 s or unanswered ` +
      `(timeouts ${load.timeouts}, errors ${load.errors}); service log: ${figures.log.errorLines} error lines, ` +
      `${figures.log.warnLines} warnings`,
  );
  for (const line of figures.log.errorSamples) log(`    error line: ${line}`);
  return figures;
}
