/**
 * Query filters: parsed and validated once into a tree of closures, then evaluated per document.
 *
 * Contract: `compileFilter(filter)` throws MongoDB's parse errors (codes and messages of
 * src/mongo/db/matcher/expression_parser.cpp) for an invalid filter, and otherwise returns a
 * matcher with MongoDB's semantics: dotted paths traverse arrays (see paths.ts), equality and
 * comparisons are exact across numeric types and type-bracketed, `null` matches missing fields,
 * `$ne`/`$nin`/`$not`/`$nor` are negations over all values a path reaches (so they match missing
 * fields). A `MatchDetails` passed to the matcher receives the array offset that produced the
 * match (MongoDB's elemMatchKey), which positional projection and `$` updates use; like MongoDB,
 * `$or`, `$nor` and `$not` do not report one.
 *
 * `$expr` goes to the aggregation expression evaluator (see expression-evaluator.ts), `$text` to
 * the caller's text matcher. `$where` and geo operators are rejected: the server runs no
 * JavaScript and keeps no geo indexes.
 */
import type { Document } from '../bson.js';
import { MongoCommandError, mongoError } from '../errors.js';
import {
  bsonTypeOf,
  isNumericType,
  isPlainObject,
  toBigInt,
  toDec,
  typeNamesForAlias,
  TYPE_NUMBERS,
  type BsonTypeName,
} from '../values/index.js';
import { collatorFor, type StringComparator } from './collation.js';
import { lateBoundEvaluator, type ExpressionEvaluator } from './expression-evaluator.js';
import { compileSchema } from './json-schema.js';
import {
  compilePath,
  elementAsDocument,
  MATCH,
  NO_MATCH,
  ownField,
  walkArray,
  walkDocument,
  type CompiledPath,
  type Pred,
} from './paths.js';
import {
  bitsPred,
  comparisonPred,
  equalityPred,
  exactNumber,
  modPred,
  sizePred,
  trueValue,
  typePred,
  ValueSet,
  type BitsOperator,
} from './predicates.js';
import { compileRegex, regexMatchesValue, regexSpecOf, type RegexSpec } from './regex.js';

/** Receives the array offset a match came from (MongoDB's MatchDetails elemMatchKey). */
export interface MatchDetails {
  elemMatchKey?: string;
}

/** A compiled filter. */
export type Matcher = (doc: Document, details?: MatchDetails) => boolean;

/** Builds the `$text` predicate from the `$text` argument (given only when a text index exists). */
export type TextMatcherFactory = (text: Document) => (doc: Document) => boolean;

export interface FilterOptions {
  /** `let` variables for `$expr` (available as `$$name`). */
  variables?: Document;
  /** Aggregation expression evaluator for `$expr`; defaults to aggregation/expressions.ts. */
  evaluateExpr?: ExpressionEvaluator;
  /** `$text` support; without it `$text` fails as with no text index (IndexNotFound). */
  textMatcher?: TextMatcherFactory;
  /** The operation's collation (`{locale, strength, ...}`); strings compare binary without one. */
  collation?: Document;
}

const ALWAYS: Matcher = () => true;
const NEVER: Matcher = () => false;

/** Operators that apply to a document rather than a path (MongoDB's "pathless" parsers). */
const PATHLESS = new Set([
  '$and',
  '$or',
  '$nor',
  '$comment',
  '$expr',
  '$where',
  '$text',
  '$jsonSchema',
  '$alwaysTrue',
  '$alwaysFalse',
  '$sampleRate',
  '$id',
  '$ref',
  '$db',
]);

/** Operators accepted after a path ({path: {$op: ...}}). */
const PATH_OPERATORS = new Set([
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$not',
  '$exists',
  '$type',
  '$size',
  '$mod',
  '$regex',
  '$options',
  '$elemMatch',
  '$all',
  '$bitsAllSet',
  '$bitsAllClear',
  '$bitsAnySet',
  '$bitsAnyClear',
  '$near',
  '$nearSphere',
  '$geoNear',
  '$geoWithin',
  '$within',
  '$geoIntersects',
]);

const GEO_OPERATORS = new Set([
  '$near',
  '$nearSphere',
  '$geoNear',
  '$geoWithin',
  '$within',
  '$geoIntersects',
]);

interface Context {
  readonly options: FilterOptions;
  readonly collator: StringComparator | undefined;
  /** Inside `$elemMatch`: matching array elements, not the top-level document. */
  readonly subDocument: boolean;
}

/** A path operator: its single-value semantics and how it matches a document at a path. */
interface FieldOp {
  /** MongoDB's matchesSingleElement (used inside `$elemMatch` value predicates). */
  readonly elem: Pred;
  /** The document-level matcher for this operator applied at `path`. */
  readonly bind: (path: CompiledPath) => Matcher;
}

// ---------------------------------------------------------------------------------------------
// Composition

/**
 * Index of the array element that made the last successful `$elemMatch` predicate true; read
 * right after that predicate returned (evaluation is synchronous), to report MatchDetails.
 */
let lastElementIndex = -1;

function recordMatch(details: MatchDetails, code: number, arrayMatching: boolean): void {
  if (code >= 0) details.elemMatchKey = String(code);
  else if (arrayMatching && lastElementIndex >= 0) details.elemMatchKey = String(lastElementIndex);
}

function pathMatcher(
  path: CompiledPath,
  pred: Pred,
  expandLeafArrays: boolean,
  arrayMatching: boolean,
): Matcher {
  if (path.parts.length === 1) {
    const key = path.parts[0];
    const safe = path.safe[0];
    return (doc, details) => {
      const v = safe ? doc[key] : ownField(doc, key);
      let code: number;
      if (Array.isArray(v)) code = walkArray(v, path, 1, pred, expandLeafArrays);
      else code = pred(v) ? MATCH : NO_MATCH;
      if (code === NO_MATCH) return false;
      if (details) recordMatch(details, code, arrayMatching);
      return true;
    };
  }
  return (doc, details) => {
    const code = walkDocument(doc, path, 0, pred, expandLeafArrays);
    if (code === NO_MATCH) return false;
    if (details) recordMatch(details, code, arrayMatching);
    return true;
  };
}

function leaf(pred: Pred, expandLeafArrays = true, arrayMatching = false): FieldOp {
  return { elem: pred, bind: (path) => pathMatcher(path, pred, expandLeafArrays, arrayMatching) };
}

function notOp(inner: FieldOp): FieldOp {
  const elem = inner.elem;
  return {
    elem: (v) => !elem(v),
    bind: (path) => {
      const m = inner.bind(path);
      return (doc) => !m(doc);
    },
  };
}

function andOp(ops: FieldOp[]): FieldOp {
  if (ops.length === 1) return ops[0];
  const elems = ops.map((o) => o.elem);
  return {
    elem: (v) => {
      for (const e of elems) if (!e(v)) return false;
      return true;
    },
    bind: (path) => andMatcher(ops.map((o) => o.bind(path))),
  };
}

const neverOp: FieldOp = { elem: () => false, bind: () => NEVER };

function andMatcher(ms: Matcher[]): Matcher {
  if (ms.length === 0) return ALWAYS;
  if (ms.length === 1) return ms[0];
  if (ms.length === 2) {
    const [a, b] = ms;
    return (doc, details) => {
      if (a(doc, details) && b(doc, details)) return true;
      if (details) details.elemMatchKey = undefined;
      return false;
    };
  }
  return (doc, details) => {
    for (const m of ms) {
      if (!m(doc, details)) {
        if (details) details.elemMatchKey = undefined;
        return false;
      }
    }
    return true;
  };
}

function orMatcher(ms: Matcher[]): Matcher {
  if (ms.length === 1) return ms[0];
  return (doc) => {
    for (const m of ms) if (m(doc)) return true;
    return false;
  };
}

// ---------------------------------------------------------------------------------------------
// Parsing helpers

function badValue(msg: string): MongoCommandError {
  return mongoError('BadValue', msg);
}

function firstKey(obj: Record<string, unknown>): string | undefined {
  for (const k in obj) if (Object.prototype.hasOwnProperty.call(obj, k)) return k;
  return undefined;
}

function isDBRefDocument(obj: Record<string, unknown>, allowIncomplete: boolean): boolean {
  const has = (k: string) => Object.prototype.hasOwnProperty.call(obj, k);
  return allowIncomplete ? has('$ref') || has('$id') || has('$db') : has('$ref') && has('$id');
}

/** MongoDB's isExpressionDocument: a non-empty object whose first field starts with '$'. */
function isOperatorDocument(v: unknown, allowIncompleteDBRef: boolean): v is Record<string, unknown> {
  if (!isPlainObject(v)) return false;
  const k = firstKey(v);
  if (k === undefined || !k.startsWith('$')) return false;
  return !isDBRefDocument(v, allowIncompleteDBRef);
}

function isRegexValue(v: unknown): boolean {
  return regexSpecOf(v) !== undefined;
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** MatchExpressionParser::parseIntegerElementToLong (FailedToParse on non-integers). */
function integerArgument(v: unknown, what: string): bigint {
  if (!isNumericType(bsonTypeOf(v)))
    throw mongoError('FailedToParse', `Expected a number in: ${what}: ${describe(v)}`);
  const d = toDec(v);
  if (d.isNaN())
    throw mongoError('FailedToParse', `Expected an integer, but found NaN in: ${what}: ${describe(v)}`);
  if (!d.isFinite() || d.gte('9223372036854775808') || d.lt('-9223372036854775808')) {
    throw mongoError('FailedToParse', `Cannot represent as a 64-bit integer: ${what}: ${describe(v)}`);
  }
  if (!d.isInteger()) throw mongoError('FailedToParse', `Expected an integer: ${what}: ${describe(v)}`);
  return BigInt(d.toFixed());
}

/** BSONElement::tryCoerce to a 64-bit integer ($mod arguments): truncates, rejects NaN/inf/out of range. */
function coerceToLong(v: unknown): bigint | string {
  const d = toDec(v);
  if (!d.isFinite()) return 'Unable to coerce NaN/Inf to integral type';
  const t = d.trunc();
  if (t.gte('9223372036854775808') || t.lt('-9223372036854775808'))
    return 'Out of bounds coercing to integral value';
  return BigInt(t.toFixed());
}

// ---------------------------------------------------------------------------------------------
// Field operators

function regexOp(spec: RegexSpec): FieldOp {
  const re = compileRegex(spec.pattern, spec.options);
  return leaf((v) => (typeof v === 'string' ? re.test(v) : regexMatchesValue(re, spec, v)));
}

function regexFromValue(v: unknown): FieldOp {
  const spec = regexSpecOf(v);
  if (!spec) throw badValue('not a regex');
  return regexOp(spec);
}

/** `{$regex, $options}` read from the whole operator document (either order). */
function parseRegexDocument(context: Record<string, unknown>): FieldOp {
  let pattern = '';
  let options = '';
  for (const [k, e] of Object.entries(context)) {
    if (k === '$regex') {
      if (typeof e === 'string') {
        pattern = e;
      } else {
        const spec = regexSpecOf(e);
        if (!spec) throw badValue('$regex has to be a string');
        pattern = spec.pattern;
        if (spec.options) {
          if (options) throw new MongoCommandError(51074, 'options set in both $regex and $options');
          options = spec.options;
        }
      }
    } else if (k === '$options') {
      if (typeof e !== 'string') throw badValue('$options has to be a string');
      if (options) throw new MongoCommandError(51075, 'options set in both $regex and $options');
      options = e;
    }
  }
  return regexOp({ pattern, options });
}

function parseIn(arg: unknown, op: string, ctx: Context): FieldOp {
  if (!Array.isArray(arg)) throw badValue(`${op} needs an array`);
  const set = new ValueSet(ctx.collator);
  for (const e of arg) {
    if (isOperatorDocument(e, false)) throw badValue('cannot nest $ under $in');
    const spec = regexSpecOf(e);
    if (spec) {
      const re = compileRegex(spec.pattern, spec.options);
      set.addRegex((v) => (typeof v === 'string' ? re.test(v) : regexMatchesValue(re, spec, v)));
    } else {
      set.add(e);
    }
  }
  return leaf((v) => set.has(v));
}

function parseSize(arg: unknown): FieldOp {
  const t = bsonTypeOf(arg);
  let size: number;
  if (t === 'int') {
    size = exactNumber(arg) ?? 0;
  } else if (t === 'long') {
    const b = toBigInt(arg);
    if (b < -(2n ** 31n) || b >= 2n ** 31n) throw badValue('$size must be representable as a 32-bit integer');
    size = Number(b);
  } else if (t === 'double') {
    const d = exactNumber(arg) ?? NaN;
    if (!Number.isInteger(d) || d < -(2 ** 31) || d >= 2 ** 31)
      throw badValue('$size must be a whole number');
    size = d;
  } else {
    throw badValue('$size needs a number');
  }
  if (size < 0) throw badValue('$size may not be negative');
  return leaf(sizePred(size), false);
}

function parseTypeSet(arg: unknown, op: string): Set<BsonTypeName> {
  const items = Array.isArray(arg) ? arg : [arg];
  const out = new Set<BsonTypeName>();
  for (const e of items) {
    if (typeof e === 'string') {
      const names = typeNamesForAlias(e);
      if (!names) throw badValue(`Unknown type name alias: ${e}`);
      for (const n of names) out.add(n);
      continue;
    }
    if (!isNumericType(bsonTypeOf(e))) {
      throw mongoError('TypeMismatch', 'type must be represented as a number or a string');
    }
    const code = integerArgument(e, op);
    const name = (Object.keys(TYPE_NUMBERS) as (keyof typeof TYPE_NUMBERS)[]).find(
      (k) => BigInt(TYPE_NUMBERS[k]) === code,
    );
    if (!name) throw badValue(`Invalid numerical type code: ${describe(e)}`);
    out.add(name);
  }
  if (out.size === 0) throw mongoError('FailedToParse', `${op} must match at least one type`);
  return out;
}

function parseMod(arg: unknown): FieldOp {
  if (!Array.isArray(arg)) throw badValue('malformed mod, needs to be an array');
  if (arg.length < 1) throw badValue('malformed mod, not enough elements');
  if (!isNumericType(bsonTypeOf(arg[0]))) throw badValue('malformed mod, divisor not a number');
  if (arg.length < 2) throw badValue('malformed mod, not enough elements');
  if (!isNumericType(bsonTypeOf(arg[1]))) throw badValue('malformed mod, remainder not a number');
  if (arg.length > 2) throw badValue('malformed mod, too many elements');
  const divisor = coerceToLong(arg[0]);
  if (typeof divisor === 'string')
    throw badValue(`malformed mod, divisor value is invalid :: caused by :: ${divisor}`);
  const remainder = coerceToLong(arg[1]);
  if (typeof remainder === 'string') {
    throw badValue(`malformed mod, remainder value is invalid :: caused by :: ${remainder}`);
  }
  if (divisor === 0n) throw badValue('divisor cannot be 0');
  return leaf(modPred(divisor, remainder));
}

function parseBits(op: BitsOperator, arg: unknown): FieldOp {
  const positions: number[] = [];
  if (Array.isArray(arg)) {
    for (const e of arg) {
      const t = bsonTypeOf(e);
      if (!isNumericType(t)) throw badValue(`bit positions must be an integer but got: ${describe(e)}`);
      const d = toDec(e);
      if (d.isNaN()) throw badValue(`bit positions cannot take a NaN: ${describe(e)}`);
      if (d.gt(2147483647) || d.lt(-2147483648)) {
        throw badValue(`bit positions cannot be represented as a 32-bit signed integer: ${describe(e)}`);
      }
      if (!d.isInteger()) throw badValue(`bit positions must be an integer but got: ${describe(e)}`);
      if (d.isNegative() && !d.isZero()) throw badValue(`bit positions must be >= 0 but got: ${describe(e)}`);
      positions.push(d.toNumber());
    }
  } else if (isNumericType(bsonTypeOf(arg))) {
    const mask = integerArgument(arg, op);
    if (mask < 0n)
      throw mongoError('FailedToParse', `Expected a positive number in: ${op}: ${describe(arg)}`);
    for (let bit = 0; bit < 64; bit++) if ((mask >> BigInt(bit)) & 1n) positions.push(bit);
  } else if (bsonTypeOf(arg) === 'binData') {
    const bytes =
      arg instanceof Uint8Array
        ? arg
        : ((arg as { buffer: Uint8Array; position?: number }).buffer.subarray(
            0,
            (arg as { position?: number }).position,
          ) as Uint8Array);
    for (let byte = 0; byte < bytes.length; byte++) {
      for (let bit = 0; bit < 8; bit++) if ((bytes[byte] >> bit) & 1) positions.push(byte * 8 + bit);
    }
  } else {
    throw badValue(`${op} takes an Array, a number, or a BinData but received: ${describe(arg)}`);
  }
  return leaf(bitsPred(op, positions));
}

function parseNot(arg: unknown, ctx: Context): FieldOp {
  if (isRegexValue(arg)) return notOp(regexFromValue(arg));
  if (!isPlainObject(arg)) throw badValue('$not needs a regex or a document');
  if (firstKey(arg) === undefined) throw badValue('$not cannot be empty');
  return notOp(andOp(parseOperatorDocument(arg, ctx)));
}

function parseElemMatch(arg: unknown, ctx: Context): FieldOp {
  if (!isPlainObject(arg)) throw badValue('$elemMatch needs an Object');
  const sub: Context = { ...ctx, subDocument: true };
  const first = firstKey(arg);
  const valueCase = isOperatorDocument(arg, true) && first !== undefined && !PATHLESS.has(first);
  if (valueCase) {
    const elem = andOp(parseOperatorDocument(arg, sub)).elem;
    return leaf(
      (v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) {
          if (elem(v[i])) {
            lastElementIndex = i;
            return true;
          }
        }
        return false;
      },
      false,
      true,
    );
  }
  if (Object.prototype.hasOwnProperty.call(arg, '$where'))
    throw badValue('$elemMatch cannot contain $where expression');
  const inner = parseDocument(arg, sub);
  return leaf(
    (v) => {
      if (!Array.isArray(v)) return false;
      for (let i = 0; i < v.length; i++) {
        const d = elementAsDocument(v[i]);
        if (d !== undefined && inner(d)) {
          lastElementIndex = i;
          return true;
        }
      }
      return false;
    },
    false,
    true,
  );
}

function parseAll(arg: unknown, ctx: Context): FieldOp {
  if (!Array.isArray(arg)) throw badValue('$all needs an array');
  const first = arg[0];
  if (isPlainObject(first) && firstKey(first) === '$elemMatch') {
    return andOp(
      arg.map((e) => {
        if (!isPlainObject(e) || firstKey(e) !== '$elemMatch')
          throw badValue('$all/$elemMatch has to be consistent');
        return parseElemMatch(e.$elemMatch, ctx);
      }),
    );
  }
  const ops = arg.map((e) => {
    if (isRegexValue(e)) return regexFromValue(e);
    if (isPlainObject(e)) {
      const k = firstKey(e);
      if (k !== undefined && PATH_OPERATORS.has(k)) throw badValue('no $ expressions in $all');
    }
    return leaf(equalityPred(e, ctx.collator));
  });
  if (ops.length === 0) return neverOp;
  return andOp(ops);
}

/** One `$op: arg` of an operator document; null when it adds nothing ($options). */
function parseOperator(
  context: Record<string, unknown>,
  op: string,
  arg: unknown,
  ctx: Context,
  fieldName: string,
): FieldOp | null {
  switch (op) {
    case '$eq':
      return leaf(equalityPred(arg, ctx.collator));
    case '$ne':
      if (isRegexValue(arg)) throw badValue("Can't have regex as arg to $ne.");
      return notOp(leaf(equalityPred(arg, ctx.collator)));
    case '$lt':
    case '$lte':
    case '$gt':
    case '$gte':
      if (isRegexValue(arg))
        throw badValue(`Can't have RegEx as arg to predicate over field '${fieldName}'.`);
      return leaf(comparisonPred(op, arg, ctx.collator));
    case '$in':
      return parseIn(arg, '$in', ctx);
    case '$nin':
      return notOp(parseIn(arg, '$nin', ctx));
    case '$not':
      return parseNot(arg, ctx);
    case '$exists': {
      const exists = leaf((v) => v !== undefined);
      return trueValue(arg) ? exists : notOp(exists);
    }
    case '$type':
      return leaf(typePred(parseTypeSet(arg, fieldName === '' ? '$type' : fieldName)));
    case '$size':
      return parseSize(arg);
    case '$mod':
      return parseMod(arg);
    case '$regex':
      return parseRegexDocument(context);
    case '$options':
      if (!Object.prototype.hasOwnProperty.call(context, '$regex')) throw badValue('$options needs a $regex');
      return null;
    case '$elemMatch':
      return parseElemMatch(arg, ctx);
    case '$all':
      return parseAll(arg, ctx);
    case '$bitsAllSet':
    case '$bitsAllClear':
    case '$bitsAnySet':
    case '$bitsAnyClear':
      return parseBits(op, arg);
    case '$where':
      throw badValue('$where cannot be applied to a field');
    default:
      if (GEO_OPERATORS.has(op)) {
        throw badValue(`${op} is not supported: the embedded server has no geospatial support`);
      }
      throw badValue(`unknown operator: ${op}`);
  }
}

/** `{ $op: arg, ... }` after a path (MongoDB's parseSub). */
function parseOperatorDocument(obj: Record<string, unknown>, ctx: Context, fieldName = ''): FieldOp[] {
  const ops: FieldOp[] = [];
  for (const [op, arg] of Object.entries(obj)) {
    if (arg === undefined) continue;
    const parsed = parseOperator(obj, op, arg, ctx, fieldName);
    if (parsed) ops.push(parsed);
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------
// Documents and top-level operators

function parseField(name: string, value: unknown, ctx: Context): Matcher[] {
  const path = compilePath(name);
  if (isOperatorDocument(value, false))
    return parseOperatorDocument(value, ctx, name).map((op) => op.bind(path));
  if (isRegexValue(value)) return [regexFromValue(value).bind(path)];
  return [leaf(equalityPred(value === undefined ? null : value, ctx.collator)).bind(path)];
}

function parseTree(op: '$and' | '$or' | '$nor', arg: unknown, ctx: Context): Matcher {
  if (!Array.isArray(arg)) throw badValue(`${op} must be an array`);
  if (arg.length === 0) throw badValue('$and/$or/$nor must be a nonempty array');
  const children = arg.map((e) => {
    if (!isPlainObject(e)) throw badValue('$or/$and/$nor entries need to be full objects');
    return parseDocument(e, ctx);
  });
  if (op === '$and') return andMatcher(children);
  if (op === '$or') return orMatcher(children);
  const any = orMatcher(children);
  return (doc) => !any(doc);
}

function coerceToBool(v: unknown): boolean {
  return trueValue(v);
}

function parseTopLevel(op: string, arg: unknown, ctx: Context): Matcher | null {
  switch (op) {
    case '$and':
    case '$or':
    case '$nor':
      return parseTree(op, arg, ctx);
    case '$comment':
      return null;
    case '$id':
    case '$ref':
    case '$db':
      return leaf(equalityPred(arg, ctx.collator)).bind(compilePath(op));
    case '$expr': {
      if (ctx.subDocument) throw badValue('$expr can only be applied to the top-level document');
      const evaluate = lateBoundEvaluator(ctx.options.evaluateExpr, '$expr');
      const vars = ctx.options.variables;
      return (doc) => coerceToBool(evaluate(arg, doc, vars));
    }
    case '$where':
      throw badValue('$where is not allowed in this context: the embedded server does not run JavaScript');
    case '$text': {
      if (ctx.subDocument) throw badValue('$text can only be applied to the top-level document');
      if (!isPlainObject(arg)) throw badValue('$text expects an object');
      const factory = ctx.options.textMatcher;
      if (!factory) throw mongoError('IndexNotFound', 'text index required for $text query');
      const m = factory(arg);
      return (doc) => m(doc);
    }
    case '$jsonSchema': {
      if (!isPlainObject(arg)) throw mongoError('TypeMismatch', '$jsonSchema must be an object');
      const check = compileSchema(arg);
      return (doc) => check(doc);
    }
    case '$alwaysTrue':
    case '$alwaysFalse':
      if (integerArgument(arg, op) !== 1n)
        throw mongoError('FailedToParse', `${op} must be an integer value of 1`);
      return op === '$alwaysTrue' ? ALWAYS : NEVER;
    case '$sampleRate': {
      if (!isNumericType(bsonTypeOf(arg))) throw badValue('argument to $sampleRate must be a numeric type');
      const rate = toDec(arg).toNumber();
      if (!(rate >= 0 && rate <= 1)) throw badValue('numeric argument to $sampleRate must be in [0, 1]');
      return () => Math.random() < rate;
    }
    default:
      throw badValue(`unknown top level operator: ${op}`);
  }
}

function parseDocument(filter: Record<string, unknown>, ctx: Context): Matcher {
  const ms: Matcher[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('$')) {
      const m = parseTopLevel(key, value, ctx);
      if (m) ms.push(m);
      continue;
    }
    ms.push(...parseField(key, value, ctx));
  }
  return andMatcher(ms);
}

/** Compiles a query filter. Throws MongoDB's error for an invalid filter. */
export function compileFilter(filter: Document, options: FilterOptions = {}): Matcher {
  if (!isPlainObject(filter)) throw badValue('filter must be an object');
  return parseDocument(filter, { options, collator: collatorFor(options.collation), subDocument: false });
}

/** Validates a filter (throws MongoDB's parse error) without keeping the matcher. */
export function parseFilter(filter: Document, options: FilterOptions = {}): void {
  compileFilter(filter, options);
}

/**
 * The field paths a filter's predicates are on, through `$and`/`$or`/`$nor` (used to check that a
 * positional projection refers to a queried array).
 */
export function filterPaths(filter: Document): string[] {
  const out: string[] = [];
  const visit = (f: unknown): void => {
    if (!isPlainObject(f)) return;
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' || k === '$or' || k === '$nor') {
        if (Array.isArray(v)) v.forEach(visit);
      } else if (!k.startsWith('$')) {
        out.push(k);
      }
    }
  };
  visit(filter);
  return out;
}
