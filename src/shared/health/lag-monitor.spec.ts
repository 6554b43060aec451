import { loadConfig } from '../../config/env.js';
import type { ProjectionRuntime } from '../projections/projection-runtime.js';
import type { ProjectionStatus, ProjectionsService } from '../projections/projections.service.js';
import { AlertWebhook, type WebhookAlert } from './alert-webhook.js';
import { LagMonitor } from './lag-monitor.js';
import { isRunning } from './projection-health.js';

function status(name: string, lagMs: number, over: Partial<ProjectionStatus> = {}): ProjectionStatus {
  return {
    name,
    handles: ['OrderPlaced'],
    checkpoint: null,
    eventsBehind: 0,
    eventsBehindCapped: false,
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

const runtime = { options: { instanceId: 'orders-1:4211:ab12cd' } } as ProjectionRuntime;

/** Records what the monitor hands to the webhook. */
class RecordingWebhook extends AlertWebhook {
  readonly sent: WebhookAlert[] = [];
  constructor() {
    super({ alertWebhookUrl: 'http://127.0.0.1:1/hook' });
  }
  override send(alert: WebhookAlert): boolean {
    this.sent.push(alert);
    return true;
  }
}

function monitor(lags: () => ProjectionStatus[], webhook: AlertWebhook = new RecordingWebhook()): LagMonitor {
  const projections = { status: () => Promise.resolve(lags()) } as unknown as ProjectionsService;
  return new LagMonitor(projections, loadConfig({ PROJECTION_LAG_THRESHOLD_MS: '10000' }), runtime, webhook);
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

  it('hands one firing alert to the webhook when the lag crosses, one resolved when it recovers, each flap again', async () => {
    let lag = 500;
    const webhook = new RecordingWebhook();
    const m = monitor(() => [status('orders_read', lag, { eventsBehind: 37 })], webhook);
    const states: number[] = [500, 12_840, 15_000, 14_000, 42, 40, 11_000, 30, 20];
    for (const l of states) {
      lag = l;
      await m.check();
    }
    expect(webhook.sent.map((a) => [a.status, a.lagMs])).toEqual([
      ['firing', 12_840],
      ['resolved', 42],
      ['firing', 11_000],
      ['resolved', 30],
    ]);
    expect(webhook.sent[0]).toEqual({
      text: '[FIRING] ProjectionLagHigh: projection orders_read is 13 s behind (threshold 10 s, 37 events waiting) on orders-1:4211:ab12cd',
      status: 'firing',
      alert: 'ProjectionLagHigh',
      projection: 'orders_read',
      lagMs: 12_840,
      thresholdMs: 10_000,
      eventsBehind: 37,
      instance: 'orders-1:4211:ab12cd',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(webhook.sent[1].text).toBe(
      '[RESOLVED] ProjectionLagHigh: projection orders_read is back under the threshold (lag 42 ms, threshold 10 s) on orders-1:4211:ab12cd',
    );
  });

  it('never waits for the webhook: a check returns while the webhook does not answer', async () => {
    let lag = 20_000;
    let posts = 0;
    const hanging = new AlertWebhook(
      { alertWebhookUrl: 'http://127.0.0.1:1/hook' },
      { fetch: () => (posts++, new Promise<Response>(() => undefined)), timeoutMs: 60_000 },
    );
    const m = monitor(() => [status('orders_read', lag)], hanging);
    expect(await m.check()).toHaveLength(1);
    lag = 0;
    expect(await m.check()).toHaveLength(1);
    expect(posts).toBe(1);
    hanging.onApplicationShutdown();
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
