/**
 * How the query layer reaches aggregation expressions ($expr in filters, computed fields in find
 * projections) without a static import of `aggregation/` (which itself imports the matcher for
 * $match: a static import both ways would be a module cycle).
 *
 * Resolution order, at the moment an expression is evaluated: the evaluator passed in the
 * caller's options, else one registered with `setDefaultExpressionEvaluator`, else
 * `evaluateExpression` from `aggregation/expressions.ts`, which this module starts importing
 * dynamically when it is first loaded (`loadDefaultExpressionEvaluator()` returns that promise).
 * If none is available the evaluation fails with a clear InternalError instead of guessing.
 */
import type { Document } from '../bson.js';
import { mongoError } from '../errors.js';

/** `evaluateExpression(expr, doc, vars)` as aggregation/expressions.ts exports it. */
export type ExpressionEvaluator = (expr: unknown, doc: Document, vars?: Record<string, unknown>) => unknown;

let registered: ExpressionEvaluator | undefined;
let imported: ExpressionEvaluator | undefined;
let operatorNames: ReadonlySet<string> | undefined;
let loading: Promise<boolean> | undefined;

/**
 * Registers the process-wide evaluator (the aggregation module calls this when it loads), and
 * optionally the names of the expression operators it knows (`$add`, ...).
 */
export function setDefaultExpressionEvaluator(
  fn: ExpressionEvaluator | undefined,
  operators?: readonly string[],
): void {
  registered = fn;
  if (operators) operatorNames = new Set(operators);
}

/**
 * Whether `name` is a known aggregation expression operator; undefined while no operator list is
 * known (then expressions are checked when they are evaluated).
 */
export function isKnownExpressionOperator(name: string): boolean | undefined {
  return operatorNames ? operatorNames.has(name) : undefined;
}

// A variable specifier keeps the type checker from requiring the module to exist at build time.
const AGGREGATION_EXPRESSIONS = '../aggregation/expressions.js';

/** Imports aggregation/expressions.ts once; resolves to whether an evaluator is now available. */
export function loadDefaultExpressionEvaluator(): Promise<boolean> {
  loading ??= import(AGGREGATION_EXPRESSIONS).then(
    (mod: unknown) => {
      const m = mod as { evaluateExpression?: unknown; EXPRESSION_OPERATORS?: unknown } | null;
      if (typeof m?.evaluateExpression === 'function') imported = m.evaluateExpression as ExpressionEvaluator;
      if (Array.isArray(m?.EXPRESSION_OPERATORS) && !operatorNames) {
        operatorNames = new Set(m.EXPRESSION_OPERATORS.filter((x): x is string => typeof x === 'string'));
      }
      return imported !== undefined;
    },
    () => false,
  );
  return loading.then((ok) => ok || registered !== undefined);
}

void loadDefaultExpressionEvaluator();

/** The evaluator to use now, or undefined. */
export function currentExpressionEvaluator(explicit?: ExpressionEvaluator): ExpressionEvaluator | undefined {
  return explicit ?? registered ?? imported;
}

/**
 * A function that evaluates through the evaluator available at call time, so a query compiled
 * while the aggregation module was still loading still works once it has loaded.
 */
export function lateBoundEvaluator(
  explicit: ExpressionEvaluator | undefined,
  what: string,
): ExpressionEvaluator {
  if (explicit) return explicit;
  return (expr, doc, vars) => {
    const fn = registered ?? imported;
    if (!fn) {
      throw mongoError(
        'InternalError',
        `${what} needs the aggregation expression evaluator (aggregation/expressions.ts evaluateExpression), which is not available`,
      );
    }
    return fn(expr, doc, vars);
  };
}
