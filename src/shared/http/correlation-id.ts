/**
 * The request id, also the correlation id of the domain events a request's command appends: the
 * caller's `X-Correlation-Id` (or `X-Request-Id`) when it is a short token of safe characters,
 * otherwise a new UUID. It is assigned once per request (`req.id`, by `assignRequestId`, the first
 * middleware), echoed in the response header `X-Request-Id` and carried by every log line of the
 * request, so one id joins the response, the logs and the events.
 */
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'X-Request-Id';

const SAFE = /^[A-Za-z0-9._:-]{1,128}$/;

/** What correlationIdOf needs of a request; `id` is where the assigned id is kept. */
export interface IdentifiableRequest {
  headers: IncomingHttpHeaders;
  id?: unknown;
}

/** The request's correlation id (see correlationIdOf). */
export const CorrelationId = createParamDecorator((_: unknown, ctx: ExecutionContext): string =>
  correlationIdOf(ctx.switchToHttp().getRequest<Request>()),
);

/** The id assigned to this request; assigns one (caller's safe id or a new UUID) if none yet. */
export function correlationIdOf(req: IdentifiableRequest): string {
  if (typeof req.id === 'string' && req.id !== '') return req.id;
  const id = callerIdOf(req.headers) ?? randomUUID();
  req.id = id;
  return id;
}

function callerIdOf(headers: IncomingHttpHeaders): string | undefined {
  for (const name of ['x-correlation-id', 'x-request-id']) {
    const value = headers[name];
    if (typeof value === 'string' && SAFE.test(value)) return value;
  }
  return undefined;
}

/** Express middleware (mounted first): assigns the request id and echoes it as X-Request-Id. */
export function assignRequestId(req: Request, res: Response, next: NextFunction): void {
  res.setHeader(REQUEST_ID_HEADER, correlationIdOf(req));
  next();
}
