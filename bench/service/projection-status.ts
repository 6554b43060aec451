/**
 * The projections' state as the service reports it (`GET /api/admin/projections`, admin token):
 * per projection `eventsBehind` (events of its types after its checkpoint) and `lagMs`. Used to
 * wait until the projections are caught up before a run, and to time the drain after one: from
 * the load's last response until no projection has an event behind.
 */
import type { RunningService } from './service.js';

export interface ProjectionState {
  name: string;
  eventsBehind: number;
  lagMs: number | null;
}

export async function projectionStates(service: RunningService): Promise<ProjectionState[]> {
  const res = await fetch(`${service.origin}/api/admin/projections`, {
    headers: { authorization: `Bearer ${service.adminToken}` },
    signal: AbortSignal.timeout(30_000),
  });
  const body: unknown = await res.json();
  if (res.status !== 200 || !Array.isArray(body))
    throw new Error(
      `GET /api/admin/projections answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`,
    );
  return (body as ProjectionState[]).map((p) => ({
    name: p.name,
    eventsBehind: p.eventsBehind,
    lagMs: p.lagMs ?? null,
  }));
}

export async function behindNow(service: RunningService): Promise<Record<string, number>> {
  return Object.fromEntries((await projectionStates(service)).map((p) => [p.name, p.eventsBehind]));
}

export const totalBehind = (behind: Record<string, number>): number =>
  Object.values(behind).reduce((a, b) => a + b, 0);

export interface Drain {
  drained: boolean;
  /**
   * Events behind per projection when the run started (a backlog of the runs before it: its
   * events, if still behind at the end, are among those counted as not applied).
   */
  behindAtStart?: Record<string, number>;
  /** From the load's end to the first poll with nothing behind (or to giving up). */
  seconds: number;
  /** Events behind per projection at the first poll after the load. */
  behindAtLoadEnd: Record<string, number>;
  /** Events behind per projection at the last poll (all 0 when drained). */
  behindAtEnd: Record<string, number>;
}

/**
 * Polls every 250 ms until no projection has an event behind, or `timeoutSeconds` after
 * `loadEndedAt` (epoch ms); a progress line every 10 s.
 */
export async function waitDrained(
  service: RunningService,
  loadEndedAt: number,
  timeoutSeconds: number,
  log: (line: string) => void,
): Promise<Drain> {
  const deadline = loadEndedAt + timeoutSeconds * 1000;
  let behindAtLoadEnd: Record<string, number> | undefined;
  let nextReport = Date.now() + 10_000;
  for (;;) {
    const states = await projectionStates(service);
    const now = Date.now();
    const behind = Object.fromEntries(states.map((p) => [p.name, p.eventsBehind]));
    behindAtLoadEnd ??= behind;
    const seconds = Math.max(0, (now - loadEndedAt) / 1000);
    if (totalBehind(behind) === 0) return { drained: true, seconds, behindAtLoadEnd, behindAtEnd: behind };
    if (now >= deadline) {
      log(
        `  projections: not drained ${seconds.toFixed(1)} s after the load: behind ${JSON.stringify(behind)}`,
      );
      return { drained: false, seconds, behindAtLoadEnd, behindAtEnd: behind };
    }
    if (now >= nextReport) {
      nextReport = now + 10_000;
      log(
        `  projections: draining, ${seconds.toFixed(0)} s after the load: behind ${JSON.stringify(behind)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
