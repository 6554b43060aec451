/**
 * Typed readers for command arguments: each rejects a wrong type with MongoDB's
 * TypeMismatch/BadValue error, naming the field, so bad input never reaches the engine.
 */
import type { Document } from '../bson.js';
import { mongoError } from '../errors.js';
import { bsonTypeOf, isPlainObject, numberValueOf } from '../values/types.js';

export function optionalNumber(body: Document, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  const n = numberValueOf(v);
  if (n === undefined || Number.isNaN(n)) {
    throw mongoError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${bsonTypeOf(v)}', expected a number`,
    );
  }
  return n;
}

export function optionalNonNegativeInt(body: Document, field: string): number | undefined {
  const n = optionalNumber(body, field);
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < 0)
    throw mongoError('BadValue', `${field} must be a non-negative integer, got ${n}`);
  return n;
}

export function optionalBool(body: Document, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  const n = numberValueOf(v);
  if (n !== undefined) return n !== 0;
  throw mongoError(
    'TypeMismatch',
    `BSON field '${field}' is the wrong type '${bsonTypeOf(v)}', expected type 'bool'`,
  );
}

export function optionalDocument(body: Document, field: string): Document | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) {
    throw mongoError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${bsonTypeOf(v)}', expected type 'object'`,
    );
  }
  return v;
}

export function optionalString(body: Document, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    throw mongoError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${bsonTypeOf(v)}', expected type 'string'`,
    );
  }
  return v;
}

export function requiredDocumentArray(body: Document, field: string): Document[] {
  const v = body[field];
  if (!Array.isArray(v)) {
    throw mongoError(
      'TypeMismatch',
      `BSON field '${field}' is ${v === undefined ? 'missing but a required field' : `the wrong type '${bsonTypeOf(v)}', expected type 'array'`}`,
    );
  }
  v.forEach((d, i) => {
    if (!isPlainObject(d))
      throw mongoError(
        'TypeMismatch',
        `BSON field '${field}.${i}' is the wrong type '${bsonTypeOf(d)}', expected type 'object'`,
      );
  });
  return v as Document[];
}

/** The collection name a CRUD command targets (its first field). */
export function collectionName(arg: unknown, command: string): string {
  if (typeof arg !== 'string') {
    throw mongoError('InvalidNamespace', `collection name has invalid type ${bsonTypeOf(arg)}`);
  }
  if (arg.length === 0)
    throw mongoError('InvalidNamespace', `Invalid namespace specified for ${command}: empty collection name`);
  return arg;
}
