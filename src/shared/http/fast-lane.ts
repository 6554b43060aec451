/**
 * The fast lane: cached GET answers served in front of the HTTP framework.
 *
 * A cache hit needs little: the caller's identity, one cache read and a string written. Through
 * Express and Nest it also paid for Express' request set-up and router, the middleware chain, the
 * guard and interceptor pipeline and the reply; in a profile of a cached `GET /api/orders/:id`
 * that was most of the time. So the HTTP server's request listener is wrapped: a request for a
 * registered cached route (CachedRoutes) is first offered to that route's cache-only answer, and
 * only what it declines goes on to the application.
 *
 * The lane answers a request only when the application would answer it with exactly that:
 * - only `GET` of a registered path, without a query string, a body, `If-None-Match` (Express
 *   answers 304 itself) or `X-Consistency-Token` (that request waits for the read model);
 * - only with a valid bearer token, verified by the global AuthGuard's own TokenVerifier; no
 *   token, a bad one or an expired one goes to the application and gets its 401;
 * - only when the route's cache-only answer has one (cached and visible to this caller).
 * Its response has what the application's has: `X-Request-Id` (correlation-id.ts), the security
 * headers (the same recorded helmet set), `Content-Type: application/json; charset=utf-8`, the
 * ETag Express would compute, and the request line in the log (request-line.ts).
 *
 * A route's cache-only answer goes through the QueryBus, so the query metrics count it; a request
 * the lane declines is counted twice (its cache-only look, then the application's query).
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Logger as Pino } from 'pino';
import { TokenError, type Principal } from '../auth/jwt.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { CachedRoutes } from '../cache/cached-routes.js';
import { correlationIdOf, REQUEST_ID_HEADER } from './correlation-id.js';
import { JSON_CONTENT_TYPE, type JsonAnswer } from './json-answer.js';
import { applySecurityHeaders, type SecurityHeaderSet } from './security-headers.js';
import { logRequestLine } from '../logging/request-line.js';

export interface FastLaneOptions {
  routes: CachedRoutes;
  /** The AuthGuard's token verifier (same keys, issuer, audience, algorithms, claims). */
  verifier: TokenVerifier;
  /** The security headers every response carries (security-headers.ts). */
  headers: SecurityHeaderSet;
  /** The root JSON logger, when the application writes request lines. */
  log?: Pino;
}

/** The principal of a `Bearer` authorization header, as the AuthGuard derives it; else undefined. */
export async function bearerPrincipal(
  header: string | undefined,
  verifier: TokenVerifier,
): Promise<Principal | undefined> {
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return undefined;
  try {
    return await verifier.verify(header.slice(7).trim());
  } catch (e) {
    if (e instanceof TokenError) return undefined;
    throw e;
  }
}

/** Whether the lane may consider the request at all (cheap checks, no I/O). */
function eligible(req: IncomingMessage): boolean {
  const h = req.headers;
  return (
    req.method === 'GET' &&
    req.url !== undefined &&
    !req.url.includes('?') &&
    h['x-consistency-token'] === undefined &&
    h['if-none-match'] === undefined &&
    h['content-length'] === undefined &&
    h['transfer-encoding'] === undefined &&
    h.authorization !== undefined
  );
}

function send(req: IncomingMessage, res: ServerResponse, answer: JsonAnswer, options: FastLaneOptions): void {
  if (options.log) logRequestLine(options.log, req, res);
  res.statusCode = 200;
  res.setHeader(REQUEST_ID_HEADER, correlationIdOf(req));
  applySecurityHeaders(options.headers, res);
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(answer.json, 'utf8'));
  res.setHeader('ETag', answer.etag);
  res.end(answer.json);
}

/**
 * Wraps the server's one request listener (the application) with the lane. Call once, after the
 * application is initialized and before it listens.
 */
export function installFastLane(server: Server, options: FastLaneOptions): void {
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length !== 1)
    throw new Error(`fast lane: expected one request listener, found ${listeners.length}`);
  const [application] = listeners;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const match = eligible(req) ? options.routes.match(req.url as string) : undefined;
    if (!match) {
      application(req, res);
      return;
    }
    bearerPrincipal(req.headers.authorization, options.verifier)
      .then((viewer) => (viewer ? match.route.answer(match.param, viewer) : undefined))
      .then(
        (answer) => (answer ? send(req, res, answer, options) : application(req, res)),
        () => application(req, res),
      )
      .catch((e: unknown) => res.destroy(e instanceof Error ? e : new Error(String(e))));
  });
}
