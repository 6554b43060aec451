/** $let (scoped variables) and $literal (a value taken as is, never parsed as an expression). */
import { constantExpr, fail, isPlainObject, type CompiledExpr, type OperatorCompiler } from './core.js';
import { validateVariableNameForWrite } from './field-path.js';

const $let: OperatorCompiler = (arg, cx) => {
  if (!isPlainObject(arg)) fail(16874, '$let only supports an object as its argument');
  let varsSpec: unknown;
  let inSpec: unknown;
  let hasVars = false;
  let hasIn = false;
  for (const [k, v] of Object.entries(arg)) {
    if (k === 'vars') [varsSpec, hasVars] = [v, true];
    else if (k === 'in') [inSpec, hasIn] = [v, true];
    else fail(16875, `Unrecognized parameter to $let: ${k}`);
  }
  if (!hasVars) fail(16876, "Missing 'vars' parameter to $let");
  if (!hasIn) fail(16877, "Missing 'in' parameter to $let");
  if (!isPlainObject(varsSpec)) fail(10065, `invalid parameter: expected an object (vars)`);
  const names: string[] = [];
  const values: CompiledExpr[] = [];
  for (const [name, v] of Object.entries(varsSpec)) {
    values.push(cx.compile(v));
    validateVariableNameForWrite(name);
    names.push(name);
  }
  const body = cx.withVariables(names).compile(inSpec);
  return (root, vars) => {
    const scope: Record<string, unknown> = { ...vars };
    for (let i = 0; i < names.length; i++) scope[names[i]] = values[i](root, vars);
    return body(root, scope);
  };
};

const $literal: OperatorCompiler = (arg) => constantExpr(arg);

export const variableOperators: Record<string, OperatorCompiler> = {
  $const: $literal,
  $let,
  $literal,
};
