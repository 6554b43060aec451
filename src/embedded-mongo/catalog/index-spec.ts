/**
 * Index specifications: validation of what createIndexes receives, the normalized listIndexes
 * document (`{v: 2, key, name, ...options}`), default names (`a_1_b_-1`), and the equivalence
 * rules createIndexes uses to tell "already exists" from a conflict.
 *
 * Supported: ascending/descending keys (single, compound, dotted, multikey), unique, sparse,
 * partialFilterExpression, expireAfterSeconds, hidden, simple collation, and text indexes (stored
 * as mongod stores them: key `{_fts: 'text', _ftsx: 1}` plus weights/default_language/
 * language_override/textIndexVersion; they hold no entries here: $text evaluation scans).
 * Rejected with CannotCreateIndex: 2d, 2dsphere, hashed, wildcard, geoHaystack, non-simple
 * collations.
 */
import type { Document } from '../bson.js';
import { mongoError } from '../errors.js';
import { compareValues } from '../values/compare.js';
import { keyString } from '../values/keystring.js';
import { splitPath } from '../values/paths.js';
import { bsonTypeOf } from '../values/types.js';
import type { KeyField } from './keys.js';

export const ID_INDEX_NAME = '_id_';
export const MAX_INDEXES = 64;

export interface IndexDescriptor {
  readonly name: string;
  /** Key pattern as listIndexes shows it (text fields folded into `_fts`/`_ftsx`). */
  readonly key: Document;
  /** The B-tree fields (for text indexes: the non-text prefix/suffix fields). */
  readonly fields: readonly KeyField[];
  readonly kind: 'btree' | 'text';
  readonly unique: boolean;
  readonly sparse: boolean;
  readonly partialFilterExpression?: Document;
  readonly expireAfterSeconds?: number;
  readonly hidden: boolean;
  /** The normalized listIndexes document; what is journaled and checkpointed. */
  readonly spec: Document;
}

const UNSUPPORTED_TYPES = new Set(['2d', '2dsphere', 'hashed', 'geoHaystack', 'columnstore']);

const ALLOWED_FIELDS = new Set([
  'v',
  'key',
  'name',
  'unique',
  'sparse',
  'partialFilterExpression',
  'expireAfterSeconds',
  'hidden',
  'collation',
  'background',
  'weights',
  'default_language',
  'language_override',
  'textIndexVersion',
  'storageEngine',
  'ns',
]);

/** Options that make two indexes with the same key pattern distinct indexes (mongod allows both). */
const IDENTITY_FIELDS = ['partialFilterExpression', 'collation'];

function isDoc(v: unknown): v is Document {
  return bsonTypeOf(v) === 'object';
}

function num(v: unknown): number | undefined {
  switch (bsonTypeOf(v)) {
    case 'int':
    case 'double':
    case 'long':
    case 'decimal':
      return typeof v === 'number' ? v : Number((v as { toString(): string }).toString());
    default:
      return undefined;
  }
}

function truthy(v: unknown): boolean {
  const n = num(v);
  if (n !== undefined) return n !== 0;
  return v !== false && v !== null && v !== undefined;
}

function show(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

/** mongod's default index name: `a_1_b_-1`, `title_text`. */
export function defaultIndexName(key: Document): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${typeof v === 'string' ? v : String(num(v) ?? v)}`)
    .join('_');
}

function cannotCreate(msg: string): never {
  throw mongoError('CannotCreateIndex', msg);
}

/**
 * Validates one createIndexes element and returns its descriptor. Throws mongod's errors:
 * CannotCreateIndex (67), InvalidIndexSpecificationOption (197), BadValue (2).
 */
export function parseIndexSpec(raw: Document): IndexDescriptor {
  for (const k of Object.keys(raw)) {
    if (!ALLOWED_FIELDS.has(k)) {
      throw mongoError(
        'InvalidIndexSpecificationOption',
        `The field '${k}' is not valid for an index specification. Specification: ${show(raw)}`,
      );
    }
  }
  const key = raw.key;
  if (!isDoc(key)) cannotCreate(`The 'key' field is a required property of an index specification`);
  const entries = Object.entries(key);
  if (entries.length === 0) cannotCreate('Index keys cannot be empty.');
  if (entries.length > 32) cannotCreate('Index key pattern has more than 32 fields.');

  const fields: KeyField[] = [];
  const textFields: string[] = [];
  let textSeen = false;
  for (const [path, v] of entries) {
    if (path === '') cannotCreate('Index keys cannot be an empty field.');
    if (path === '$**' || path.endsWith('.$**')) {
      if (v === 'text') {
        textSeen = true;
        textFields.push(path);
        continue;
      }
      cannotCreate(`wildcard indexes ('${path}') are not supported by the embedded server`);
    }
    if (path.startsWith('$'))
      cannotCreate(`Index key contains an illegal field name: field name starts with '$'.`);
    if (splitPath(path).some((p) => p === ''))
      cannotCreate(`Index keys cannot contain an empty field: '${path}'`);
    if (typeof v === 'string') {
      if (v === 'text') {
        textSeen = true;
        textFields.push(path);
        continue;
      }
      if (UNSUPPORTED_TYPES.has(v)) {
        cannotCreate(`'${v}' indexes (on '${path}') are not supported by the embedded server`);
      }
      cannotCreate(`Unknown index plugin '${v}'`);
    }
    const n = num(v);
    if (n === undefined) {
      cannotCreate(
        `Values in v:2 index key pattern cannot be of type ${bsonTypeOf(v)}. Only numbers > 0, numbers < 0, and strings are allowed.`,
      );
    }
    if (n === 0 || Number.isNaN(n))
      cannotCreate(`Values in the index key pattern can't be 0 or NaN: ${show(key)}`);
    fields.push({ path, parts: splitPath(path), dir: n > 0 ? 1 : -1 });
  }

  const v = raw.v === undefined ? 2 : num(raw.v);
  if (v !== 1 && v !== 2)
    cannotCreate(`Invalid index specification ${show(raw)}; index version v:${show(raw.v)} is not supported`);

  let name: string;
  if (raw.name === undefined) name = defaultIndexName(key);
  else if (typeof raw.name !== 'string')
    throw mongoError('TypeMismatch', `The field 'name' must be a string`);
  else name = raw.name;
  if (name === '') cannotCreate('Index name cannot be empty.');
  if (name === '*') cannotCreate(`The index name '*' is not valid.`);
  if (name.includes('\0')) cannotCreate('Index name cannot contain null characters.');

  const unique = raw.unique !== undefined && truthy(raw.unique);
  const sparse = raw.sparse !== undefined && truthy(raw.sparse);
  const hidden = raw.hidden !== undefined && truthy(raw.hidden);
  const isId = entries.length === 1 && entries[0][0] === '_id' && fields.length === 1;

  let partial: Document | undefined;
  if (raw.partialFilterExpression !== undefined) {
    if (!isDoc(raw.partialFilterExpression)) {
      cannotCreate(`'partialFilterExpression' for an index must be a document`);
    }
    if (sparse) cannotCreate(`cannot mix "partialFilterExpression" and "sparse" options`);
    partial = raw.partialFilterExpression;
  }

  let expire: number | undefined;
  if (raw.expireAfterSeconds !== undefined) {
    const e = num(raw.expireAfterSeconds);
    if (e === undefined || !Number.isFinite(e)) {
      throw mongoError(
        'CannotCreateIndex',
        `TTL index 'expireAfterSeconds' option must be numeric, but received a type of '${bsonTypeOf(raw.expireAfterSeconds)}'`,
      );
    }
    if (e < 0 || e > 2147483647) {
      throw mongoError(
        'CannotCreateIndex',
        `TTL index 'expireAfterSeconds' option must be within an acceptable range, try a lower number`,
      );
    }
    if (entries.length > 1)
      cannotCreate(
        `TTL indexes are single-field indexes, compound indexes do not support TTL. Index spec: ${show(raw)}`,
      );
    if (textSeen) cannotCreate('TTL indexes cannot be text indexes');
    expire = Math.trunc(e);
  }

  if (raw.collation !== undefined) {
    if (!isDoc(raw.collation)) throw mongoError('TypeMismatch', `The field 'collation' must be an object`);
    if (raw.collation.locale !== 'simple') {
      cannotCreate(
        `collation with locale '${String(raw.collation.locale)}' is not supported by the embedded server: only the simple (binary) collation is`,
      );
    }
  }

  if (isId) {
    for (const opt of [
      'unique',
      'sparse',
      'partialFilterExpression',
      'expireAfterSeconds',
      'hidden',
    ] as const) {
      if (raw[opt] !== undefined) {
        throw mongoError(
          'InvalidIndexSpecificationOption',
          `The field '${opt}' is not valid for an _id index specification. Specification: ${show(raw)}`,
        );
      }
    }
  }

  const spec: Document = { v: v === 1 ? 1 : 2 };
  let storedKey: Document = key;
  if (textSeen) {
    // Folded like mongod: scalar prefix fields, then _fts/_ftsx, then scalar suffix fields.
    const firstText = entries.findIndex(([, x]) => x === 'text');
    let lastText = -1;
    entries.forEach(([, x], i) => {
      if (x === 'text') lastText = i;
    });
    if (entries.slice(firstText, lastText + 1).some(([, x]) => x !== 'text')) {
      cannotCreate(`'text' fields in index must all be adjacent: ${show(key)}`);
    }
    storedKey = {};
    for (const [p, x] of entries.slice(0, firstText)) storedKey[p] = x;
    storedKey._fts = 'text';
    storedKey._ftsx = 1;
    for (const [p, x] of entries.slice(lastText + 1)) storedKey[p] = x;
  }
  spec.key = storedKey;
  spec.name = name;
  if (unique) spec.unique = true;
  if (sparse) spec.sparse = true;
  if (hidden) spec.hidden = true;
  if (partial) spec.partialFilterExpression = partial;
  if (expire !== undefined) spec.expireAfterSeconds = expire;
  if (textSeen) {
    const weights: Document = {};
    for (const f of textFields) weights[f] = 1;
    if (raw.weights !== undefined) {
      if (!isDoc(raw.weights)) cannotCreate(`text index option 'weights' must be an object`);
      for (const [f, w] of Object.entries(raw.weights)) {
        const n = num(w);
        if (n === undefined || n <= 0 || n >= 100000) {
          cannotCreate(`text index weight must be in the exclusive interval (0,99999) but found: ${show(w)}`);
        }
        weights[f] = Math.trunc(n);
      }
    }
    const sorted: Document = {};
    for (const f of Object.keys(weights).sort()) sorted[f] = weights[f];
    spec.weights = sorted;
    spec.default_language = typeof raw.default_language === 'string' ? raw.default_language : 'english';
    spec.language_override = typeof raw.language_override === 'string' ? raw.language_override : 'language';
    spec.textIndexVersion = 3;
  }
  return {
    name,
    key: storedKey,
    fields,
    kind: textSeen ? 'text' : 'btree',
    unique,
    sparse,
    partialFilterExpression: partial,
    expireAfterSeconds: expire,
    hidden,
    spec,
  };
}

/** Rebuilds a descriptor from a stored (normalized) spec: recovery and collMod. */
export function descriptorFromSpec(spec: Document): IndexDescriptor {
  const key = spec.key as Document;
  if (key._fts === 'text') {
    const raw: Document = { ...spec, key: {} };
    const k: Document = {};
    for (const [p, x] of Object.entries(key)) {
      if (p === '_fts') for (const f of Object.keys((spec.weights as Document) ?? {})) k[f] = 'text';
      else if (p !== '_ftsx') k[p] = x;
    }
    raw.key = k;
    delete raw.textIndexVersion;
    const d = parseIndexSpec(raw);
    return { ...d, key, spec };
  }
  const d = parseIndexSpec(spec);
  return { ...d, spec };
}

function canonical(doc: Document | undefined): string {
  return doc === undefined ? '' : keyString(doc);
}

export function sameKeyPattern(a: Document, b: Document): boolean {
  const ea = Object.entries(a);
  const eb = Object.entries(b);
  if (ea.length !== eb.length) return false;
  return ea.every(([k, v], i) => k === eb[i][0] && compareValues(v, eb[i][1]) === 0);
}

/** Same options apart from name and version (what makes a re-create a no-op). */
export function equivalentSpecs(a: Document, b: Document): boolean {
  const strip = (d: Document): Document => {
    const out: Document = {};
    for (const k of Object.keys(d).sort()) if (k !== 'name' && k !== 'v' && k !== 'key') out[k] = d[k];
    return out;
  };
  return sameKeyPattern(a.key as Document, b.key as Document) && canonical(strip(a)) === canonical(strip(b));
}

/** Whether two specs with the same key pattern still denote distinct indexes (e.g. other partial filter). */
export function distinctIdentity(a: Document, b: Document): boolean {
  return IDENTITY_FIELDS.some(
    (f) => canonical(a[f] as Document | undefined) !== canonical(b[f] as Document | undefined),
  );
}

export function idIndexSpec(): Document {
  return { v: 2, key: { _id: 1 }, name: ID_INDEX_NAME };
}

export { show as showValue };
