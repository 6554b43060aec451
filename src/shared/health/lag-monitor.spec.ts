import { loadConfig } from '../../config/env.js';
import type { ProjectionStatus, ProjectionsService } from '../projections/projections.service.js';
import { LagMonitor } from './lag-monitor.js';
import { isRunning } from './projection-health.js';

function status(name: string, lagMs: number, over: Partial<ProjectionStatus> = {}): ProjectionStatus {
  return {
    name,
    handles: ['OrderPlaced'],
    checkpoint: null,
    eventsBehind: 0,
    lagMs,
    lastAppliedLagMs: null,
    checkpointLagMs: null,
    eventsPerSecond: 0,
    appliedHere: 0,
    deadLetters: 0,
    lease: null,
    resync: { running: true, state: 'streaming', scans: 1 },
    rebuild: null,
    ...over,
  };
}

function monitor(lags: () => ProjectionStatus[]): LagMonitor {
  const projections = { status: () => Promise.resolve(lags()) } as unknown as ProjectionsService;
  return new LagMonitor(projections, loadConfig({ PROJECTION_LAG_THRESHOLD_MS: '10000' }));
}

describe('LagMonitor', () => {
  it('warns once above the threshold and logs once when it recovers', async () => {
    let lag = 500;
    const m = monitor(() => [status('orders_read', lag), status('product_catalog', 20)]);
    expect(await m.check()).toEqual([]);
    lag = 12_000;
    expect(await m.check()).toEqual([
      {
        event: 'projection.lag.high',
        projection: 'orders_read',
        lagMs: 12_000,
        thresholdMs: 10_000,
        eventsBehind: 0,
      },
    ]);
    lag = 15_000;
    expect(await m.check()).toEqual([]);
    lag = 40;
    expect(await m.check()).toEqual([
      {
        event: 'projection.lag.recovered',
        projection: 'orders_read',
        lagMs: 40,
        thresholdMs: 10_000,
        eventsBehind: 0,
      },
    ]);
    expect(await m.check()).toEqual([]);
  });

  it('at exactly the threshold is not lagging; no lag yet counts as 0', async () => {
    const m = monitor(() => [status('a', 10_000), status('b', 0)]);
    expect(await m.check()).toEqual([]);
  });
});

describe('isRunning', () => {
  const lease = (mine: boolean, expired: boolean): ProjectionStatus['lease'] => ({
    holder: mine ? 'me' : 'other',
    expiresAt: new Date(),
    renewedAt: new Date(),
    mine,
    expired,
  });

  it('streaming here is running; error or stopped is not', () => {
    expect(isRunning(status('p', 0), true)).toBe(true);
    expect(isRunning(status('p', 0, { resync: { running: true, state: 'error', scans: 0 } }), true)).toBe(
      false,
    );
    expect(isRunning(status('p', 0, { resync: { running: true, state: 'stopped', scans: 0 } }), true)).toBe(
      false,
    );
  });

  it('standby is running only while another instance holds an unexpired lease', () => {
    const standby = { resync: { running: false, state: 'standby', scans: 0 } };
    expect(isRunning(status('p', 0, { ...standby, lease: lease(false, false) }), true)).toBe(true);
    expect(isRunning(status('p', 0, { ...standby, lease: lease(false, true) }), true)).toBe(false);
    expect(isRunning(status('p', 0, { ...standby, lease: lease(true, false) }), true)).toBe(false);
    expect(isRunning(status('p', 0, { ...standby, lease: null }), true)).toBe(false);
  });

  it('without resync (PROJECTION_RESYNC=false) or handled events, always running', () => {
    const off = { resync: { running: false, state: 'standby', scans: 0 } };
    expect(isRunning(status('p', 0, off), false)).toBe(true);
    expect(isRunning(status('p', 0, { ...off, handles: [] }), true)).toBe(true);
  });
});
