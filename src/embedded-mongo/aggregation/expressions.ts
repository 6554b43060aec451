/**
 * Aggregation expressions: `compileExpression(expr)` parses an expression once into a closure
 * `(root, vars) => value`; `evaluateExpression(expr, doc, vars)` is the one-shot form (cached per
 * expression object) that the query layer uses for $expr.
 *
 * Parsing follows mongod: a string starting with `$` is a field path, `$$` a variable, an object
 * whose first key starts with `$` is an operator (exactly one key), any other object is an object
 * literal, arrays are array literals (missing elements become null), everything else is a
 * constant. Errors (unknown operator 168, bad arity 16020, undefined variable 17276, ...) carry
 * mongod's codes. Sub-expressions whose inputs are all constant are folded at parse time, so a
 * constant error such as `{$divide: [1, 0]}` fails when the pipeline is parsed, as in mongod.
 *
 * Variables: `vars` holds user variables by name plus the system values the caller provides
 * (`NOW`, `CLUSTER_TIME`; `CURRENT` when rebinding). `$$ROOT` is the root document, `$$REMOVE`
 * is missing, `$$NOW` defaults to the current time when the caller gives none.
 */
import type { Document } from '../bson.js';
import { setDefaultExpressionEvaluator } from '../query/expression-evaluator.js';
import {
  constantExpr,
  EMPTY_VARS,
  fail,
  foldIfConstant,
  isPlainObject,
  setOwn,
  show,
  type CompileContext,
  type CompiledExpr,
  type Vars,
} from './expressions/core.js';
import {
  compileFieldPath,
  compileVariable,
  validateVariableNameForWrite as validateUserVariableName,
} from './expressions/field-path.js';
import { lookupOperator } from './expressions/registry.js';

export type { CompileContext, CompiledExpr, Vars } from './expressions/core.js';
export { EXPRESSION_OPERATORS } from './expressions/registry.js';
export { validateUserVariableName };

export interface CompileOptions {
  /**
   * User variables in scope (the aggregate command's `let`, a $lookup's `let`). With it, a
   * reference to any other user variable fails at parse time (17276); without it the check
   * happens when the reference is evaluated.
   */
  variables?: Iterable<string>;
}

const InvalidPipelineOperator = 168;

class Context implements CompileContext {
  constructor(readonly defined: ReadonlySet<string> | null) {}

  compile(expr: unknown): CompiledExpr {
    return compileAny(expr, this);
  }

  withVariables(names: readonly string[]): CompileContext {
    if (this.defined === null || names.length === 0) return this;
    return new Context(new Set([...this.defined, ...names]));
  }
}

function validateLiteralFieldName(name: string): void {
  if (name === '') fail(15998, 'FieldPath field names may not be empty strings.');
  if (name.startsWith('$')) {
    fail(16410, "FieldPath field names may not start with '$'. Consider using $getField or $setField.");
  }
  if (name.includes('\0')) fail(16411, "FieldPath field names may not contain '\\0'.");
  if (name.includes('.'))
    fail(16412, "FieldPath field names may not contain '.'. Consider using $getField or $setField.");
}

function compileObject(obj: Record<string, unknown>, cx: Context): CompiledExpr {
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  if (keys.length === 0) return constantExpr({});
  const first = keys[0];
  if (first.startsWith('$')) {
    if (keys.length !== 1) {
      fail(15983, `An object representing an expression must have exactly one field: ${show(obj)}`);
    }
    const op = lookupOperator(first);
    if (!op) fail(InvalidPipelineOperator, `Unrecognized expression '${first}'`);
    return op(obj[first], cx, first);
  }
  const fields = keys.map((k) => {
    validateLiteralFieldName(k);
    return [k, cx.compile(obj[k])] as const;
  });
  return foldIfConstant(
    fields.map(([, e]) => e),
    (root, vars) => {
      const out: Document = {};
      for (const [k, e] of fields) {
        const v = e(root, vars);
        if (v !== undefined) setOwn(out, k, v);
      }
      return out;
    },
  );
}

function compileArray(arr: unknown[], cx: Context): CompiledExpr {
  const items = arr.map((x) => cx.compile(x));
  return foldIfConstant(items, (root, vars) =>
    items.map((e) => {
      const v = e(root, vars);
      return v === undefined ? null : v;
    }),
  );
}

function compileAny(expr: unknown, cx: Context): CompiledExpr {
  if (typeof expr === 'string') {
    if (expr.startsWith('$$')) return compileVariable(expr, cx.defined);
    if (expr.startsWith('$')) return compileFieldPath(expr);
    return constantExpr(expr);
  }
  if (Array.isArray(expr)) return compileArray(expr, cx);
  if (isPlainObject(expr)) return compileObject(expr, cx);
  return constantExpr(expr);
}

/** A compile context for operators and accumulators with `variables` in scope (unchecked when omitted). */
export function createCompileContext(variables?: Iterable<string>): CompileContext {
  return new Context(variables === undefined ? null : new Set(variables));
}

/** Parses an expression into a closure evaluated as `compiled(rootDocument, variables)`. */
export function compileExpression(expr: unknown, options: CompileOptions = {}): CompiledExpr {
  const defined = options.variables === undefined ? null : new Set(options.variables);
  return compileAny(expr, new Context(defined));
}

const cache = new WeakMap<object, CompiledExpr>();

/** Evaluates an expression against `doc` (compiled once per expression object). */
export function evaluateExpression(
  expr: unknown,
  doc: Document,
  vars: Record<string, unknown> = {},
): unknown {
  let compiled: CompiledExpr | undefined;
  if (typeof expr === 'object' && expr !== null) {
    compiled = cache.get(expr);
    if (!compiled) {
      compiled = compileExpression(expr);
      cache.set(expr, compiled);
    }
  } else {
    compiled = compileExpression(expr);
  }
  return compiled(doc, vars);
}

/** Evaluates the aggregate command's `let` (or a stage's) into variable values, validating names. */
export function evaluateVariables(spec: Document, base: Vars = EMPTY_VARS): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, e] of Object.entries(spec)) {
    if (e === undefined) continue;
    validateUserVariableName(name);
    out[name] = compileExpression(e, { variables: Object.keys(base) })({}, base);
  }
  return out;
}

setDefaultExpressionEvaluator(evaluateExpression);
