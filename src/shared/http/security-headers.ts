/**
 * Security headers on every response (helmet), API, health, errors and the docs alike, mounted
 * before everything else. helmet's default Content-Security-Policy (`script-src 'self'`, inline
 * styles allowed) already fits the Swagger UI at /docs: @nestjs/swagger serves its scripts as
 * same-origin files (no inline script), so no route needs a relaxed policy. HSTS is sent as
 * helmet's default (browsers ignore it over plain http). `X-Powered-By` is removed here and by
 * `app.disable('x-powered-by')` in bootstrap.ts.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export function securityHeaders(): RequestHandler {
  return helmet({
    // JSON API: nothing may frame it or be loaded from elsewhere.
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  }) as RequestHandler;
}
