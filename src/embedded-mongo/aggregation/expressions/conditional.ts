/** $cond (array or named form), $ifNull (first non-null of n arguments) and $switch. */
import {
  compileArgs,
  fail,
  fixedArity,
  foldIfConstant,
  isNullish,
  isPlainObject,
  toBool,
  typeName,
  type CompiledExpr,
  type OperatorCompiler,
} from './core.js';

const $cond: OperatorCompiler = (arg, cx, name) => {
  let parts: CompiledExpr[];
  if (isPlainObject(arg)) {
    let ifE: CompiledExpr | undefined;
    let thenE: CompiledExpr | undefined;
    let elseE: CompiledExpr | undefined;
    for (const [k, v] of Object.entries(arg)) {
      if (k === 'if') ifE = cx.compile(v);
      else if (k === 'then') thenE = cx.compile(v);
      else if (k === 'else') elseE = cx.compile(v);
      else fail(17083, `Unrecognized parameter to $cond: ${k}`);
    }
    if (!ifE) fail(17080, "Missing 'if' parameter to $cond");
    if (!thenE) fail(17081, "Missing 'then' parameter to $cond");
    if (!elseE) fail(17082, "Missing 'else' parameter to $cond");
    parts = [ifE, thenE, elseE];
  } else {
    parts = compileArgs(arg, cx);
    fixedArity(name, 3, parts);
  }
  const [ifE, thenE, elseE] = parts;
  if (ifE.constant) return toBool(ifE.constant.value) ? thenE : elseE;
  return (root, vars) => (toBool(ifE(root, vars)) ? thenE(root, vars) : elseE(root, vars));
};

const $ifNull: OperatorCompiler = (arg, cx) => {
  const args = compileArgs(arg, cx);
  if (args.length < 2) fail(1257300, `$ifNull needs at least two arguments, had: ${args.length}`);
  const last = args.length - 1;
  return foldIfConstant(args, (root, vars) => {
    for (let i = 0; i < last; i++) {
      const v = args[i](root, vars);
      if (!isNullish(v)) return v;
    }
    return args[last](root, vars);
  });
};

const $switch: OperatorCompiler = (arg, cx) => {
  if (!isPlainObject(arg)) fail(40060, `$switch requires an object as an argument, found: ${typeName(arg)}`);
  const branches: [CompiledExpr, CompiledExpr][] = [];
  let def: CompiledExpr | undefined;
  for (const [k, v] of Object.entries(arg)) {
    if (k === 'branches') {
      if (!Array.isArray(v)) fail(40061, `$switch expected an array for 'branches', found: ${typeName(v)}`);
      for (const b of v) {
        if (!isPlainObject(b))
          fail(40062, `$switch expected each branch to be an object, found: ${typeName(b)}`);
        let c: CompiledExpr | undefined;
        let t: CompiledExpr | undefined;
        for (const [bk, bv] of Object.entries(b)) {
          if (bk === 'case') c = cx.compile(bv);
          else if (bk === 'then') t = cx.compile(bv);
          else fail(40063, `$switch found an unknown argument to a branch: ${bk}`);
        }
        if (!c) fail(40064, "$switch requires each branch have a 'case' expression");
        if (!t) fail(40065, "$switch requires each branch have a 'then' expression.");
        branches.push([c, t]);
      }
    } else if (k === 'default') {
      def = cx.compile(v);
    } else {
      fail(40067, `$switch found an unknown argument: ${k}`);
    }
  }
  if (branches.length === 0) fail(40068, '$switch requires at least one branch.');
  return (root, vars) => {
    for (const [c, t] of branches) if (toBool(c(root, vars))) return t(root, vars);
    if (!def)
      fail(40066, '$switch could not find a matching branch for an input, and no default was specified.');
    return def(root, vars);
  };
};

export const conditionalOperators: Record<string, OperatorCompiler> = { $cond, $ifNull, $switch };
