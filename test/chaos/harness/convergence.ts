/**
 * "Time to converge": from a moment (end of load, restart) until the start of the poll at which
 * `projections verify` (admin API, POST /api/admin/projections/verify) reports 0 differences for
 * every projection AND every projection's resync path has caught up (GET /api/admin/projections: eventsBehind 0), which
 * proves the change streams resumed by themselves (the fast path alone could make verify 0).
 * Polls; a network error or 5xx (an instance still starting) is just another try.
 */
import { adminToken } from './http-client.js';

export interface Convergence {
  converged: boolean;
  ms: number;
  /** The differences per projection at the last poll (all 0 when converged). */
  differences: Record<string, number>;
  /** Events after each projection's resync checkpoint at the last poll. */
  eventsBehind: Record<string, number>;
  deadLetters: number;
  /** A few differences of the last poll (for the report when it did not converge). */
  samples: string[];
  /** The last failed poll (HTTP status or error), for the report when it did not converge. */
  lastError: string;
  polls: number;
}

interface VerifyRow {
  projection: string;
  differences: number;
  samples?: unknown[];
}

interface StatusRow {
  name: string;
  eventsBehind: number;
  deadLetters: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface DeadLetterRow {
  projection: string;
  error: string;
  attempts: number;
  event: { type?: string; aggregateId?: string; aggregateVersion?: number };
}

/** The dead letters (status dead) as one line each, for the report. */
export async function deadLetterLines(endpoints: () => string[]): Promise<string[]> {
  const base = endpoints()[0];
  if (!base) return [];
  try {
    const res = await fetch(`${base}/api/admin/projections/dead-letters?status=dead`, {
      headers: { authorization: `Bearer ${adminToken()}` },
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status !== 200) return [`dead letters: HTTP ${res.status}`];
    const rows = (await res.json()) as DeadLetterRow[];
    return rows.map(
      (d) =>
        `${d.projection} gave up on ${d.event.type} ${d.event.aggregateId}@${d.event.aggregateVersion} ` +
        `after ${d.attempts} attempts: ${d.error.slice(0, 300)}`,
    );
  } catch (e) {
    return [`dead letters: ${String(e)}`];
  }
}

export async function waitForConvergence(
  endpoints: () => string[],
  timeoutMs: number,
  since = performance.now(),
): Promise<Convergence> {
  const token = adminToken();
  let differences: Record<string, number> = {};
  let eventsBehind: Record<string, number> = {};
  let deadLetters = 0;
  let samples: string[] = [];
  let lastError = '';
  const get = async <T>(base: string, path: string, method: 'GET' | 'POST'): Promise<T | undefined> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(60_000),
    });
    if (res.status === 200) return (await res.json()) as T;
    lastError = `${method} ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`;
    return undefined;
  };
  for (let polls = 1; ; polls++) {
    const live = endpoints();
    const base = live[polls % Math.max(1, live.length)];
    // The state a poll sees is the one at its start: a successful poll converged by then (a
    // verify replays the whole log, so its own duration must not count).
    const pollStarted = performance.now();
    if (base) {
      try {
        const status = await get<StatusRow[]>(base, '/api/admin/projections', 'GET');
        const rows = await get<VerifyRow[]>(base, '/api/admin/projections/verify?wait=true', 'POST');
        if (status && rows) {
          eventsBehind = Object.fromEntries(status.map((r) => [r.name, r.eventsBehind]));
          deadLetters = status.reduce((n, r) => n + r.deadLetters, 0);
          differences = Object.fromEntries(rows.map((r) => [r.projection, r.differences]));
          samples = rows.flatMap((r) =>
            (r.samples ?? []).slice(0, 2).map((x) => `${r.projection}: ${JSON.stringify(x).slice(0, 1500)}`),
          );
          const caughtUp = status.length > 0 && status.every((r) => r.eventsBehind === 0);
          if (caughtUp && rows.length > 0 && rows.every((r) => r.differences === 0))
            return {
              converged: true,
              ms: pollStarted - since,
              differences,
              eventsBehind,
              deadLetters,
              samples,
              lastError,
              polls,
            };
        }
      } catch (e) {
        // not reachable right now: poll again
        lastError = String((e as { cause?: unknown }).cause ?? e);
      }
    }
    if (performance.now() - since > timeoutMs)
      return {
        converged: false,
        ms: performance.now() - since,
        differences,
        eventsBehind,
        deadLetters,
        samples,
        lastError,
        polls,
      };
    await sleep(250);
  }
}
