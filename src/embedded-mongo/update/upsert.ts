/**
 * The document an upsert starts from, and the checks on the document it inserts.
 *
 * mongod seeds an upsert with the query's equality predicates (top level, `$and` branches,
 * `{$eq: v}`, one-element `$in`, each `$all` element; dotted paths become subdocuments), in
 * path order; for a replacement-style upsert only `_id` is taken from the query. The update then
 * runs on that seed with `isUpsertInsert: true` (so `$setOnInsert` applies), and finally
 * `finalizeUpsertDocument` moves `_id` first, generating an ObjectId when there is none.
 */
import { ObjectId } from 'bson';
import type { Document } from '../bson.js';
import { MongoCommandError, ErrorCodes } from '../errors.js';
import { bsonTypeOf, isPlainObject } from '../values/types.js';
import { compareStrings } from '../values/compare.js';
import { typeName } from './format.js';
import { setOwn } from './apply-tree.js';
import { NOT_EXACT_VALUE_FIELD } from './codes.js';

export interface UpsertSeedOptions {
  /** The update is a replacement document: only `_id` equality is taken from the query. */
  replacementStyle?: boolean;
}

type Equality = [path: string, value: unknown];

const DBREF_FIELDS = new Set(['$ref', '$id', '$db']);

function isOperatorObject(v: unknown): v is Record<string, unknown> {
  if (!isPlainObject(v)) return false;
  const first = Object.keys(v)[0];
  return first !== undefined && first.startsWith('$') && !DBREF_FIELDS.has(first);
}

function isRegex(v: unknown): boolean {
  return bsonTypeOf(v) === 'regex';
}

function fieldEqualities(path: string, condition: unknown, out: Equality[]): void {
  if (isRegex(condition)) return;
  if (!isOperatorObject(condition)) {
    out.push([path, condition]);
    return;
  }
  for (const [op, arg] of Object.entries(condition)) {
    if (op === '$eq') out.push([path, arg]);
    else if (op === '$in' && Array.isArray(arg) && arg.length === 1 && !isRegex(arg[0]))
      out.push([path, arg[0]]);
    else if (op === '$all' && Array.isArray(arg)) {
      for (const el of arg) {
        if (!isRegex(el) && !(isPlainObject(el) && Object.keys(el)[0] === '$elemMatch')) out.push([path, el]);
      }
    }
  }
}

function queryEqualities(query: Document, out: Equality[]): void {
  for (const [key, value] of Object.entries(query)) {
    if (key === '$and' || (key === '$or' && Array.isArray(value) && value.length === 1)) {
      if (Array.isArray(value))
        for (const branch of value) if (isPlainObject(branch)) queryEqualities(branch, out);
    } else if (!key.startsWith('$')) {
      fieldEqualities(key, value, out);
    }
  }
}

function notSingleValue(message: string): MongoCommandError {
  return new MongoCommandError(
    ErrorCodes.NotSingleValueField,
    `cannot infer query fields to set, ${message}`,
  );
}

export function buildUpsertSeed(query: Document, options: UpsertSeedOptions = {}): Document {
  let equalities: Equality[] = [];
  queryEqualities(query, equalities);
  if (options.replacementStyle) {
    equalities = equalities.filter(([path]) => path.split('.')[0] === '_id');
    for (const [path] of equalities) {
      if (path !== '_id') {
        throw new MongoCommandError(
          NOT_EXACT_VALUE_FIELD,
          `field at '_id' must be exactly specified, field at sub-path '${path}'found`,
        );
      }
    }
  }
  equalities.sort(([a], [b]) => compareStrings(a, b));
  const seen: string[] = [];
  for (const [path] of equalities) {
    if (seen.includes(path)) throw notSingleValue(`path '${path}' is matched twice`);
    const prefix = seen.find((s) => path.startsWith(`${s}.`));
    if (prefix !== undefined) throw notSingleValue(`both paths '${path}' and '${prefix}' are matched`);
    seen.push(path);
  }
  const seed: Document = {};
  for (const [path, value] of equalities) {
    const parts = path.split('.');
    let cur: Record<string, unknown> = seed;
    for (const part of parts.slice(0, -1)) {
      let next = Object.prototype.hasOwnProperty.call(cur, part) ? cur[part] : undefined;
      if (!isPlainObject(next)) {
        next = {};
        setOwn(cur, part, next);
      }
      cur = next as Record<string, unknown>;
    }
    setOwn(cur, parts[parts.length - 1], value);
  }
  return seed;
}

function dollarFieldIn(v: unknown, path: string): string | undefined {
  if (Array.isArray(v)) {
    for (const x of v) {
      const found = dollarFieldIn(x, path);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlainObject(v)) return undefined;
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$') && !DBREF_FIELDS.has(k))
      return `The dollar ($) prefixed field '${k}' in '${path}.${k}' is not valid for storage.`;
    const found = dollarFieldIn(x, `${path}.${k}`);
    if (found) return found;
  }
  return undefined;
}

/** storage_validation::storageValidIdField: the `_id` values a stored document may not have. */
export function validateIdValue(id: unknown): void {
  const t = bsonTypeOf(id);
  if (t === 'regex' || t === 'array' || t === 'undefined') {
    throw new MongoCommandError(
      ErrorCodes.InvalidIdField,
      `The '_id' value cannot be of type ${typeName(id)}`,
    );
  }
  if (t === 'object') {
    const problem = dollarFieldIn(id, '_id');
    if (problem) {
      throw new MongoCommandError(
        ErrorCodes.DollarPrefixedFieldName,
        `_id fields may not contain '$'-prefixed fields: ${problem}`,
      );
    }
  }
}

/**
 * The document an upsert inserts: `_id` first (a new ObjectId from `generateId` when the update
 * produced none), `_id` valid for storage. Returns a new document; the input is not changed.
 */
export function finalizeUpsertDocument(
  doc: Document,
  generateId: () => unknown = () => new ObjectId(),
): Document {
  const id = doc._id === undefined ? generateId() : doc._id;
  validateIdValue(id);
  const out: Document = { _id: id };
  for (const [k, v] of Object.entries(doc)) if (k !== '_id') setOwn(out, k, v);
  return out;
}
