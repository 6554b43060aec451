/**
 * Turns the service's OpenAPI document (GET /docs-json) into the list of operations the HTTP fuzzer
 * sends requests to: method, path template, path and query parameters, the JSON body schema with
 * every `$ref` resolved, and whether the operation needs a bearer token. New endpoints are fuzzed
 * without touching the fuzzer, as long as they are documented.
 */

/** The subset of JSON Schema that @nestjs/swagger emits and the fuzzer reads. */
export interface JsonSchema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}

export interface ParamSpec {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface FuzzOperation {
  /** e.g. "POST /api/customers/{id}/addresses" */
  id: string;
  method: string;
  path: string;
  pathParams: ParamSpec[];
  queryParams: ParamSpec[];
  body?: JsonSchema;
  secured: boolean;
}

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Inlines `#/components/schemas/X` references (a cycle is cut to `{ type: 'object' }`). */
function resolve(
  schema: JsonSchema,
  doc: OpenApiDocument,
  seen: ReadonlySet<string> = new Set(),
): JsonSchema {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (!target || seen.has(name)) return { type: 'object' };
    return resolve(target, doc, new Set([...seen, name]));
  }
  const out: JsonSchema = { ...schema };
  if (schema.properties)
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([k, v]) => [k, resolve(v, doc, seen)]),
    );
  if (schema.items) out.items = resolve(schema.items, doc, seen);
  for (const key of ['oneOf', 'allOf', 'anyOf'] as const) {
    const list = schema[key];
    if (list) out[key] = list.map((s) => resolve(s, doc, seen));
  }
  return out;
}

export function operationsFrom(doc: OpenApiDocument): FuzzOperation[] {
  const ops: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const params = (op.parameters ?? []).map((p) => ({
        in: p.in,
        spec: { name: p.name, required: p.required ?? p.in === 'path', schema: resolve(p.schema ?? {}, doc) },
      }));
      const body = op.requestBody?.content?.['application/json']?.schema;
      ops.push({
        id: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.spec),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.spec),
        body: body ? resolve(body, doc) : undefined,
        secured: (op.security ?? []).length > 0,
      });
    }
  }
  return ops;
}
