/**
 * Security headers on every response (helmet), API, health, errors and the docs alike, mounted
 * before everything else. helmet's default Content-Security-Policy (`script-src 'self'`, inline
 * styles allowed) already fits the Swagger UI at /docs: @nestjs/swagger serves its scripts as
 * same-origin files (no inline script), so no route needs a relaxed policy (see below). HSTS is sent as
 * helmet's default (browsers ignore it over plain http). `X-Powered-By` is removed here and by
 * `app.disable('x-powered-by')` in bootstrap.ts.
 *
 * With these options every header helmet writes is a constant (no nonce, nothing read from the
 * request), so helmet runs once, at start-up, against a recording response, and each request gets
 * the recorded headers in one loop instead of helmet's chain of a dozen middlewares.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/** The helmet middleware with this service's options. */
export function configuredHelmet(): (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void {
  return helmet({
    // helmet's defaults, less upgrade-insecure-requests: the service speaks plain http behind a TLS
    // terminator (and on localhost), where upgrading /docs' own scripts to https would break it.
    contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } },
    // JSON API: nothing may frame it or be loaded from elsewhere.
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

export interface SecurityHeaderSet {
  /** Headers to set, in helmet's order. */
  set: ReadonlyArray<readonly [string, string]>;
  /** Headers to remove (X-Powered-By). */
  remove: readonly string[];
}

/** What helmet does to a response, recorded once. Throws if helmet ever needs the request. */
export function recordSecurityHeaders(): SecurityHeaderSet {
  const set = new Map<string, string>();
  const remove = new Set<string>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]): void {
      remove.delete(name.toLowerCase());
      set.set(name, Array.isArray(value) ? value.join(', ') : String(value));
    },
    removeHeader(name: string): void {
      for (const k of set.keys()) if (k.toLowerCase() === name.toLowerCase()) set.delete(k);
      remove.add(name.toLowerCase());
    },
    getHeader: (): undefined => undefined,
  };
  let finished = false;
  configuredHelmet()({ headers: {} } as IncomingMessage, recorder as unknown as ServerResponse, (err) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously: its headers cannot be recorded');
  return { set: [...set.entries()], remove: [...remove] };
}

/** Applies a recorded header set to a response. */
export function applySecurityHeaders(headers: SecurityHeaderSet, res: ServerResponse): void {
  for (const [name, value] of headers.set) res.setHeader(name, value);
  for (const name of headers.remove) res.removeHeader(name);
}

export function securityHeaders(headers: SecurityHeaderSet = recordSecurityHeaders()): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction): void => {
    applySecurityHeaders(headers, res);
    next();
  };
}
