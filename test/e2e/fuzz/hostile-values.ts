/**
 * fast-check arbitraries of hostile JSON values and strings: wrong types, huge and odd numbers,
 * 40-digit decimals, out-of-range dates, huge strings, MongoDB operators, prototype-pollution keys,
 * keys with dots and `$`, awkward unicode (lone surrogates, RTL override, zero-width, NUL), long
 * arrays and deep nesting. Values are plain data; huge ones are built lazily per sample.
 */
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Bytes in a "huge" string: 1 MB, above any sane BODY_LIMIT (the answer must be 413). */
export const HUGE_STRING_BYTES = 1024 * 1024;
/** A long string that still fits the default 100kb body limit. */
export const LONG_STRING_BYTES = 60 * 1024;

export const AWKWARD_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDFFFy',
  '\u202Eevil\u202C',
  '\u200B\u200C\u200D\uFEFF',
  'مرحبا',
  '𝒳𝒴𝒵 😀 👨‍👩‍👧',
  'e\u0301',
  '..',
  '../../etc/passwd',
  '%00',
  '%2e%2e%2f',
  '${7*7}',
  '{{constructor.constructor("return process")()}}',
  "'; db.dropDatabase(); //",
  '<script>alert(1)</script>',
  '$where',
  '$gt',
  'a.b.c',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e308',
  '-0',
  '0x1F',
  '9'.repeat(40),
  '0.' + '1'.repeat(40),
  '12345678901234567890.12345678901234567890',
  '-99999999999999999999999999999999999999.99',
  '1,5',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00.000Z',
  '0000-00-00',
  '2026-02-30',
  '2026-13-01',
  '1970-01-01T00:00:00Z',
  '507f1f77bcf86cd799439011',
  'cus_00000000-0000-0000-0000-000000000000',
  'prd_ffffffff-ffff-ffff-ffff-ffffffffffff',
  'ord_12345678-1234-4234-8234-123456789abc',
  'adr_12345678-1234-4234-8234-123456789abc',
];

export const ODD_NUMBERS: readonly number[] = [
  0,
  -0,
  -1,
  1.5,
  0.1,
  1e308,
  -1e308,
  5e-324,
  Number.MAX_SAFE_INTEGER + 2,
  -(2 ** 63),
  2 ** 31,
  2 ** 64,
  1e21,
];

export const MONGO_OPERATORS: readonly Json[] = [
  { $where: 'sleep(1000) || true' },
  { $gt: '' },
  { $ne: null },
  { $ne: 1 },
  { $expr: { $eq: [1, 1] } },
  { $regex: '.*' },
  { $in: [] },
  { $exists: true },
  { $function: { body: 'function(){return true}', args: [], lang: 'js' } },
  { $set: { role: 'admin' } },
  { $inc: { version: 1 } },
];

/** Keys that try prototype pollution, operator injection or path traversal in a document. */
export const HOSTILE_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '$where',
  '$set',
  '$gt',
  'a.b',
  '$',
  '.',
  '',
  '_id',
  'version',
  'role',
  '\u0000',
  '\uD800',
];

/** An object literal whose own keys may be `__proto__` (JSON.parse defines them as own properties). */
export function objectWith(entries: [string, Json][]): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const [k, v] of entries)
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

const scalar: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...ODD_NUMBERS),
  fc.constantFrom(...AWKWARD_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 20 }),
);

const pollution: fc.Arbitrary<Json> = fc
  .tuple(
    fc.constantFrom('__proto__', 'constructor', 'prototype'),
    fc.constantFrom<Json>({ polluted: 'yes' }, { prototype: { polluted: 'yes' } }, 'x'),
  )
  .map(([k, v]) => objectWith([[k, v]]));

/** Values a field should never accept: each is a different kind of wrong. */
export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 2, arbitrary: fc.constantFrom(...MONGO_OPERATORS) },
  { weight: 2, arbitrary: pollution },
  { weight: 1, arbitrary: fc.constant<Json>([]) },
  { weight: 1, arbitrary: fc.constant<Json>({}) },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constant(null).map((): Json => 'x'.repeat(LONG_STRING_BYTES)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 300 }).map((d): Json => nestedObject(d)) },
  { weight: 1, arbitrary: fc.constant(null).map((): Json => new Array<Json>(20_000).fill(0)) },
);

/** `{"a":{"a":...}}` `depth` levels deep. */
export function nestedObject(depth: number): Json {
  let v: Json = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** Fully random JSON, including hostile keys at any depth. */
export const randomJson: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc
      .array(
        fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 8 })), tie('value')),
        {
          maxLength: 4,
        },
      )
      .map((entries) => objectWith(entries)),
  ),
})).value;

/** Strings for a path segment or query value: awkward, random, long, or operator-looking. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...AWKWARD_STRINGS) },
  { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1000, max: 9000 }).map((n) => 'a'.repeat(n)) },
  { weight: 2, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.constant('a'.repeat(100_000)) },
);
