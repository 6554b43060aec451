/**
 * Projection health, shared by the readiness check (/health) and the lag monitor.
 *
 * - running: a projection with a resync path is healthy when this instance streams it (worker not
 *   in `error`/`stopped`) or another instance holds an unexpired lease on it; projections without
 *   handled events, or a process run with PROJECTION_RESYNC=false (fast path only), are up.
 * - lag: the time between an event's commit and its application (ms), of the last event this
 *   instance applied (ProjectionStatus.lagMs). It changes only when an event is applied: a stopped
 *   projection is caught by `isRunning`, not by the lag.
 */
import type { ProjectionStatus } from '../projections/projections.service.js';

export const DEFAULT_LAG_THRESHOLD_MS = 10_000;

export function isRunning(s: ProjectionStatus, resyncEnabled: boolean): boolean {
  if (!resyncEnabled || s.handles.length === 0) return true;
  if (s.resync.running) return s.resync.state !== 'error' && s.resync.state !== 'stopped';
  return s.lease !== null && !s.lease.expired && !s.lease.mine;
}

export function currentLagMs(s: ProjectionStatus): number {
  return s.lagMs ?? 0;
}
