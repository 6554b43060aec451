/**
 * Bounded exponential backoff for applying one event: attempt, wait base * factor^(n-1) (capped
 * at maxDelayMs), attempt again, up to `attempts` tries in all. The caller dead-letters what is
 * still failing after the last try.
 */
export interface RetryPolicy {
  /** Tries in all (>= 1). */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly factor: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 100,
  factor: 2,
  maxDelayMs: 5_000,
};

/** The wait after failed attempt `n` (1-based). */
export function backoffDelay(policy: RetryPolicy, n: number): number {
  const raw = policy.baseDelayMs * Math.pow(policy.factor, Math.max(0, n - 1));
  return Math.min(policy.maxDelayMs, raw);
}

export type RetryOutcome<T = void> =
  { ok: true; attempts: number; value: T } | { ok: false; attempts: number; error: unknown };

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function withRetry<T = void>(
  policy: RetryPolicy,
  work: () => Promise<T>,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<RetryOutcome<T>> {
  const attempts = Math.max(1, policy.attempts);
  let last: unknown;
  for (let n = 1; n <= attempts; n++) {
    try {
      const value = await work();
      return { ok: true, attempts: n, value };
    } catch (e) {
      last = e;
      if (n < attempts) await wait(backoffDelay(policy, n));
    }
  }
  return { ok: false, attempts, error: last };
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
