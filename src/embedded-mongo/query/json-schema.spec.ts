import { Decimal128, Double, Int32, Long } from 'bson';
import type { Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { compileSchema } from './json-schema.js';

function valid(schema: Document, doc: Document): boolean {
  return compileSchema(schema)(doc);
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof MongoCommandError) return err.code;
    throw err;
  }
  return undefined;
}

describe('$jsonSchema: types', () => {
  it('bsonType uses BSON type aliases, number included', () => {
    const s = {
      properties: { a: { bsonType: 'int' }, n: { bsonType: 'number' }, l: { bsonType: ['long', 'null'] } },
    };
    expect(valid(s, { a: new Int32(1), n: Decimal128.fromString('1'), l: null })).toBe(true);
    expect(valid(s, { a: Long.fromNumber(1) })).toBe(false);
    expect(valid(s, { n: 'x' })).toBe(false);
    expect(valid(s, { l: Long.fromNumber(2) })).toBe(true);
  });

  it('type uses JSON types', () => {
    const s = {
      properties: { a: { type: 'number' }, b: { type: ['string', 'null'] }, c: { type: 'object' } },
    };
    expect(valid(s, { a: new Double(1.5), b: null, c: {} })).toBe(true);
    expect(valid(s, { a: 'x' })).toBe(false);
    expect(valid(s, { c: [] })).toBe(false);
  });

  it('only constrains present properties unless required', () => {
    const s = { required: ['a'], properties: { b: { bsonType: 'string' } } };
    expect(valid(s, { a: 1 })).toBe(true);
    expect(valid(s, { b: 'x' })).toBe(false);
    expect(valid(s, { a: null, b: 5 })).toBe(false);
  });
});

describe('$jsonSchema: keywords apply to their own types only', () => {
  it('numbers: minimum, maximum, exclusive bounds, multipleOf', () => {
    const s = { properties: { a: { minimum: 1, maximum: 10, exclusiveMaximum: true, multipleOf: 0.5 } } };
    expect(valid(s, { a: new Int32(1) })).toBe(true);
    expect(valid(s, { a: new Double(9.5) })).toBe(true);
    expect(valid(s, { a: 10 })).toBe(false);
    expect(valid(s, { a: 0 })).toBe(false);
    expect(valid(s, { a: 1.25 })).toBe(false);
    expect(valid(s, { a: 'not a number' })).toBe(true);
  });

  it('strings: minLength and maxLength count code points; pattern searches', () => {
    const s = { properties: { s: { minLength: 2, maxLength: 3, pattern: '^a' } } };
    expect(valid(s, { s: 'a😀' })).toBe(true);
    expect(valid(s, { s: 'a' })).toBe(false);
    expect(valid(s, { s: 'abcd' })).toBe(false);
    expect(valid(s, { s: 'ba' })).toBe(false);
    expect(valid(s, { s: 5 })).toBe(true);
  });

  it('arrays: items, additionalItems, minItems, maxItems, uniqueItems', () => {
    const s = {
      properties: { a: { items: { bsonType: 'int' }, minItems: 1, maxItems: 2, uniqueItems: true } },
    };
    expect(valid(s, { a: [new Int32(1)] })).toBe(true);
    expect(valid(s, { a: [] })).toBe(false);
    expect(valid(s, { a: [new Int32(1), new Int32(2), new Int32(3)] })).toBe(false);
    expect(valid(s, { a: [new Int32(1), 'x'] })).toBe(false);
    expect(valid(s, { a: [new Int32(1), new Int32(1)] })).toBe(false);
    const tuple = { properties: { t: { items: [{ bsonType: 'string' }], additionalItems: false } } };
    expect(valid(tuple, { t: ['x'] })).toBe(true);
    expect(valid(tuple, { t: ['x', 1] })).toBe(false);
    expect(valid(tuple, { t: [1] })).toBe(false);
  });

  it('uniqueItems and enum compare documents regardless of field order', () => {
    expect(
      valid(
        { properties: { a: { uniqueItems: true } } },
        {
          a: [
            { x: 1, y: 2 },
            { y: 2, x: 1 },
          ],
        },
      ),
    ).toBe(false);
    expect(
      valid({ properties: { a: { enum: [{ x: 1, y: 2 }, 'z'] } } }, { a: { y: 2, x: new Int32(1) } }),
    ).toBe(true);
    expect(valid({ properties: { a: { enum: ['z'] } } }, { a: 'q' })).toBe(false);
  });

  it('objects: additionalProperties, patternProperties, min/maxProperties, dependencies', () => {
    const s = {
      properties: { _id: {}, a: {} },
      patternProperties: { '^x': { bsonType: 'int' } },
      additionalProperties: false,
    };
    expect(valid(s, { _id: 1, a: 1, x1: new Int32(2) })).toBe(true);
    expect(valid(s, { _id: 1, x1: 'no' })).toBe(false);
    expect(valid(s, { _id: 1, b: 1 })).toBe(false);
    expect(valid({ additionalProperties: { bsonType: 'string' } }, { a: 'x', b: 'y' })).toBe(true);
    expect(valid({ minProperties: 2, maxProperties: 2 }, { a: 1 })).toBe(false);
    expect(valid({ dependencies: { card: ['address'] } }, { card: 1 })).toBe(false);
    expect(valid({ dependencies: { card: ['address'] } }, { card: 1, address: 2 })).toBe(true);
    expect(valid({ dependencies: { card: { required: ['zip'] } } }, { card: 1 })).toBe(false);
  });

  it('combinators: allOf, anyOf, oneOf, not', () => {
    const n = (schema: Document, v: unknown) => valid({ properties: { v: schema } }, { v });
    expect(n({ allOf: [{ minimum: 1 }, { maximum: 3 }] }, 2)).toBe(true);
    expect(n({ anyOf: [{ bsonType: 'string' }, { minimum: 5 }] }, 1)).toBe(false);
    expect(n({ oneOf: [{ minimum: 1 }, { minimum: 2 }] }, 3)).toBe(false);
    expect(n({ oneOf: [{ minimum: 1 }, { minimum: 2 }] }, 1.5)).toBe(true);
    expect(n({ not: { bsonType: 'string' } }, 'x')).toBe(false);
  });

  it('does not traverse arrays for properties', () => {
    expect(
      valid({ properties: { a: { properties: { b: { bsonType: 'int' } } } } }, { a: [{ b: 'x' }] }),
    ).toBe(true);
  });
});

describe('$jsonSchema: errors', () => {
  it.each([
    ['unknown keyword', { foo: 1 }, 9],
    ['unsupported keyword', { format: 'date' }, 9],
    ['type and bsonType together', { type: 'object', bsonType: 'object' }, 9],
    ["type 'integer'", { properties: { a: { type: 'integer' } } }, 9],
    ['unknown type alias', { properties: { a: { bsonType: 'nope' } } }, 2],
    ['required not an array', { required: 'a' }, 14],
    ['required empty', { required: [] }, 9],
    ['properties not an object', { properties: 1 }, 14],
    ['minimum not a number', { minimum: 'x' }, 14],
    ['minLength negative', { minLength: -1 }, 9],
    ['multipleOf zero', { multipleOf: 0 }, 9],
    ['enum empty', { enum: [] }, 9],
    ['exclusiveMinimum without minimum', { exclusiveMinimum: true }, 9],
  ])('%s', (_name, schema, code) => {
    expect(codeOf(() => compileSchema(schema))).toBe(code);
  });
});
