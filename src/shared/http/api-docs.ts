/**
 * OpenAPI decorators shared by the controllers, so each route states its documentation in a line or
 * two: `@ApiCommand('Place an order', 400, 403, 404, 409, 422)` on a command (202 + Location +
 * CommandAcceptedDto), `@ApiRead('Get an order', 404)` on a query (200), `@ApiErrors(...)` alone.
 * Every error response references the one ErrorResponseDto schema.
 */
import { applyDecorators, type Type } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../errors/error-response.dto.js';
import { CommandAcceptedDto } from './command-accepted.js';
import type { SchemaObject } from './openapi-schema.js';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422;

const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'Invalid request (REQUEST.VALIDATION_FAILED with the failing fields, REQUEST.MALFORMED_JSON, REQUEST.TOO_DEEP, REQUEST.INVALID_UNICODE, or a context code)',
  401: 'Missing, expired or invalid bearer token (AUTH.UNAUTHORIZED)',
  403: 'The token is valid but its role or customer may not do this (AUTH.FORBIDDEN or a context code)',
  404: 'The resource does not exist (or is not visible to the caller)',
  409: 'Conflict with the current state (version conflict, duplicate, invalid transition)',
  413: 'Request body larger than the configured limit (REQUEST.TOO_LARGE)',
  422: 'The request is well-formed but a business rule rejects it',
};

/** One response per status, each with the ErrorResponseDto schema. */
export function ApiErrors(...statuses: ErrorStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...[...new Set(statuses)].map((status) =>
      ApiResponse({ status, description: ERROR_DESCRIPTIONS[status], type: ErrorResponseDto }),
    ),
  );
}

const LOCATION_HEADER = {
  Location: { description: 'The query URL of the created or changed resource', schema: { type: 'string' } },
};

/**
 * A command route: 202 Accepted with the CommandAcceptedDto body (or `type`) and a Location header,
 * plus 401 (every command needs a token), 413 (body limit) when it takes a body, and `errors`.
 */
export function ApiCommand(
  summary: string,
  errors: ErrorStatus[],
  options: { description?: string; type?: Type<unknown>; body?: boolean } = {},
): MethodDecorator {
  const standard: ErrorStatus[] = options.body === false ? [401] : [401, 413];
  return applyDecorators(
    ApiOperation({ summary, ...(options.description ? { description: options.description } : {}) }),
    ApiAcceptedResponse({
      description: 'Accepted: the command is committed; read models catch up asynchronously',
      type: options.type ?? CommandAcceptedDto,
      headers: LOCATION_HEADER,
    }),
    ApiErrors(...standard, ...errors),
  );
}

/** A query route: 200 with `schema` or `type` (when given) and `errors`. */
export function ApiRead(
  summary: string,
  errors: ErrorStatus[],
  options: { description?: string; type?: Type<unknown>; isArray?: boolean; schema?: SchemaObject } = {},
): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary, ...(options.description ? { description: options.description } : {}) }),
    ApiOkResponse({
      description: 'OK',
      ...(options.schema ? { schema: options.schema } : {}),
      ...(options.type ? { type: options.type, isArray: options.isArray ?? false } : {}),
    }),
    ApiErrors(...errors),
  );
}
