/**
 * The projection-lag alert reaches a person: with ALERT_WEBHOOK_URL, the lag monitor POSTs one
 * `firing` alert per projection when its lag goes above PROJECTION_LAG_THRESHOLD_MS and one
 * `resolved` when it comes back, nothing while the state holds, each flap again; a 500 answer is
 * retried; the webhook's secret path never reaches a log line. Without ALERT_WEBHOOK_URL nothing is
 * sent. The receiver is a local HTTP server.
 *
 * Lag is made the way operations.e2e-spec.ts makes it: the resync streams are stopped and an
 * event committed 5 s ago is put in the event log, where nothing applies it; removing it stands in
 * for the projection catching up.
 */
import { jest } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertWebhook, type WebhookAlert } from '../../src/shared/health/alert-webhook.js';
import { LagMonitor } from '../../src/shared/health/lag-monitor.js';
import { ProjectionRuntime } from '../../src/shared/projections/projection-runtime.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';
import { insertWaitingEvent } from './helpers/waiting-event.js';

const SECRET = 'B000SECRETPATH';

interface Received {
  answered: number;
  method?: string;
  path?: string;
  contentType?: string;
  body: WebhookAlert;
}

interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** A webhook receiver on a free port answering `answers` in turn, then 200. */
async function receiver(answers: number[]): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = answers.shift() ?? 200;
      received.push({
        answered,
        method: req.method,
        path: req.url,
        contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookAlert,
      });
      res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered === 200 ? 'ok' : 'oops');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/${SECRET}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function waitFor(
  probe: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops applying events and commits one 5 s ago that waits: orders_read's lag is > 1 s at once. */
async function stall(t: TestApp): Promise<() => Promise<void>> {
  return insertWaitingEvent(t.app, 'lag-alert-webhook');
}

describe('lag alert webhook', () => {
  let hook: Receiver;
  let t: TestApp;
  const logs: string[] = [];

  beforeAll(async () => {
    hook = await receiver([500]);
    t = await startTestApp(
      { PROJECTION_LAG_THRESHOLD_MS: '1000', ALERT_WEBHOOK_URL: hook.url, LOG_LEVEL: 'warn' },
      { logs: { write: (s: string) => void logs.push(s) } },
    );
    await t.settled();
    await t.app.get(ProjectionRuntime).stopResync();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await hook?.close();
  });

  const monitor = (): LagMonitor => t.app.get(LagMonitor);
  const webhook = (): AlertWebhook => t.app.get(AlertWebhook);
  /** The alerts the receiver accepted (200) for orders_read, as status list. */
  const accepted = (): string[] =>
    hook.received
      .filter((r) => r.answered === 200 && r.body.projection === 'orders_read')
      .map((r) => r.body.status);
  /** Runs checks until orders_read's `status` alert was accepted `count` times in all. */
  async function untilAccepted(statuses: string[]): Promise<void> {
    await waitFor(
      async () => {
        await monitor().check();
        await webhook().idle();
        return accepted().length >= statuses.length;
      },
      `alerts ${statuses.join(', ')}`,
    );
    expect(accepted()).toEqual(statuses);
  }

  it('POSTs one firing alert when the lag crosses the threshold, retrying after a 500 answer', async () => {
    const recover = await stall(t);
    await untilAccepted(['firing']);

    // The first POST got 500 and the same alert came again.
    expect(hook.received[0].answered).toBe(500);
    expect(hook.received[1].body).toEqual(hook.received[0].body);
    const firing = hook.received.find((r) => r.answered === 200 && r.body.projection === 'orders_read')!;
    expect(firing.method).toBe('POST');
    expect(firing.path).toBe(`/services/T000/${SECRET}`);
    expect(firing.contentType).toBe('application/json');
    expect(firing.body).toEqual({
      text: expect.stringMatching(
        /^\[FIRING\] ProjectionLagHigh: projection orders_read is \d+(\.\d)? s behind \(threshold 1\.0 s, 1 events waiting\) on /,
      ),
      status: 'firing',
      alert: 'ProjectionLagHigh',
      projection: 'orders_read',
      lagMs: expect.any(Number),
      thresholdMs: 1000,
      eventsBehind: 1,
      instance: t.app.get(ProjectionRuntime).options.instanceId,
      at: expect.any(String),
    });
    expect(firing.body.lagMs).toBeGreaterThanOrEqual(5_000);

    // The retry was a structured warning naming the host only.
    const retry = logs
      .map((s) => JSON.parse(s) as { context?: string; msg: string })
      .filter((l) => l.context === 'AlertWebhook')
      .map((l) => JSON.parse(l.msg) as Record<string, unknown>)
      .find((m) => m.event === 'alert.webhook.retry');
    expect(retry).toMatchObject({ reason: 'HTTP 500', attempt: 1, target: new URL(hook.url).host });
    expect(logs.join('\n')).not.toContain(SECRET);

    // No repeat while the lag stays high.
    const posts = hook.received.length;
    for (let i = 0; i < 3; i++) await monitor().check();
    await webhook().idle();
    expect(hook.received.length).toBe(posts);

    await recover();
  }, 60_000);

  it('POSTs one resolved alert when it recovers, and a flap brings one firing and one resolved more', async () => {
    await untilAccepted(['firing', 'resolved']);
    const resolved = hook.received.filter((r) => r.body.projection === 'orders_read').at(-1)!;
    expect(resolved.body).toMatchObject({ status: 'resolved', alert: 'ProjectionLagHigh', lagMs: 0 });
    expect(resolved.body.text).toMatch(
      /^\[RESOLVED\] ProjectionLagHigh: projection orders_read is back under/,
    );

    const recover = await stall(t);
    await untilAccepted(['firing', 'resolved', 'firing']);
    await recover();
    await untilAccepted(['firing', 'resolved', 'firing', 'resolved']);

    // Nothing more once it is over; every projection that lagged got exactly the same sequence.
    for (let i = 0; i < 3; i++) await monitor().check();
    await webhook().idle();
    const byProjection = new Map<string, string[]>();
    for (const r of hook.received.filter((r) => r.answered === 200))
      byProjection.set(r.body.projection as string, [
        ...(byProjection.get(r.body.projection as string) ?? []),
        r.body.status,
      ]);
    for (const [projection, statuses] of byProjection)
      expect([projection, statuses]).toEqual([projection, ['firing', 'resolved', 'firing', 'resolved']]);
  }, 60_000);
});

describe('lag alert webhook: ALERT_WEBHOOK_URL unset', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ PROJECTION_LAG_THRESHOLD_MS: '1000' });
    await t.settled();
    await t.app.get(ProjectionRuntime).stopResync();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('the lag monitor still warns, and nothing is POSTed anywhere', async () => {
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    try {
      await stall(t);
      // The monitor's own timer may see the crossing first: wait for the state, not a check's result.
      const monitor = t.app.get(LagMonitor);
      await waitFor(async () => {
        await monitor.check();
        return monitor.lagging.has('orders_read');
      }, 'the lag warning');
      expect(t.app.get(AlertWebhook).enabled).toBe(false);
      await t.app.get(AlertWebhook).idle();
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  }, 60_000);
});
