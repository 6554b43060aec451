/**
 * $redact: the expression is evaluated at every document level with $$CURRENT bound to that level
 * and must return $$DESCEND, $$PRUNE or $$KEEP (17053 otherwise).
 */
import type { Document } from '../../bson.js';
import { fail, isPlainObject, setOwn, show, type CompiledExpr, type Vars } from '../expressions/core.js';
import { transformStage, type StageParser } from './stage.js';

function redactDocument(expr: CompiledExpr, doc: Document, root: Document, vars: Vars): Document | undefined {
  const decision = expr(root, { ...vars, CURRENT: doc });
  if (decision === 'keep') return doc;
  if (decision === 'prune') return undefined;
  if (decision !== 'descend') {
    fail(
      17053,
      `$redact's expression should not return anything aside from the variables $$KEEP, $$DESCEND, and $$PRUNE, but returned ${show(decision)}`,
    );
  }
  const out: Document = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v === undefined) continue;
    if (isPlainObject(v)) {
      const r = redactDocument(expr, v, root, vars);
      if (r !== undefined) setOwn(out, k, r);
    } else if (Array.isArray(v)) {
      setOwn(out, k, redactArray(expr, v, root, vars));
    } else {
      setOwn(out, k, v);
    }
  }
  return out;
}

function redactArray(expr: CompiledExpr, arr: unknown[], root: Document, vars: Vars): unknown[] {
  const out: unknown[] = [];
  for (const el of arr) {
    if (isPlainObject(el)) {
      const r = redactDocument(expr, el, root, vars);
      if (r !== undefined) out.push(r);
    } else if (Array.isArray(el)) {
      out.push(redactArray(expr, el, root, vars));
    } else {
      out.push(el);
    }
  }
  return out;
}

export const parseRedact: StageParser = (spec, pc, name) => {
  const expr = pc.compile(spec);
  return transformStage(name, (doc, env) => redactDocument(expr, doc, doc, env.vars));
};
