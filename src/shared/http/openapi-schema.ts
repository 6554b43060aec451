/** Small builders for inline OpenAPI schemas of query responses (the responses are interfaces). */
import type { ApiResponseSchemaHost } from '@nestjs/swagger';

/** @nestjs/swagger's SchemaObject (its interface module is not exported). */
export type SchemaObject = ApiResponseSchemaHost['schema'];

export const str = (description?: string): SchemaObject => ({
  type: 'string',
  ...(description ? { description } : {}),
});
export const money = (): SchemaObject => ({ type: 'string', description: 'Exact decimal', example: '54.57' });
export const dateTime = (): SchemaObject => ({ type: 'string', format: 'date-time' });
export const int = (): SchemaObject => ({ type: 'integer' });
export const num = (): SchemaObject => ({ type: 'number' });
export const bool = (): SchemaObject => ({ type: 'boolean' });
export const nullable = (s: SchemaObject): SchemaObject => ({ ...s, nullable: true });
export const oneOf = (values: readonly string[]): SchemaObject => ({ type: 'string', enum: [...values] });
export const arrayOf = (items: SchemaObject): SchemaObject => ({ type: 'array', items });

/** An object whose listed properties are all required unless named in `optional`. */
export function obj(properties: Record<string, SchemaObject>, optional: string[] = []): SchemaObject {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
  };
}

export const PAGINATION_SCHEMA = obj({ total: int(), limit: int(), offset: int(), pages: int() });
