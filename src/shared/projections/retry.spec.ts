import { backoffDelay, withRetry, type RetryPolicy } from './retry.js';

const policy: RetryPolicy = { attempts: 4, baseDelayMs: 100, factor: 2, maxDelayMs: 300 };

describe('backoff', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n))).toEqual([100, 200, 300, 300, 300]);
  });

  it('retries until success, waiting the backoff between tries', async () => {
    const waits: number[] = [];
    let calls = 0;
    const outcome = await withRetry(
      policy,
      async () => {
        calls++;
        if (calls < 3) throw new Error(`fail ${calls}`);
      },
      async (ms) => {
        waits.push(ms);
      },
    );
    expect(outcome).toEqual({ ok: true, attempts: 3 });
    expect(waits).toEqual([100, 200]);
  });

  it('gives up after the bounded number of tries with the last error', async () => {
    const waits: number[] = [];
    let calls = 0;
    const outcome = await withRetry(
      policy,
      async () => {
        calls++;
        throw new Error(`fail ${calls}`);
      },
      async (ms) => {
        waits.push(ms);
      },
    );
    expect(calls).toBe(4);
    expect(waits).toEqual([100, 200, 300]);
    expect(outcome.ok).toBe(false);
    expect(outcome.ok === false && (outcome.error as Error).message).toBe('fail 4');
  });
});
