/**
 * Load shedding, the shared part: the 503 a command gets when it cannot START within its budget
 * (SERVICE.UNAVAILABLE with Retry-After, like every 503: the client retries, with the same
 * Idempotency-Key), and the budget itself, carried with the request (AsyncLocalStorage) from the
 * admission (command-admission.ts) to every queue the command waits in later (KeyedMutex).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { AppError } from '../errors/app-error.js';
import { SERVICE_UNAVAILABLE } from '../errors/database-unavailable.js';

/** The service refused to queue a command (full queue, or its start budget ran out). */
export class OverloadedError extends AppError {
  constructor(message: string) {
    super(SERVICE_UNAVAILABLE, 503, message);
    this.name = 'OverloadedError';
  }
}

export const overloaded = (what: string): OverloadedError =>
  new OverloadedError(`The service is at capacity (${what}); retry shortly (same Idempotency-Key)`);

const budget = new AsyncLocalStorage<{ deadline: number }>();

/** Runs `fn` with a start deadline (epoch ms) that the queues it waits in respect. */
export function withStartDeadline<T>(deadline: number, fn: () => T): T {
  return budget.run({ deadline }, fn);
}

/** The current request's start deadline (epoch ms), or undefined outside a budgeted request. */
export function startDeadline(): number | undefined {
  return budget.getStore()?.deadline;
}
