/**
 * Security headers on every response (helmet), API, health, errors and the docs alike, mounted
 * before everything else. helmet's default Content-Security-Policy (`script-src 'self'`, inline
 * styles allowed) already fits the Swagger UI at /docs: @nestjs/swagger serves its scripts as
 * same-origin files (no inline script), so no route needs a relaxed policy (see below). HSTS is sent as
 * helmet's default (browsers ignore it over plain http). `X-Powered-By` is removed here and by
 * `app.disable('x-powered-by')` in bootstrap.ts.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export function securityHeaders(): RequestHandler {
  return helmet({
    // helmet's defaults, less upgrade-insecure-requests: the service speaks plain http behind a TLS
    // terminator (and on localhost), where upgrading /docs' own scripts to https would break it.
    contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } },
    // JSON API: nothing may frame it or be loaded from elsewhere.
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  }) as RequestHandler;
}
