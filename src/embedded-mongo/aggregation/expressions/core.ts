/**
 * The shared vocabulary of aggregation expressions: compiled closures, compile contexts, and the
 * value helpers every operator family needs (MongoDB's `nullish`, `coerceToBool`, `typeName`,
 * argument-arity checks with MongoDB's error codes).
 *
 * Values are BSON values as the server holds them (see ../../bson.ts). JS `undefined` is a
 * *missing* value: it propagates like MongoDB's EOO, makes object fields disappear and becomes
 * null inside arrays. Expressions never mutate their inputs; results may share structure with
 * inputs and constants, so callers treat them as immutable too.
 */
import { MongoCommandError } from '../../errors.js';
import { Decimal128, Double, Long, type Document } from '../../bson.js';
import {
  bsonTypeOf,
  isPlainObject,
  numericKind,
  toDec,
  toDouble,
  type BsonTypeName,
} from '../../values/index.js';

/** Variable bindings visible to an expression (user `let` variables, `$$NOW`, `$$CURRENT`, ...). */
export type Vars = Readonly<Record<string, unknown>>;

/** A compiled expression: evaluates against the root document and the variable bindings. */
export interface CompiledExpr {
  (root: Document, vars: Vars): unknown;
  /** Present when the value depends on neither the document nor the variables. */
  readonly constant?: { readonly value: unknown };
}

export interface CompileContext {
  /** Compiles a sub-expression in this context's variable scope. */
  compile(expr: unknown): CompiledExpr;
  /** A context in which `names` are defined too (for $let, $map, $filter, $reduce). */
  withVariables(names: readonly string[]): CompileContext;
}

/** Compiles the argument of one operator (`arg` is the value under the `$name` key). */
export type OperatorCompiler = (arg: unknown, cx: CompileContext, name: string) => CompiledExpr;

export function constantExpr(value: unknown): CompiledExpr {
  const f = (() => value) as CompiledExpr;
  Object.defineProperty(f, 'constant', { value: { value } });
  return f;
}

export function fail(code: number, message: string): never {
  throw new MongoCommandError(code, message);
}

/** MongoDB's type name of a value ('missing' for a missing one). */
export function typeName(v: unknown): BsonTypeName {
  return bsonTypeOf(v);
}

/** null, missing or BSON undefined. */
export function isNullish(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  return bsonTypeOf(v) === 'undefined';
}

export function isNumber(v: unknown): boolean {
  return numericKind(v) !== undefined;
}

export function isString(v: unknown): v is string {
  return typeof v === 'string';
}

export { isPlainObject };

/** MongoDB's truthiness (Value::coerceToBool): false, 0, null, missing and undefined are false. */
export function toBool(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  const kind = numericKind(v);
  if (kind === 'decimal') return !toDec(v).isZero();
  if (kind) return toDouble(v) !== 0;
  return bsonTypeOf(v) !== 'undefined';
}

export function dbl(n: number): Double {
  return new Double(n);
}

/** An int32 when it fits, else a long (Value::createIntOrLong). */
export function intOrLong(n: bigint | number): unknown {
  const b = typeof n === 'bigint' ? n : BigInt(n);
  if (b >= -2147483648n && b <= 2147483647n) return Number(b);
  return Long.fromBigInt(b);
}

export function long(n: bigint | number): Long {
  return Long.fromBigInt(typeof n === 'bigint' ? n : BigInt(Math.trunc(n)));
}

export function isDecimal(v: unknown): v is Decimal128 {
  return numericKind(v) === 'decimal';
}

/** Field access without prototype lookups: documents may hold keys such as 'constructor'. */
export function getField(doc: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(doc, key) ? doc[key] : undefined;
}

/** Defines `key` on a fresh output object even when it is '__proto__'. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Short text of a value for error messages (close to MongoDB's Value::toString). */
export function show(v: unknown): string {
  const t = bsonTypeOf(v);
  switch (t) {
    case 'missing':
      return 'MISSING';
    case 'null':
      return 'null';
    case 'string':
      return JSON.stringify(v);
    case 'int':
    case 'long':
    case 'double':
      return String(toDouble(v));
    case 'decimal':
      return `NumberDecimal("${String(v)}")`;
    case 'date':
      return (v as Date).toISOString();
    case 'array':
      return '[' + (v as unknown[]).map(show).join(', ') + ']';
    case 'object':
      return (
        '{' +
        Object.entries(v as Document)
          .filter(([, x]) => x !== undefined)
          .map(([k, x]) => `${k}: ${show(x)}`)
          .join(', ') +
        '}'
      );
    default:
      return String(v);
  }
}

/** Parses an n-ary operator's arguments: an array is the argument list, anything else one argument. */
export function compileArgs(arg: unknown, cx: CompileContext): CompiledExpr[] {
  return Array.isArray(arg) ? arg.map((a) => cx.compile(a)) : [cx.compile(arg)];
}

export function fixedArity(name: string, n: number, args: CompiledExpr[]): void {
  if (args.length !== n) {
    fail(16020, `Expression ${name} takes exactly ${n} arguments. ${args.length} were passed in.`);
  }
}

export function rangedArity(name: string, min: number, max: number, args: CompiledExpr[]): void {
  if (args.length < min || args.length > max) {
    fail(
      28667,
      `Expression ${name} takes at least ${min} arguments, and at most ${max}. ${args.length} were passed in.`,
    );
  }
}

/** An operator over a fixed number of evaluated arguments. */
export function nary(
  n: number | [number, number],
  fn: (args: unknown[], name: string) => unknown,
): OperatorCompiler {
  return (arg, cx, name) => {
    const args = compileArgs(arg, cx);
    if (typeof n === 'number') fixedArity(name, n, args);
    else rangedArity(name, n[0], n[1], args);
    return foldIfConstant(args, (root, vars) =>
      fn(
        args.map((a) => a(root, vars)),
        name,
      ),
    );
  };
}

/** An operator over any number of evaluated arguments. */
export function variadic(fn: (args: unknown[], name: string) => unknown): OperatorCompiler {
  return (arg, cx, name) => {
    const args = compileArgs(arg, cx);
    return foldIfConstant(args, (root, vars) =>
      fn(
        args.map((a) => a(root, vars)),
        name,
      ),
    );
  };
}

/**
 * Precomputes `fn` when all its inputs are constant (as MongoDB's optimize() does, so errors in
 * constant sub-expressions surface when the pipeline is parsed). Not used for non-deterministic
 * operators.
 */
export function foldIfConstant(inputs: (CompiledExpr | undefined)[], fn: CompiledExpr): CompiledExpr {
  if (inputs.every((i) => i === undefined || i.constant !== undefined)) {
    return constantExpr(fn({}, EMPTY_VARS));
  }
  return fn;
}

export const EMPTY_VARS: Vars = Object.freeze({});

/** Reads the named-argument object of operators like $filter: validates it is an object. */
export function namedArgs(
  arg: unknown,
  notObject: () => never,
  allowed: readonly string[],
  unknown: (field: string) => never,
): Record<string, unknown> {
  if (!isPlainObject(arg)) notObject();
  for (const k of Object.keys(arg)) if (!allowed.includes(k)) unknown(k);
  return arg;
}

export function has(obj: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key) && obj[key] !== undefined;
}
