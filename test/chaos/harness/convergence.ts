/**
 * "Time to converge": from a moment (end of load, restart) until `projections verify` (admin API,
 * POST /api/admin/projections/verify) reports 0 differences for every projection. Polls; a
 * network error or 5xx (an instance still starting) is just another try.
 */
import { adminToken } from './http-client.js';

export interface Convergence {
  converged: boolean;
  ms: number;
  /** The differences per projection at the last poll (all 0 when converged). */
  differences: Record<string, number>;
  polls: number;
}

interface VerifyRow {
  projection: string;
  differences: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitForConvergence(
  endpoints: () => string[],
  timeoutMs: number,
  since = performance.now(),
): Promise<Convergence> {
  const token = adminToken();
  let differences: Record<string, number> = {};
  for (let polls = 1; ; polls++) {
    const live = endpoints();
    const base = live[polls % Math.max(1, live.length)];
    if (base) {
      try {
        const res = await fetch(`${base}/api/admin/projections/verify`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(60_000),
        });
        if (res.status === 200) {
          const rows = (await res.json()) as VerifyRow[];
          differences = Object.fromEntries(rows.map((r) => [r.projection, r.differences]));
          if (rows.length > 0 && rows.every((r) => r.differences === 0))
            return { converged: true, ms: performance.now() - since, differences, polls };
        } else await res.arrayBuffer();
      } catch {
        // not reachable right now: poll again
      }
    }
    if (performance.now() - since > timeoutMs)
      return { converged: false, ms: performance.now() - since, differences, polls };
    await sleep(250);
  }
}
