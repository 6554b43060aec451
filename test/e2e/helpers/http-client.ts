/**
 * A minimal HTTP client over a real TCP port for e2e tests that need true concurrency (hundreds
 * of requests in flight at once, each on its own connection), which supertest's per-request
 * ephemeral servers do not give. `listen` binds the test app to an ephemeral port on 127.0.0.1.
 */
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';

export interface HttpAnswer {
  status: number;
  /** Parsed JSON body, or the raw text when it is not JSON, or null when empty. */
  body: unknown;
  text: string;
  headers: Headers;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

/** Binds the app to a free port (the listen backlog is raised so 1,000 connects are not reset). */
export async function listen(app: INestApplication): Promise<string> {
  const server = app.getHttpServer() as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('the app is not listening on TCP');
  return `http://127.0.0.1:${addr.port}`;
}

export async function call(
  base: string,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  if (opts.idempotencyKey !== undefined) headers['idempotency-key'] = opts.idempotencyKey;
  let payload: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(opts.body);
  }
  const res = await fetch(`${base}${path}`, { method, headers, body: payload });
  const text = await res.text();
  let body: unknown = null;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: res.status, body, text, headers: res.headers };
}

/** Counts of each status code, e.g. `{ 202: 100, 409: 900 }`, for readable assertion failures. */
export function statusCounts(answers: readonly HttpAnswer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}
