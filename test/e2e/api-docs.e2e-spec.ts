/**
 * OpenAPI docs: /docs and /docs-json are public; the document lists every route the app registers
 * (read from the controllers' routing metadata, so a new endpoint without docs fails here), every
 * protected operation requires the bearer scheme, commands document 202 + Location and their
 * errors, and every error response references the one ErrorResponseDto schema.
 */
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import request from 'supertest';
import { IS_PUBLIC } from '../../src/shared/auth/auth.decorators.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }>; headers?: object }>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes?: Record<string, { type: string; scheme?: string }> };
}
interface SchemaObject {
  required?: string[];
  properties?: Record<string, Record<string, unknown>>;
}
interface Route {
  method: string;
  path: string;
  isPublic: boolean;
}

const joinPath = (...parts: string[]): string =>
  '/' +
  parts
    .flatMap((p) => p.split('/'))
    .filter((s) => s.length > 0)
    .map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s))
    .join('/');

/** Every route of every controller the app registered, from Nest's routing metadata. */
function registeredRoutes(t: TestApp): Route[] {
  const routes: Route[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const ctrl = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!ctrl) continue;
      const base = (Reflect.getMetadata(PATH_METADATA, ctrl) as string | undefined) ?? '';
      const classPublic = Reflect.getMetadata(IS_PUBLIC, ctrl) === true;
      const proto = ctrl.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const path = (Reflect.getMetadata(PATH_METADATA, handler) as string | undefined) ?? '';
        routes.push({
          method: RequestMethod[method].toLowerCase(),
          path: joinPath(base, path),
          isPublic: classPublic || Reflect.getMetadata(IS_PUBLIC, handler) === true,
        });
      }
    }
  }
  return routes;
}

describe('API docs', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let routes: Route[];
  beforeAll(async () => {
    t = await startTestApp();
    doc = (await request(t.http).get('/docs-json').expect(200)).body as OpenApiDocument;
    routes = registeredRoutes(t);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('serves the UI at /docs without a token', async () => {
    const res = await request(t.http).get('/docs').redirects(1).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('swagger');
  });

  it('serves the OpenAPI document at /docs-json without a token, with the bearer JWT scheme', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents exactly the routes the app serves', () => {
    expect(routes.length).toBeGreaterThan(30);
    const served = routes.map((r) => `${r.method} ${r.path}`).sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
      .sort();
    expect(documented).toEqual(served);
  });

  it('every protected operation requires the bearer token and documents 401; public ones do not', () => {
    for (const r of routes) {
      const op = doc.paths[r.path]![r.method]!;
      const bearer = (op.security ?? []).some((s) => 'bearer' in s);
      expect({ route: `${r.method} ${r.path}`, bearer }).toEqual({
        route: `${r.method} ${r.path}`,
        bearer: !r.isPublic,
      });
      if (!r.isPublic) expect(Object.keys(op.responses)).toContain('401');
    }
  });

  it('every /api operation has a tag, a summary and a success response', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/')) continue;
      for (const [method, op] of Object.entries(ops) as [
        string,
        Operation & { summary?: string; tags?: string[] },
      ][]) {
        expect({ route: `${method} ${path}`, summary: op.summary, tags: op.tags?.length }).toEqual({
          route: `${method} ${path}`,
          summary: expect.any(String),
          tags: 1,
        });
        expect(Object.keys(op.responses).some((s) => s.startsWith('2'))).toBe(true);
      }
    }
  });

  it('the public /health routes are documented without security', () => {
    expect(doc.paths['/health']?.get).toBeDefined();
    expect(doc.paths['/health']!.get!.security ?? []).toEqual([]);
  });

  it('command routes document 202 with the CommandAcceptedDto and Location, and their errors', () => {
    const commands = routes.filter(
      (r) => r.method !== 'get' && r.path.startsWith('/api/') && !r.path.startsWith('/api/admin'),
    );
    expect(commands.length).toBeGreaterThan(15);
    for (const r of commands) {
      const op = doc.paths[r.path]![r.method]!;
      const accepted = op.responses['202'];
      expect({ route: `${r.method} ${r.path}`, has202: accepted !== undefined }).toEqual({
        route: `${r.method} ${r.path}`,
        has202: true,
      });
      expect(accepted!.headers).toHaveProperty('Location');
      expect(accepted!.content?.['application/json']?.schema?.$ref).toMatch(/^#\/components\/schemas\//);
      expect(Object.keys(op.responses).filter((s) => s.startsWith('4')).length).toBeGreaterThan(1);
    }
    const placeOrder = doc.paths['/api/orders']!.post!;
    expect(placeOrder.responses['202']!.content!['application/json']!.schema!.$ref).toBe(
      '#/components/schemas/CommandAcceptedDto',
    );
    expect(Object.keys(placeOrder.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '413']));
  });

  it('request bodies and query parameters are documented from the validation rules', () => {
    const schemas = (doc.components as { schemas: Record<string, SchemaObject> }).schemas;
    const placeOrder = doc.paths['/api/orders']!.post! as Operation & {
      requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
    };
    expect(placeOrder.requestBody!.content['application/json']!.schema.$ref).toBe(
      '#/components/schemas/PlaceOrderRequestDto',
    );
    const body = schemas.PlaceOrderRequestDto!;
    expect(body.required).toEqual(expect.arrayContaining(['items', 'shippingAddressId', 'billingAddressId']));
    expect(body.required).not.toContain('customerId');
    expect(body.properties!.items).toMatchObject({
      type: 'array',
      minItems: 1,
      items: { $ref: '#/components/schemas/OrderItemRequestDto' },
    });
    expect(schemas.OrderItemRequestDto!.properties!.quantity).toMatchObject({
      type: 'integer',
      minimum: 1,
    });
    // An explicit @ApiProperty wins over the derived one (delta is one of delta/set).
    expect(schemas.AdjustInventoryRequestDto!.required ?? []).not.toContain('delta');
    const search = doc.paths['/api/products/search']!.get! as Operation & {
      parameters?: { name: string; in: string }[];
    };
    expect(search.parameters?.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(
      expect.arrayContaining(['q', 'limit', 'offset', 'sortBy']),
    );
    // Every request body names a schema with properties.
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops) as (Operation & {
        requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
      })[]) {
        const ref = op.requestBody?.content['application/json']?.schema.$ref;
        if (!ref) continue;
        const schema = schemas[ref.split('/').pop()!]!;
        expect({ ref, properties: Object.keys(schema.properties ?? {}).length > 0 }).toEqual({
          ref,
          properties: true,
        });
      }
    }
  });

  it('every /api query documents its 200 body', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      const get = ops.get;
      if (!path.startsWith('/api/') || !get) continue;
      const schema = get.responses['200']?.content?.['application/json']?.schema as SchemaObject | undefined;
      expect({ path, documented: schema !== undefined }).toEqual({ path, documented: true });
    }
    const order = doc.paths['/api/orders/{id}']!.get!.responses['200']!.content!['application/json']!
      .schema as SchemaObject;
    expect(order.required).toEqual(expect.arrayContaining(['orderId', 'items', 'amounts', 'status']));
  });

  it('every error response references the one ErrorResponseDto schema', () => {
    let errors = 0;
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        for (const [status, res] of Object.entries(op.responses)) {
          if (!status.startsWith('4')) continue;
          errors++;
          // application/json, or the operation's declared media type (e.g. text/plain on /metrics)
          const refs = Object.values(res.content ?? {}).map((c) => c.schema?.$ref);
          const label = `${status} ${JSON.stringify(op).slice(0, 120)}`;
          expect({ label, refs }).toEqual({
            label,
            refs: [expect.any(String)],
          });
          expect(refs[0]).toBe('#/components/schemas/ErrorResponseDto');
        }
      }
    }
    expect(errors).toBeGreaterThan(50);
  });
});
