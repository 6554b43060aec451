/**
 * Documents the command rate limit in the OpenAPI document: every POST/PUT/PATCH/DELETE operation
 * gets a 429 response (ErrorResponseDto, code RATE_LIMITED) with its Retry-After header. Applied
 * to the generated document by bootstrap.ts when the limit is on.
 */
import type { OpenAPIObject } from '@nestjs/swagger';

const COMMAND_OPERATIONS = ['post', 'put', 'patch', 'delete'] as const;

export function documentRateLimit(doc: OpenAPIObject, limit: number, windowMs: number): OpenAPIObject {
  if (limit === 0) return doc;
  for (const item of Object.values(doc.paths)) {
    for (const method of COMMAND_OPERATIONS) {
      const op = item[method];
      if (!op || op.responses['429']) continue;
      op.responses['429'] = {
        description: `Rate limited (RATE_LIMITED): more than ${limit} commands in ${windowMs / 1000} s from this caller; the command did not run`,
        headers: {
          'Retry-After': {
            description: 'Seconds until a command is accepted again',
            schema: { type: 'integer' },
          },
        },
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } },
      };
    }
  }
  return doc;
}
