import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { AlertWebhook, type AlertWebhookOptions, type WebhookAlert } from './alert-webhook.js';

const URL_WITH_SECRET = 'https://hooks.example.com/services/T000/B000/SECRETPATH';

function alert(status: WebhookAlert['status'], n = 1): WebhookAlert {
  return {
    text: `[${status.toUpperCase()}] ProjectionLagHigh #${n}`,
    status,
    alert: 'ProjectionLagHigh',
    projection: 'orders_read',
    lagMs: 12_000,
    seq: n,
    instance: 'orders-1',
    at: '2026-12-08T10:00:00.000Z',
  };
}

interface Call {
  url: string;
  init: RequestInit;
  at: number;
}

/** A fetch answering from `script` in turn (a status, 'hang' until aborted, or an error); then 200. */
function scripted(script: (number | 'hang' | Error)[]): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fake = (url: URL, init: RequestInit): Promise<Response> => {
    calls.push({ url: String(url), init, at: Date.now() });
    const step = script.shift() ?? 200;
    if (step instanceof Error) return Promise.reject(step);
    if (step === 'hang')
      return new Promise<Response>((_, reject) =>
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    const headers = step === 429 ? { 'retry-after': '1' } : undefined;
    return Promise.resolve(new Response(step === 204 ? null : 'ok', { status: step, headers }));
  };
  return { fetch: fake as unknown as typeof fetch, calls };
}

function webhook(options: Partial<AlertWebhookOptions>): AlertWebhook {
  return new AlertWebhook(
    { alertWebhookUrl: URL_WITH_SECRET },
    { attempts: 3, backoffMs: 20, maxBackoffMs: 200, timeoutMs: 1000, ...options },
  );
}

describe('AlertWebhook', () => {
  let warnings: string[];
  beforeEach(() => {
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((m: unknown) => void warnings.push(String(m)));
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('without ALERT_WEBHOOK_URL sends nothing', async () => {
    const { fetch, calls } = scripted([]);
    const w = new AlertWebhook({ alertWebhookUrl: undefined }, { fetch });
    expect(w.enabled).toBe(false);
    expect(w.send(alert('firing'))).toBe(false);
    await w.idle();
    expect(calls).toHaveLength(0);
  });

  it('POSTs the alert as JSON, once', async () => {
    const { fetch, calls } = scripted([204]);
    const w = webhook({ fetch });
    expect(w.send(alert('firing'))).toBe(true);
    await w.idle();
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe(URL_WITH_SECRET);
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].init.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(String(calls[0].init.body))).toEqual(alert('firing'));
    expect(warnings).toEqual([]);
  });

  it('retries 5xx, timeouts and connection errors with a doubling backoff, then stops after the last try', async () => {
    const { fetch, calls } = scripted([500, 503, 'hang', new TypeError('fetch failed'), 502]);
    const w = webhook({ fetch, attempts: 3, timeoutMs: 50 });
    w.send(alert('firing', 1));
    w.send(alert('resolved', 2));
    await w.idle();
    // Alert 1: 500, 503, timeout (3 tries: given up). Alert 2: connection error, 502, then 200.
    expect(calls.map((c) => JSON.parse(String(c.init.body)).text)).toEqual([
      '[FIRING] ProjectionLagHigh #1',
      '[FIRING] ProjectionLagHigh #1',
      '[FIRING] ProjectionLagHigh #1',
      '[RESOLVED] ProjectionLagHigh #2',
      '[RESOLVED] ProjectionLagHigh #2',
      '[RESOLVED] ProjectionLagHigh #2',
    ]);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(18);
    expect(calls[2].at - calls[1].at).toBeGreaterThanOrEqual(38);
    const events = warnings.map((w) => JSON.parse(w) as Record<string, unknown>);
    expect(events.map((e) => [e.event, e.status, e.attempt, e.reason])).toEqual([
      ['alert.webhook.retry', 'firing', 1, 'HTTP 500'],
      ['alert.webhook.retry', 'firing', 2, 'HTTP 503'],
      ['alert.webhook.failed', 'firing', 3, 'no answer within 50 ms'],
      ['alert.webhook.retry', 'resolved', 1, expect.stringContaining('fetch failed')],
      ['alert.webhook.retry', 'resolved', 2, 'HTTP 502'],
    ]);
    // The warnings name the host, never the URL's path (its credential).
    expect(events[0].target).toBe('hooks.example.com');
    expect(warnings.join('\n')).not.toContain('SECRETPATH');
  });

  it('does not retry a 4xx other than 408 and 429', async () => {
    const { fetch, calls } = scripted([404]);
    const w = webhook({ fetch });
    w.send(alert('firing'));
    await w.idle();
    expect(calls).toHaveLength(1);
    expect(JSON.parse(warnings[0])).toMatchObject({ event: 'alert.webhook.failed', reason: 'HTTP 404' });
  });

  it('waits as long as a 429 Retry-After asks, up to the backoff cap', async () => {
    const { fetch, calls } = scripted([429]);
    const w = webhook({ fetch, backoffMs: 10, maxBackoffMs: 150 });
    w.send(alert('firing'));
    await w.idle();
    expect(calls).toHaveLength(2);
    // Retry-After: 1 (s) is capped at maxBackoffMs.
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(140);
    expect(calls[1].at - calls[0].at).toBeLessThan(900);
  });

  it('never throws to its caller, even when fetch itself throws', async () => {
    const fetch = (() => {
      throw new Error('boom');
    }) as unknown as typeof globalThis.fetch;
    const w = webhook({ fetch, attempts: 2, backoffMs: 1 });
    expect(w.send(alert('firing'))).toBe(true);
    await w.idle();
    expect(warnings.map((s) => JSON.parse(s).event)).toEqual(['alert.webhook.retry', 'alert.webhook.failed']);
  });

  it('keeps at most maxQueued alerts waiting, dropping the oldest; shutdown abandons the rest', async () => {
    const { fetch, calls } = scripted(['hang']);
    const w = webhook({ fetch, maxQueued: 2, timeoutMs: 60_000 });
    for (let n = 1; n <= 4; n++) w.send(alert('firing', n));
    // #1 is in flight; #2 was dropped for #4.
    expect(warnings.map((s) => JSON.parse(s))).toEqual([
      expect.objectContaining({ event: 'alert.webhook.dropped', seq: 2, reason: 'queue full' }),
    ]);
    w.onApplicationShutdown();
    await w.idle();
    expect(calls).toHaveLength(1);
    expect(w.send(alert('resolved'))).toBe(false);
  });
});
