/**
 * fast-check arbitraries of whole HTTP requests for one documented operation: the body (schema-shaped
 * but wrong, fully random JSON, raw non-JSON text, deep nesting, oversized), the path parameters
 * (fixture ids of every kind, traversal, NUL, very long), the query string (repeated keys, qs-style
 * `a[$ne]=1` nesting, huge values) and the headers (Authorization variants, Idempotency-Key,
 * X-Consistency-Token, Content-Type, Content-Length lies). Sent as the given principal by default.
 */
import fc from 'fast-check';
import type { FuzzOperation, JsonSchema, ParamSpec } from './openapi-operations.js';
import type { RawRequest } from './raw-http.js';
import {
  HOSTILE_KEYS,
  HUGE_STRING_BYTES,
  hostileString,
  hostileValue,
  randomJson,
  type Json,
} from './hostile-values.js';

export interface FuzzContext {
  /** Ids of existing resources (customers, addresses, products, orders, projection names). */
  ids: string[];
  adminToken: string;
  customerToken: string;
  otherCustomerToken: string;
  /** A token with alg "none" claiming the admin role. */
  unsignedAdminToken: string;
}

export interface FuzzRequest {
  op: string;
  /** What kind of input this is, for the summary and for failure reports. */
  kinds: string[];
  raw: RawRequest;
  /** The Content-Length promises more bytes than are sent: the server may rightly never answer. */
  mayNotAnswer: boolean;
  /** Whether the request carries an Idempotency-Key header. */
  keyed: boolean;
}

type Body = { kind: string; contentType?: string; bytes?: Buffer };

const json = (v: Json): Buffer => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8');

/** A value the schema accepts (or close: patterns come from fast-check's regex generator). */
function validValue(schema: JsonSchema, ctx: FuzzContext, depth = 0): fc.Arbitrary<Json> {
  if (schema.enum?.length) return fc.constantFrom(...(schema.enum as Json[]));
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => validValue(s, ctx, depth + 1)));
  if (schema.allOf?.length) return validValue(schema.allOf[0]!, ctx, depth + 1);
  switch (schema.type) {
    case 'integer':
    case 'number': {
      // Mostly ordinary values, sometimes exactly at the documented bounds (where handlers break).
      const min = schema.minimum ?? 0;
      const max = schema.maximum ?? 100;
      return fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min, max: Math.max(min, Math.min(max, 1_000_000)) }) },
        { weight: 1, arbitrary: fc.constantFrom(min, max) },
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth > 4 || !schema.items
        ? fc.constant([])
        : fc.array(validValue(schema.items, ctx, depth + 1), { minLength: 1, maxLength: 3 });
    case 'object':
    case undefined:
      if (!schema.properties) return fc.constant({});
      return fc.record(
        Object.fromEntries(
          Object.entries(schema.properties).map(([k, s]) => [k, validValue(s, ctx, depth + 1)]),
        ),
        { requiredKeys: schema.required ?? [] },
      ) as fc.Arbitrary<Json>;
    default:
      return validString(schema, ctx);
  }
}

function validString(schema: JsonSchema, ctx: FuzzContext): fc.Arbitrary<Json> {
  if (schema.format === 'date-time' || schema.format === 'date')
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => (schema.format === 'date' ? d.toISOString().slice(0, 10) : d.toISOString()));
  if (schema.pattern) {
    const re = new RegExp(schema.pattern);
    const fixtures = ctx.ids.filter((id) => re.test(id));
    const generated = fc.stringMatching(re).filter((s) => s.length <= 200);
    return fixtures.length ? fc.oneof(fc.constantFrom(...fixtures), generated) : generated;
  }
  const min = schema.minLength ?? 1;
  const max = Math.max(min, Math.min(schema.maxLength ?? 20, 20));
  // Valid but awkward text too: RTL, zero-width, combining marks, emoji, at the length bounds.
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength: min, maxLength: max }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: max }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'x'.repeat(Math.max(min, 1)),
        'x'.repeat(Math.max(min, schema.maxLength ?? 20)),
        'Ada \u202Eevil\u202C',
        'A\u200Bda',
        'e\u0301 😀 𝒳',
        ' padded ',
      ),
    },
  );
}

type Mutation = { pick: number; kind: 'replace' | 'delete' | 'addKey'; key: string; value: Json };

/** Every object/array inside `v` (including `v`), so a mutation can land at any depth. */
function containers(
  v: Json,
  out: (Json[] | { [k: string]: Json })[] = [],
): (Json[] | { [k: string]: Json })[] {
  if (v !== null && typeof v === 'object') {
    out.push(v);
    for (const child of Array.isArray(v) ? v : Object.values(v)) containers(child, out);
  }
  return out;
}

function mutate(value: Json, mutations: Mutation[]): Json {
  const root: Json = structuredClone(value);
  for (const shared of mutations) {
    // Hostile values are shared constants: insert a copy, so a later mutation cannot change them.
    const m = { ...shared, value: structuredClone(shared.value) };
    const all = containers(root);
    const target = all[m.pick % Math.max(1, all.length)];
    if (!target) return m.value;
    if (Array.isArray(target)) {
      if (m.kind === 'delete') target.splice(m.pick % Math.max(1, target.length), 1);
      else target[target.length ? m.pick % target.length : 0] = m.value;
      continue;
    }
    const keys = Object.keys(target);
    // defineProperty, not assignment: `o['__proto__'] = v` would set the prototype instead.
    const define = (k: string): void => {
      Object.defineProperty(target, k, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    };
    if (m.kind === 'addKey' || keys.length === 0) define(m.key);
    else if (m.kind === 'delete') delete target[keys[m.pick % keys.length]!];
    else define(keys[m.pick % keys.length]!);
  }
  return root;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.nat(),
  kind: fc.constantFrom<Mutation['kind']>('replace', 'replace', 'delete', 'addKey'),
  key: fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 10 })),
  value: hostileValue,
});

const RAW_BODIES: readonly [string, () => string][] = [
  ['empty', () => ''],
  ['not-json', () => 'hello world'],
  ['truncated-json', () => '{"name": "x", "items": ['],
  ['trailing-garbage', () => '{"a":1}garbage'],
  ['bare-string', () => '"just a string"'],
  ['bare-number', () => '42'],
  ['bare-null', () => 'null'],
  ['bom-json', () => '\uFEFF{"a":1}'],
  [
    'duplicate-proto',
    () =>
      '{"__proto__":{"polluted":"yes"},"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}',
  ],
  [
    'proto-keys-nested',
    () =>
      '{"items":[{"productId":"p","quantity":1,"__proto__":{"quantity":1000}}],"__proto__":{"role":"admin"},"a":{"prototype":{"constructor":1}}}',
  ],
  ['deep-array-1k', () => '['.repeat(1_000) + ']'.repeat(1_000)],
  ['deep-array-40k', () => '['.repeat(40_000) + ']'.repeat(40_000)],
  ['deep-object-5k', () => '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000)],
  ['deep-object-15k', () => '{"a":'.repeat(15_000) + '1' + '}'.repeat(15_000)],
  ['huge-string-1mb', () => JSON.stringify({ name: 'x'.repeat(HUGE_STRING_BYTES) })],
  ['array-100k', () => JSON.stringify(new Array<number>(100_000).fill(1))],
  ['array-30k-empty-objects', () => `[${new Array<string>(30_000).fill('{}').join(',')}]`],
  ['nul-bytes', () => '{"a":"\u0000"}\u0000'],
  ['lone-surrogate-escape', () => '{"name":"\\ud800","email":"\\udfff@x.y"}'],
  ['big-number', () => `{"quantity": 1${'0'.repeat(400)}, "price": 1e999}`],
];

const CONTENT_TYPES: readonly string[] = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=nonsense',
  'application/vnd.api+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  '*/*',
  '',
];

function bodyArb(op: FuzzOperation, ctx: FuzzContext): fc.Arbitrary<Body> {
  const schema = op.body ?? { type: 'object' };
  const asJson =
    (kind: string) =>
    (v: Json): Body => ({ kind, contentType: 'application/json', bytes: json(v) });
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .tuple(validValue(schema, ctx), fc.array(mutation, { minLength: 1, maxLength: 3 }))
        .map(([v, ms]) => asJson('schema-wrong')(mutate(v, ms))),
    },
    { weight: 2, arbitrary: validValue(schema, ctx).map(asJson('schema-valid')) },
    { weight: 3, arbitrary: randomJson.map(asJson('random-json')) },
    { weight: 1, arbitrary: fc.constant<Body>({ kind: 'no-body' }) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(...RAW_BODIES).map(([kind, make]): Body => ({
        kind: `raw:${kind}`,
        contentType: 'application/json',
        bytes: Buffer.from(make(), 'utf8'),
      })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...CONTENT_TYPES), validValue(schema, ctx))
        .map(([ct, v]): Body => ({
          kind: `content-type:${ct || 'none'}`,
          contentType: ct || undefined,
          bytes: json(v),
        })),
    },
  );
}

/** Percent-encodes the UTF-8 bytes (lone surrogates become U+FFFD, where encodeURIComponent throws). */
const percentEncode = (s: string): string =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

const encode = (s: string, raw: boolean): string => (raw ? s : percentEncode(s));

function pathArb(op: FuzzOperation, ctx: FuzzContext): fc.Arbitrary<{ path: string; kinds: string[] }> {
  if (op.pathParams.length === 0) return fc.constant({ path: op.path, kinds: [] });
  const one = (p: ParamSpec) =>
    fc.oneof(
      {
        weight: 3,
        arbitrary: fc
          .constantFrom(...ctx.ids)
          .map((v) => ({ name: p.name, v, raw: false, kind: 'path:fixture-id' })),
      },
      {
        weight: 3,
        arbitrary: fc.tuple(hostileString, fc.boolean()).map(([v, raw]) => ({
          name: p.name,
          v,
          raw: raw && v.length < 200,
          kind: raw ? 'path:raw' : 'path:hostile',
        })),
      },
      {
        weight: 1,
        arbitrary: (p.schema.pattern ? fc.stringMatching(new RegExp(p.schema.pattern)) : fc.string()).map(
          (v) => ({ name: p.name, v, raw: false, kind: 'path:pattern' }),
        ),
      },
    );
  return fc.tuple(...op.pathParams.map(one)).map((vals) => {
    let path = op.path;
    for (const { name, v, raw } of vals) path = path.replace(`{${name}}`, encode(v, raw));
    return { path, kinds: vals.map((x) => x.kind) };
  });
}

function queryArb(op: FuzzOperation): fc.Arbitrary<{ query: string; kinds: string[] }> {
  const names = [...op.queryParams.map((p) => p.name), 'unknown', '__proto__', 'constructor'];
  const key = fc
    .tuple(
      fc.constantFrom(...names),
      fc.constantFrom(
        '',
        '',
        '',
        '[$ne]',
        '[$gt]',
        '[]',
        '[0]',
        '[__proto__][polluted]',
        '[constructor][prototype][polluted]',
        '[a][b][c][d][e][f]',
      ),
    )
    .map(([n, s]) => n + s);
  const value = fc.oneof(
    fc.constantFrom(
      ...op.queryParams.flatMap((p) => (p.schema.enum ?? []).map(String)),
      '1',
      '0',
      '-1',
      '10',
      'true',
      '',
    ),
    hostileString,
  );
  const pair = fc
    .tuple(key, value, fc.boolean())
    .map(([k, v, raw]) => `${k}=${encode(v, raw && v.length < 200 && /^[\x21-\x7e]*$/.test(v))}`);
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant({ query: '', kinds: [] as string[] }) },
    {
      weight: 4,
      arbitrary: fc
        .array(pair, { minLength: 1, maxLength: 6 })
        .map((ps) => ({ query: `?${ps.join('&')}`, kinds: ['query'] })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...names).map((n) => ({
        query: `?${new Array(1000).fill(`${n}=1`).join('&')}`,
        kinds: ['query:1000-repeats'],
      })),
    },
  );
}

type Auth = { kind: string; headers: [string, string][] };

function authArb(ctx: FuzzContext, token: string): fc.Arbitrary<Auth> {
  const bearer = (kind: string, value: string): Auth => ({ kind, headers: [['Authorization', value]] });
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(bearer('auth:principal', `Bearer ${token}`)) },
    {
      weight: 3,
      arbitrary: fc.constantFrom<Auth>(
        { kind: 'auth:none', headers: [] },
        bearer('auth:garbage', 'Bearer garbage'),
        bearer('auth:empty-bearer', 'Bearer '),
        bearer('auth:basic', 'Basic YWRtaW46YWRtaW4='),
        bearer('auth:lowercase', `bearer ${token}`),
        bearer('auth:trailing', `Bearer ${token} extra`),
        bearer('auth:huge', `Bearer ${'a'.repeat(12_000)}`),
        bearer('auth:other-customer', `Bearer ${ctx.otherCustomerToken}`),
        bearer('auth:alg-none', `Bearer ${ctx.unsignedAdminToken}`),
        bearer('auth:unicode', 'Bearer \u202E\u0000токен'),
        {
          kind: 'auth:twice',
          headers: [
            ['Authorization', `Bearer ${token}`],
            ['Authorization', `Bearer ${ctx.adminToken}`],
          ],
        },
      ),
    },
  );
}

const idempotencyArb: fc.Arbitrary<{ kind: string; headers: [string, string][] }> = fc.oneof(
  { weight: 10, arbitrary: fc.constant({ kind: '', headers: [] as [string, string][] }) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.string({ minLength: 1, maxLength: 40 }).map((k) => ['idem:ascii', k] as const),
        fc
          .constantFrom('', 'k'.repeat(10_000), 'ключ-😀', '\u0000', ' ', 'a'.repeat(201))
          .map((k) => ['idem:odd', k] as const),
      )
      .map(([kind, k]) => ({ kind, headers: [['Idempotency-Key', k]] as [string, string][] })),
  },
  {
    weight: 1,
    arbitrary: fc.constant({
      kind: 'idem:twice',
      headers: [
        ['Idempotency-Key', 'a'],
        ['Idempotency-Key', 'b'],
      ] as [string, string][],
    }),
  },
);

function consistencyArb(ctx: FuzzContext): fc.Arbitrary<[string, string][]> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant([] as [string, string][]) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          hostileString,
          fc.constantFrom(...ctx.ids).map((id) => `${id}@999999999`),
          fc.constantFrom('@', 'a@-1', 'x@1e308', `${ctx.ids[0]}@1.5`, `${ctx.ids[0]}@0`),
        )
        .map((v) => [['X-Consistency-Token', v]] as [string, string][]),
    },
  );
}

type LengthLie = { kind: string; length?: number; extra: [string, string][]; mayNotAnswer: boolean };

const lengthLieArb: fc.Arbitrary<LengthLie> = fc.oneof(
  { weight: 30, arbitrary: fc.constant<LengthLie>({ kind: '', extra: [], mayNotAnswer: false }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<LengthLie>(
      { kind: 'length:shorter', length: 1, extra: [], mayNotAnswer: false },
      { kind: 'length:longer', length: 1_000_000, extra: [], mayNotAnswer: true },
      { kind: 'length:smuggle', extra: [['Transfer-Encoding', 'chunked']], mayNotAnswer: true },
      { kind: 'length:huge-declared', length: 10 ** 15, extra: [], mayNotAnswer: true },
    ),
  },
);

/** A request for `op` sent mostly as the principal whose token is given. */
export function requestArb(op: FuzzOperation, ctx: FuzzContext, token: string): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      body: bodyArb(op, ctx),
      path: pathArb(op, ctx),
      query: queryArb(op),
      auth: authArb(ctx, token),
      idem: idempotencyArb,
      consistency: consistencyArb(ctx),
      lie: lengthLieArb,
    })
    .map(({ body, path, query, auth, idem, consistency, lie }): FuzzRequest => {
      const headers: [string, string][] = [...auth.headers, ...idem.headers, ...consistency, ...lie.extra];
      if (body.contentType !== undefined) headers.push(['Content-Type', body.contentType]);
      const bytes = body.bytes;
      return {
        op: op.id,
        kinds: [
          body.kind,
          ...path.kinds,
          ...query.kinds,
          auth.kind,
          idem.kind,
          consistency.length ? 'consistency-token' : '',
          lie.kind,
        ].filter(Boolean),
        raw: {
          method: op.method,
          target: path.path + query.query,
          headers,
          body: bytes,
          contentLengthOverride:
            bytes !== undefined && lie.length !== undefined
              ? Math.min(
                  lie.length,
                  lie.kind === 'length:shorter' ? Math.max(0, bytes.length - 3) : lie.length,
                )
              : undefined,
        },
        mayNotAnswer: lie.mayNotAnswer,
        keyed: idem.headers.length > 0,
      };
    });
}
