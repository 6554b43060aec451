/**
 * Projection health, shared by the readiness check (/health) and the lag monitor.
 *
 * - running: a projection with a resync path is healthy when this instance streams it (worker not
 *   in `error`/`stopped`) or another instance holds an unexpired lease on it; projections without
 *   handled events, or a process run with PROJECTION_RESYNC=false (fast path only), are up.
 * - lag: how far behind the projection is now (ProjectionStatus.lagMs): 0 when no event waits,
 *   else the age of the oldest waiting event. An idle, caught-up projection is healthy; one that
 *   stopped applying while events wait shows a growing lag.
 */
import type { ProjectionStatus } from '../projections/projections.service.js';

export const DEFAULT_LAG_THRESHOLD_MS = 10_000;

export function isRunning(s: ProjectionStatus, resyncEnabled: boolean): boolean {
  if (!resyncEnabled || s.handles.length === 0) return true;
  if (s.resync.running) return s.resync.state !== 'error' && s.resync.state !== 'stopped';
  return s.lease !== null && !s.lease.expired && !s.lease.mine;
}

export function currentLagMs(s: ProjectionStatus): number {
  return s.lagMs;
}
