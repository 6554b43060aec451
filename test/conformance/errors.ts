/**
 * The two ways a test fails, kept apart so the report can tell "the server behaved differently"
 * from "the runner could not run this test".
 */

/** An expectation of the test was not met (result, error, events, outcome). */
export class AssertionFailure extends Error {
  override readonly name = 'AssertionFailure';
}

/**
 * The runner cannot do what the test asks: an operation, argument, entity type or special operator
 * it does not implement, or a malformed test. Never satisfies an `expectError`.
 */
export class RunnerError extends Error {
  override readonly name = 'RunnerError';
}

/** A test (or its cleanup) ran longer than its time budget. */
export class TestTimeoutError extends Error {
  override readonly name = 'TestTimeoutError';
}

/** Rejects with TestTimeoutError when `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TestTimeoutError(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
