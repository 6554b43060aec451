/**
 * Where `$text` may stand in a query, and what its argument must look like, with mongod's codes:
 *
 * - The argument (ExtensionsCallback::extractTextMatchExpressionParams): `$search` a string
 *   (missing: NoSuchKey 4, else TypeMismatch 14), `$language` a string, `$caseSensitive` and
 *   `$diacriticSensitive` booleans (TypeMismatch), nothing else (BadValue "extra fields in $text").
 * - The query (CanonicalQuery::isValid, BadValue 2): one `$text` at most, none under `$nor`, no
 *   hint, no `$natural` sort.
 * - The plan (QueryPlanner, NoQueryExecutionPlans 291): under `$or`, every other branch must be
 *   able to use an index; a compound text index needs equality predicates on its prefix fields
 *   beside the `$text`.
 * `$text` inside `$elemMatch` or a field operator is the matcher's error (not top-level).
 */
import type { Document } from '../bson.js';
import { mongoError } from '../errors.js';
import { bsonTypeOf, isPlainObject } from '../values/types.js';
import { badValue, noQueryExecutionPlans } from './text.errors.js';

export interface RawTextParams {
  readonly search: string;
  readonly language?: string;
  readonly caseSensitive: boolean;
  readonly diacriticSensitive: boolean;
}

function wrongType(field: string, expected: string, v: unknown): never {
  throw mongoError(
    'TypeMismatch',
    `"${field}" had the wrong type. Expected ${expected}, found ${bsonTypeOf(v)}`,
  );
}

/** Validates a `$text` argument (already known to be an object). */
export function parseTextArgument(arg: Document): RawTextParams {
  const present = Object.keys(arg).filter((k) => arg[k] !== undefined);
  const search = arg.$search;
  if (search === undefined) throw mongoError('NoSuchKey', 'Missing expected field "$search"');
  if (typeof search !== 'string') wrongType('$search', 'string', search);
  const language = arg.$language;
  if (language !== undefined && typeof language !== 'string') wrongType('$language', 'string', language);
  const flag = (name: string): boolean => {
    const v = arg[name];
    if (v === undefined) return false;
    if (typeof v !== 'boolean') wrongType(name, 'bool', v);
    return v;
  };
  const caseSensitive = flag('$caseSensitive');
  const diacriticSensitive = flag('$diacriticSensitive');
  const known = ['$search', '$language', '$caseSensitive', '$diacriticSensitive'];
  if (present.some((k) => !known.includes(k))) throw badValue('extra fields in $text');
  return { search, language, caseSensitive, diacriticSensitive };
}

type Branches = '$and' | '$or' | '$nor';

function children(v: unknown): Document[] {
  return Array.isArray(v) ? v.filter((c): c is Document => isPlainObject(c)) : [];
}

/** Whether the filter holds a `$text` (at the top level or under $and/$or/$nor). */
export function hasText(filter: Document): boolean {
  return countText(filter) > 0;
}

function countText(filter: Document): number {
  let n = 0;
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$text') n++;
    else if (k === '$and' || k === '$or' || k === '$nor') for (const c of children(v)) n += countText(c);
  }
  return n;
}

function textUnder(filter: Document, op: Branches): boolean {
  for (const [k, v] of Object.entries(filter)) {
    if (k !== '$and' && k !== '$or' && k !== '$nor') continue;
    for (const c of children(v)) if ((k === op && hasText(c)) || textUnder(c, op)) return true;
  }
  return false;
}

export interface QueryShape {
  readonly hint?: string | Document;
  readonly sort?: Document;
}

/** CanonicalQuery::isValid's rules for `$text` (call once the filter compiled). */
export function checkTextQuery(filter: Document, shape: QueryShape): void {
  const n = countText(filter);
  if (n === 0) return;
  if (n > 1) throw badValue('Too many text expressions');
  if (textUnder(filter, '$nor')) throw badValue('text expression not allowed in nor');
  if (shape.sort && Object.prototype.hasOwnProperty.call(shape.sort, '$natural')) {
    throw badValue('text expression not allowed with $natural sort order');
  }
  const hint = shape.hint;
  if (hint !== undefined && (typeof hint === 'string' ? hint !== '' : Object.keys(hint).length > 0)) {
    throw badValue('text and hint not allowed in same query');
  }
}

/** What the planner knows of the collection's other indexes. */
export interface IndexFacts {
  /** Whether a regular index can serve a predicate on `path` (it leads a usable index). */
  leads(path: string): boolean;
  /** The compound text index's prefix fields (equality required). */
  readonly prefixFields: readonly string[];
}

const NOT_INDEXABLE_OPS = new Set(['$ne', '$nin', '$not', '$size', '$where', '$expr', '$options']);

function predicateUsesIndex(v: unknown): boolean {
  if (!isPlainObject(v)) return true;
  const ops = Object.keys(v);
  if (ops.length === 0 || !ops[0].startsWith('$')) return true;
  return ops.some((op) => !NOT_INDEXABLE_OPS.has(op) && !(op === '$exists' && v[op] === false));
}

function branchUsesIndex(branch: Document, facts: IndexFacts): boolean {
  return Object.entries(branch).some(([k, v]) => {
    if (k === '$and') return children(v).some((c) => branchUsesIndex(c, facts));
    if (k === '$or') return children(v).length > 0 && children(v).every((c) => branchUsesIndex(c, facts));
    if (k.startsWith('$')) return false;
    return facts.leads(k) && predicateUsesIndex(v);
  });
}

function isEquality(v: unknown): boolean {
  const t = bsonTypeOf(v);
  if (t === 'regex' || t === 'array') return false;
  if (!isPlainObject(v)) return true;
  const keys = Object.keys(v);
  if (keys.length === 0 || !keys[0].startsWith('$')) return true;
  if (keys.length !== 1) return false;
  const literal = (x: unknown): boolean => bsonTypeOf(x) !== 'regex' && bsonTypeOf(x) !== 'array';
  if (keys[0] === '$eq') return literal(v.$eq);
  return keys[0] === '$in' && Array.isArray(v.$in) && v.$in.length === 1 && literal(v.$in[0]);
}

/** The predicates AND'ed with the `$text` (its level, flattened through $and). */
function conjunctsOfText(filter: Document): Document[] | undefined {
  const level: Document[] = [filter];
  for (let i = 0; i < level.length; i++) {
    for (const [k, v] of Object.entries(level[i])) if (k === '$and') level.push(...children(v));
  }
  if (level.some((d) => Object.prototype.hasOwnProperty.call(d, '$text'))) return level;
  for (const d of level) {
    for (const [k, v] of Object.entries(d)) {
      if (k !== '$or') continue;
      for (const c of children(v)) {
        const found = conjunctsOfText(c);
        if (found) return found;
      }
    }
  }
  return undefined;
}

function checkOrs(filter: Document, facts: IndexFacts): void {
  for (const [k, v] of Object.entries(filter)) {
    if (k !== '$and' && k !== '$or') continue;
    const branches = children(v);
    if (k === '$or' && branches.some(hasText)) {
      for (const b of branches) {
        if (!hasText(b) && !branchUsesIndex(b, facts)) {
          throw noQueryExecutionPlans(
            'Failed to produce a solution for TEXT under OR - other non-TEXT clauses under OR have to be indexed as well.',
          );
        }
      }
    }
    for (const b of branches) checkOrs(b, facts);
  }
}

/** The planner's rules for `$text` (after checkTextQuery). */
export function checkTextPlan(filter: Document, facts: IndexFacts): void {
  if (!hasText(filter)) return;
  checkOrs(filter, facts);
  if (facts.prefixFields.length === 0) return;
  const conjuncts = conjunctsOfText(filter) ?? [];
  const equal = (path: string): boolean =>
    conjuncts.some((d) => Object.prototype.hasOwnProperty.call(d, path) && isEquality(d[path]));
  if (!facts.prefixFields.every(equal)) {
    throw noQueryExecutionPlans(
      'failed to use text index to satisfy $text query (if text index is compound, are equality predicates given for all prefix fields?)',
    );
  }
}
