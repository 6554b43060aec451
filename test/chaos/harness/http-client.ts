/**
 * The chaos suite's HTTP client: a command is sent with its own Idempotency-Key (also its
 * X-Correlation-Id, so its events can be found in the log) and, on a network error, a refused
 * connection, a 5xx or 409 IDEMPOTENCY.IN_PROGRESS, sent again with the SAME key and body (bounded
 * backoff, to any live instance) until it gets a definitive answer or the retry budget is spent.
 */
import { signToken, type Principal } from '../../../src/shared/auth/jwt.js';
import { CHAOS_JWT_SECRET } from './secret.js';

export interface CommandRequest {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body: unknown;
  token: string;
  key: string;
}

export type Outcome = 'acknowledged' | 'rejected' | 'unresolved';

export interface CommandAnswer {
  outcome: Outcome;
  status: number;
  body: Record<string, unknown>;
  attempts: number;
  /** Answers that made us send again (network errors, 5xx, in progress), for the report. */
  retriedOn: string[];
}

export function tokenFor(principal: Principal): string {
  return signToken(principal, CHAOS_JWT_SECRET, 24 * 3600);
}

export const adminToken = (): string => tokenFor({ sub: 'chaos-admin', role: 'admin' });
export const customerToken = (customerId: string): string =>
  tokenFor({ sub: customerId, role: 'customer', customerId });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ATTEMPT_TIMEOUT_MS = 40_000;

/** Picks the base URL for each attempt (round robin over the instances). */
export type EndpointPicker = (attempt: number) => string;

function parseBody(text: string): Record<string, unknown> {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { raw: text.slice(0, 200) };
  }
}

function retryable(status: number, body: Record<string, unknown>): boolean {
  return status >= 500 || (status === 409 && body.code === 'IDEMPOTENCY.IN_PROGRESS');
}

export async function sendCommand(
  pick: EndpointPicker,
  req: CommandRequest,
  budgetMs: number,
): Promise<CommandAnswer> {
  const deadline = Date.now() + budgetMs;
  const retriedOn: string[] = [];
  let backoff = 50;
  for (let attempt = 1; ; attempt++) {
    let status = 0;
    let body: Record<string, unknown> = {};
    try {
      const res = await fetch(pick(attempt) + req.path, {
        method: req.method,
        headers: {
          authorization: `Bearer ${req.token}`,
          'content-type': 'application/json',
          'idempotency-key': req.key,
          'x-correlation-id': req.key,
        },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      status = res.status;
      body = parseBody(await res.text());
      if (!retryable(status, body))
        return {
          outcome: status >= 200 && status < 300 ? 'acknowledged' : 'rejected',
          status,
          body,
          attempts: attempt,
          retriedOn,
        };
      retriedOn.push(`${status}${typeof body.code === 'string' ? ' ' + body.code : ''}`);
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      retriedOn.push(cause ?? (e instanceof Error ? e.name : 'error'));
    }
    if (Date.now() + backoff > deadline)
      return { outcome: 'unresolved', status, body, attempts: attempt, retriedOn };
    await sleep(backoff);
    backoff = Math.min(2_000, backoff * 2);
  }
}

/** A query (GET): one try, its status (0 = network error); queries are load, not checked here. */
export async function sendQuery(baseUrl: string, path: string, token: string): Promise<number> {
  try {
    const res = await fetch(baseUrl + path, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
