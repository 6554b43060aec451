/**
 * `$jsonSchema` (MongoDB's JSON Schema draft 4 dialect), compiled once into a predicate over a
 * document. Used by filters and collection validators.
 *
 * Contract, as in MongoDB: `type`/`bsonType` constrain the value's type; every other keyword only
 * constrains values of the type it is about (`minimum` ignores strings, `properties` ignores
 * arrays, ...); `properties` look at exact field names (no dotted paths, no array traversal);
 * `enum` and `uniqueItems` compare documents regardless of field order. Supported keywords:
 * bsonType, type, enum, required, properties, additionalProperties, patternProperties,
 * minProperties, maxProperties, dependencies, items, additionalItems, minItems, maxItems,
 * uniqueItems, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minLength,
 * maxLength, pattern, allOf, anyOf, oneOf, not, title, description. Schema errors are reported at
 * compile time with MongoDB's codes (FailedToParse / TypeMismatch / BadValue).
 */
import { MongoCommandError, mongoError } from '../errors.js';
import {
  bsonTypeOf,
  compareValues,
  isNumericType,
  isPlainObject,
  toDec,
  typeNamesForAlias,
  valuesEqual,
  type BsonTypeName,
} from '../values/index.js';
import { compileRegex } from './regex.js';

type Check = (v: unknown) => boolean;

const JSON_TYPES: Readonly<Record<string, readonly BsonTypeName[]>> = {
  object: ['object'],
  array: ['array'],
  number: ['int', 'long', 'double', 'decimal'],
  boolean: ['bool'],
  string: ['string'],
  null: ['null'],
};

const UNSUPPORTED = new Set(['$ref', '$schema', 'default', 'definitions', 'format', 'id']);
const KNOWN = new Set([
  'bsonType',
  'type',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'patternProperties',
  'minProperties',
  'maxProperties',
  'dependencies',
  'items',
  'additionalItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'title',
  'description',
  'encrypt',
  'encryptMetadata',
]);

function failedToParse(msg: string): MongoCommandError {
  return mongoError('FailedToParse', msg);
}

function typeMismatch(msg: string): MongoCommandError {
  return mongoError('TypeMismatch', msg);
}

/** Field-order-insensitive equality (MongoDB's _internalSchemaEq). */
export function unorderedEquals(a: unknown, b: unknown): boolean {
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k) || !unorderedEquals(a[k], b[k])) return false;
    }
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!unorderedEquals(a[i], b[i])) return false;
    return true;
  }
  return valuesEqual(a, b) && bsonTypeOf(a) !== 'missing' && bsonTypeOf(b) !== 'missing';
}

function nonNegativeInteger(keyword: string, v: unknown): number {
  const t = bsonTypeOf(v);
  if (!isNumericType(t)) throw typeMismatch(`$jsonSchema keyword '${keyword}' must be a number`);
  const d = toDec(v);
  if (!d.isInteger()) throw failedToParse(`$jsonSchema keyword '${keyword}' must be an integer`);
  if (d.isNegative()) throw failedToParse(`$jsonSchema keyword '${keyword}' must be a non-negative integer`);
  return d.toNumber();
}

function numberArg(keyword: string, v: unknown): unknown {
  if (!isNumericType(bsonTypeOf(v))) throw typeMismatch(`$jsonSchema keyword '${keyword}' must be a number`);
  return v;
}

function boolArg(keyword: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw typeMismatch(`$jsonSchema keyword '${keyword}' must be a boolean`);
  return v;
}

function objectArg(keyword: string, v: unknown): Record<string, unknown> {
  if (!isPlainObject(v)) throw typeMismatch(`$jsonSchema keyword '${keyword}' must be an object`);
  return v;
}

function schemaArray(keyword: string, v: unknown): Check[] {
  if (!Array.isArray(v)) throw typeMismatch(`$jsonSchema keyword '${keyword}' must be an array`);
  if (v.length === 0) throw failedToParse(`$jsonSchema keyword '${keyword}' must be a non-empty array`);
  return v.map((s) => {
    if (!isPlainObject(s)) throw typeMismatch(`$jsonSchema keyword '${keyword}' must be an array of objects`);
    return compileSchema(s);
  });
}

function typeSet(keyword: string, arg: unknown): Set<BsonTypeName> {
  const names = Array.isArray(arg) ? arg : [arg];
  if (Array.isArray(arg) && arg.length === 0) {
    throw failedToParse(`$jsonSchema keyword '${keyword}' must name at least one type`);
  }
  const out = new Set<BsonTypeName>();
  for (const n of names) {
    if (typeof n !== 'string')
      throw typeMismatch(`$jsonSchema keyword '${keyword}' must be a string or an array of strings`);
    let types: readonly BsonTypeName[] | undefined;
    if (keyword === 'type') {
      if (n === 'integer') throw failedToParse("$jsonSchema type 'integer' is not currently supported.");
      types = JSON_TYPES[n];
    } else {
      types = typeNamesForAlias(n);
    }
    if (!types) throw mongoError('BadValue', `Unknown type name alias: ${n}`);
    for (const t of types) out.add(t);
  }
  return out;
}

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** Compiles a $jsonSchema object into a predicate over a value (the document at the top). */
export function compileSchema(schema: Record<string, unknown>): Check {
  const checks: Check[] = [];
  for (const key of Object.keys(schema)) {
    if (UNSUPPORTED.has(key)) throw failedToParse(`$jsonSchema keyword '${key}' is not currently supported`);
    if (!KNOWN.has(key)) throw failedToParse(`Unknown $jsonSchema keyword: ${key}`);
  }
  if (schema.encrypt !== undefined || schema.encryptMetadata !== undefined) {
    throw failedToParse('$jsonSchema keywords encrypt and encryptMetadata are not supported by this server');
  }
  if (schema.type !== undefined && schema.bsonType !== undefined) {
    throw failedToParse("Cannot specify both $jsonSchema keywords 'type' and 'bsonType'");
  }
  for (const keyword of ['title', 'description']) {
    if (schema[keyword] !== undefined && typeof schema[keyword] !== 'string') {
      throw typeMismatch(`$jsonSchema keyword '${keyword}' must be a string`);
    }
  }

  const typeKeyword =
    schema.type !== undefined ? 'type' : schema.bsonType !== undefined ? 'bsonType' : undefined;
  if (typeKeyword) {
    const types = typeSet(typeKeyword, schema[typeKeyword]);
    checks.push((v) => types.has(bsonTypeOf(v)));
  }

  if (schema.enum !== undefined) {
    const values = schema.enum;
    if (!Array.isArray(values)) throw typeMismatch("$jsonSchema keyword 'enum' must be an array");
    if (values.length === 0) throw failedToParse("$jsonSchema keyword 'enum' cannot be an empty array");
    checks.push((v) => v !== undefined && values.some((e) => unorderedEquals(v, e)));
  }

  addNumericChecks(schema, checks);
  addStringChecks(schema, checks);
  addArrayChecks(schema, checks);
  addObjectChecks(schema, checks);

  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (schema[keyword] === undefined) continue;
    const subs = schemaArray(keyword, schema[keyword]);
    if (keyword === 'allOf') checks.push((v) => subs.every((s) => s(v)));
    else if (keyword === 'anyOf') checks.push((v) => subs.some((s) => s(v)));
    else checks.push((v) => subs.filter((s) => s(v)).length === 1);
  }
  if (schema.not !== undefined) {
    const sub = compileSchema(objectArg('not', schema.not));
    checks.push((v) => !sub(v));
  }

  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0];
  return (v) => {
    for (const c of checks) if (!c(v)) return false;
    return true;
  };
}

function isNumber(v: unknown): boolean {
  return typeof v === 'number' || isNumericType(bsonTypeOf(v));
}

function addNumericChecks(schema: Record<string, unknown>, checks: Check[]): void {
  for (const [bound, exclusive, sign] of [
    ['minimum', 'exclusiveMinimum', 1],
    ['maximum', 'exclusiveMaximum', -1],
  ] as const) {
    if (schema[exclusive] !== undefined) {
      boolArg(exclusive, schema[exclusive]);
      if (schema[bound] === undefined) {
        throw failedToParse(`$jsonSchema keyword '${bound}' must be a present if ${exclusive} is present`);
      }
    }
    if (schema[bound] === undefined) continue;
    const limit = numberArg(bound, schema[bound]);
    const strict = schema[exclusive] === true;
    checks.push((v) => {
      if (!isNumber(v)) return true;
      const c = compareValues(v, limit) * sign;
      return strict ? c > 0 : c >= 0;
    });
  }
  if (schema.multipleOf !== undefined) {
    const m = numberArg('multipleOf', schema.multipleOf);
    const divisor = toDec(m);
    if (!divisor.isFinite() || divisor.lte(0)) {
      throw failedToParse("$jsonSchema keyword 'multipleOf' must have a positive value");
    }
    checks.push((v) => {
      if (!isNumber(v)) return true;
      const d = toDec(v);
      return d.isFinite() && d.mod(divisor).isZero();
    });
  }
}

function addStringChecks(schema: Record<string, unknown>, checks: Check[]): void {
  if (schema.minLength !== undefined) {
    const n = nonNegativeInteger('minLength', schema.minLength);
    checks.push((v) => typeof v !== 'string' || codePointLength(v) >= n);
  }
  if (schema.maxLength !== undefined) {
    const n = nonNegativeInteger('maxLength', schema.maxLength);
    checks.push((v) => typeof v !== 'string' || codePointLength(v) <= n);
  }
  if (schema.pattern !== undefined) {
    if (typeof schema.pattern !== 'string')
      throw typeMismatch("$jsonSchema keyword 'pattern' must be a string");
    const re = compileRegex(schema.pattern, '');
    checks.push((v) => typeof v !== 'string' || re.test(v));
  }
}

function addArrayChecks(schema: Record<string, unknown>, checks: Check[]): void {
  if (schema.minItems !== undefined) {
    const n = nonNegativeInteger('minItems', schema.minItems);
    checks.push((v) => !Array.isArray(v) || v.length >= n);
  }
  if (schema.maxItems !== undefined) {
    const n = nonNegativeInteger('maxItems', schema.maxItems);
    checks.push((v) => !Array.isArray(v) || v.length <= n);
  }
  if (schema.uniqueItems !== undefined && boolArg('uniqueItems', schema.uniqueItems)) {
    checks.push((v) => {
      if (!Array.isArray(v)) return true;
      for (let i = 0; i < v.length; i++) {
        for (let j = i + 1; j < v.length; j++) if (unorderedEquals(v[i], v[j])) return false;
      }
      return true;
    });
  }
  const items = schema.items;
  let tupleLength: number | undefined;
  if (items !== undefined) {
    if (Array.isArray(items)) {
      const subs = items.map((s) => {
        if (!isPlainObject(s))
          throw typeMismatch(
            "$jsonSchema keyword 'items' requires that each element of the array is an object",
          );
        return compileSchema(s);
      });
      tupleLength = subs.length;
      checks.push((v) => !Array.isArray(v) || subs.every((s, i) => i >= v.length || s(v[i])));
    } else if (isPlainObject(items)) {
      const sub = compileSchema(items);
      checks.push((v) => !Array.isArray(v) || v.every((e) => sub(e)));
    } else {
      throw typeMismatch("$jsonSchema keyword 'items' must be an array or an object");
    }
  }
  const additional = schema.additionalItems;
  if (additional !== undefined) {
    if (typeof additional !== 'boolean' && !isPlainObject(additional)) {
      throw typeMismatch("$jsonSchema keyword 'additionalItems' must be either an object or a boolean");
    }
    if (tupleLength !== undefined) {
      const from = tupleLength;
      if (additional === false) checks.push((v) => !Array.isArray(v) || v.length <= from);
      else if (isPlainObject(additional)) {
        const sub = compileSchema(additional);
        checks.push((v) => !Array.isArray(v) || v.slice(from).every((e) => sub(e)));
      }
    }
  }
}

function addObjectChecks(schema: Record<string, unknown>, checks: Check[]): void {
  if (schema.required !== undefined) {
    const req = schema.required;
    if (!Array.isArray(req)) throw typeMismatch("$jsonSchema keyword 'required' must be an array");
    if (req.length === 0) throw failedToParse("$jsonSchema keyword 'required' cannot be an empty array");
    const names = new Set<string>();
    for (const r of req) {
      if (typeof r !== 'string')
        throw typeMismatch("$jsonSchema keyword 'required' must be an array of strings");
      if (names.has(r))
        throw failedToParse("$jsonSchema keyword 'required' array cannot contain duplicate values");
      names.add(r);
    }
    const list = [...names];
    checks.push((v) => !isPlainObject(v) || list.every((k) => ownValue(v, k) !== undefined));
  }
  if (schema.minProperties !== undefined) {
    const n = nonNegativeInteger('minProperties', schema.minProperties);
    checks.push((v) => !isPlainObject(v) || presentKeys(v).length >= n);
  }
  if (schema.maxProperties !== undefined) {
    const n = nonNegativeInteger('maxProperties', schema.maxProperties);
    checks.push((v) => !isPlainObject(v) || presentKeys(v).length <= n);
  }

  const props = new Map<string, Check>();
  if (schema.properties !== undefined) {
    const p = objectArg('properties', schema.properties);
    for (const [name, sub] of Object.entries(p)) {
      if (!isPlainObject(sub))
        throw typeMismatch(`Nested schema for $jsonSchema property '${name}' must be an object`);
      props.set(name, compileSchema(sub));
    }
  }
  const patterns: [RegExp, Check][] = [];
  if (schema.patternProperties !== undefined) {
    const p = objectArg('patternProperties', schema.patternProperties);
    for (const [re, sub] of Object.entries(p)) {
      if (!isPlainObject(sub))
        throw typeMismatch("$jsonSchema keyword 'patternProperties' must have objects as values");
      patterns.push([compileRegex(re, ''), compileSchema(sub)]);
    }
  }
  let otherwise: Check | undefined;
  const additional = schema.additionalProperties;
  if (additional !== undefined) {
    if (additional === false) otherwise = () => false;
    else if (additional === true) otherwise = undefined;
    else if (isPlainObject(additional)) otherwise = compileSchema(additional);
    else
      throw typeMismatch("$jsonSchema keyword 'additionalProperties' must be either an object or a boolean");
  }
  if (props.size > 0 || patterns.length > 0 || otherwise) {
    checks.push((v) => {
      if (!isPlainObject(v)) return true;
      for (const k of presentKeys(v)) {
        const value = v[k];
        const own = props.get(k);
        let matchedAny = own !== undefined;
        if (own && !own(value)) return false;
        for (const [re, sub] of patterns) {
          if (re.test(k)) {
            matchedAny = true;
            if (!sub(value)) return false;
          }
        }
        if (!matchedAny && otherwise && !otherwise(value)) return false;
      }
      return true;
    });
  }

  if (schema.dependencies !== undefined) {
    const deps = objectArg('dependencies', schema.dependencies);
    for (const [name, dep] of Object.entries(deps)) {
      if (Array.isArray(dep)) {
        if (dep.length === 0 || dep.some((d) => typeof d !== 'string')) {
          throw failedToParse(
            `property '${name}' in $jsonSchema keyword 'dependencies' must be a non-empty array of strings`,
          );
        }
        const list = dep as string[];
        checks.push(
          (v) =>
            !isPlainObject(v) ||
            ownValue(v, name) === undefined ||
            list.every((k) => ownValue(v, k) !== undefined),
        );
      } else if (isPlainObject(dep)) {
        const sub = compileSchema(dep);
        checks.push((v) => !isPlainObject(v) || ownValue(v, name) === undefined || sub(v));
      } else {
        throw typeMismatch(
          `property '${name}' in $jsonSchema keyword 'dependencies' must be either an object or an array`,
        );
      }
    }
  }
}

function ownValue(v: Record<string, unknown>, k: string): unknown {
  return Object.prototype.hasOwnProperty.call(v, k) ? v[k] : undefined;
}

function presentKeys(v: Record<string, unknown>): string[] {
  return Object.keys(v).filter((k) => v[k] !== undefined);
}
