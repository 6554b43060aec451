import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';

const SAFE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's correlation id (see correlationIdOf). */
export const CorrelationId = createParamDecorator((_: unknown, ctx: ExecutionContext): string =>
  correlationIdOf(ctx.switchToHttp().getRequest<Request>()),
);

/**
 * The caller's `X-Correlation-Id` (or `X-Request-Id`) when it is a short token of safe
 * characters, otherwise a new UUID. Every event a command appends carries it.
 */
export function correlationIdOf(req: Pick<Request, 'headers'>): string {
  for (const name of ['x-correlation-id', 'x-request-id']) {
    const value = req.headers[name];
    if (typeof value === 'string' && SAFE.test(value)) return value;
  }
  return randomUUID();
}
