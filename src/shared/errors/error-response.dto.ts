import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ErrorBody } from './http-exception.filter.js';

/** The one error shape of the API (rendered by HttpExceptionFilter), as an OpenAPI schema. */
export class ErrorResponseDto implements ErrorBody {
  @ApiProperty({ example: 409, description: 'The HTTP status, repeated in the body.' })
  statusCode!: number;

  @ApiProperty({
    example: 'ORDERS.VERSION_CONFLICT',
    description: 'A stable, machine-readable code: <CONTEXT>.<REASON> (e.g. REQUEST.VALIDATION_FAILED).',
  })
  code!: string;

  @ApiProperty({ example: 'Expected version 3 but the order is at version 4' })
  message!: string;

  @ApiPropertyOptional({
    description:
      'Optional context: for REQUEST.VALIDATION_FAILED the failing fields, `[{ field, errors: string[] }]`.',
    oneOf: [
      { type: 'object', additionalProperties: true },
      { type: 'array', items: {} },
    ],
  })
  details?: unknown;
}
