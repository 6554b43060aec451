/** $and / $or short-circuit left to right and always return a bool; $not negates truthiness. */
import { compileArgs, foldIfConstant, nary, toBool, type OperatorCompiler } from './core.js';

const $and: OperatorCompiler = (arg, cx) => {
  const args = compileArgs(arg, cx);
  return foldIfConstant(args, (root, vars) => {
    for (const a of args) if (!toBool(a(root, vars))) return false;
    return true;
  });
};

const $or: OperatorCompiler = (arg, cx) => {
  const args = compileArgs(arg, cx);
  return foldIfConstant(args, (root, vars) => {
    for (const a of args) if (toBool(a(root, vars))) return true;
    return false;
  });
};

export const booleanOperators: Record<string, OperatorCompiler> = {
  $and,
  $not: nary(1, ([v]) => !toBool(v)),
  $or,
};
