/**
 * $match: a query filter (query/matcher.ts). `$expr` parts are compiled here with the pipeline's
 * variables in scope, so they fail at parse time like the rest of the pipeline and see the
 * variables of the run ($lookup `let` values differ per outer document).
 */
import type { Document } from '../../bson.js';
import { compileFilter } from '../../query/matcher.js';
import {
  fail,
  isPlainObject,
  typeName,
  type CompiledExpr,
  type Vars,
  EMPTY_VARS,
} from '../expressions/core.js';
import { transformStage, type StageParser } from './stage.js';

/** Collects the arguments of `$expr` at the top level and under $and / $or / $nor. */
function exprArguments(filter: Document, out: unknown[] = []): unknown[] {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$expr') out.push(v);
    else if ((k === '$and' || k === '$or' || k === '$nor') && Array.isArray(v)) {
      for (const f of v) if (isPlainObject(f)) exprArguments(f, out);
    }
  }
  return out;
}

function hasText(filter: Document): boolean {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$text') return true;
    if ((k === '$and' || k === '$or' || k === '$nor') && Array.isArray(v)) {
      if (v.some((f) => isPlainObject(f) && hasText(f))) return true;
    }
  }
  return false;
}

export const parseMatch: StageParser = (spec, pc, name) => {
  if (!isPlainObject(spec))
    fail(15959, `the match filter must be an expression in an object, not ${typeName(spec)}`);
  if (hasText(spec) && (pc.index !== 0 || pc.within !== undefined)) {
    fail(17313, '$match with $text is only allowed as the first pipeline stage');
  }
  const compiled = new Map<unknown, CompiledExpr>();
  for (const arg of exprArguments(spec)) compiled.set(arg, pc.compile(arg));
  // The matcher calls back synchronously while the transform runs, so the run's variables are
  // handed over through this cell.
  const cell: { vars: Vars } = { vars: EMPTY_VARS };
  const textMatcher = pc.ctx.textMatcher;
  const matcher = compileFilter(spec, {
    evaluateExpr: (expr, doc) => {
      let e = compiled.get(expr);
      if (!e) {
        e = pc.compile(expr);
        compiled.set(expr, e);
      }
      return e(doc, cell.vars);
    },
    textMatcher: textMatcher ? (text) => textMatcher.call(pc.ctx, text) : undefined,
    collation: pc.ctx.collation,
  });
  return transformStage(name, (doc, env) => {
    cell.vars = env.vars;
    return matcher(doc) ? doc : undefined;
  });
};
