/** Array operators, including the variable-binding ones ($map, $filter, $reduce) and $sortArray. */
import { type Document } from '../../bson.js';
import { compareValues, getPath, valuesEqual } from '../../values/index.js';
import {
  compileArgs,
  fail,
  foldIfConstant,
  isNullish,
  isNumber,
  isPlainObject,
  nary,
  rangedArity,
  setOwn,
  show,
  toBool,
  typeName,
  variadic,
  type CompiledExpr,
  type OperatorCompiler,
} from './core.js';
import { validateVariableNameForWrite } from './field-path.js';
import { coerceToInt, coerceToLong, isIntegral } from './numbers.js';

function arrayElemAt(name: string, arity: number, array: unknown, index: unknown): unknown {
  if (isNullish(array) || isNullish(index)) return null;
  if (!Array.isArray(array)) {
    fail(
      28689,
      `${name}'s ${arity === 1 ? 'argument' : 'first argument'} must be an array, but is ${typeName(array)}`,
    );
  }
  if (!isNumber(index))
    fail(28690, `${name}'s second argument must be a numeric value, but is ${typeName(index)}`);
  if (!isIntegral(index)) {
    fail(28691, `${name}'s second argument must be representable as a 32-bit integer: ${show(index)}`);
  }
  let i = coerceToInt(index);
  if (i < 0) {
    if (-i > array.length) return undefined;
    i += array.length;
  }
  return array[i];
}

const $arrayElemAt = nary(2, ([a, i], name) => arrayElemAt(name, 2, a, i));
const $first = nary(1, ([a], name) => arrayElemAt(name, 1, a, 0));
const $last = nary(1, ([a], name) => arrayElemAt(name, 1, a, -1));

const $concatArrays = variadic((args) => {
  const out: unknown[] = [];
  for (const v of args) {
    if (isNullish(v)) return null;
    if (!Array.isArray(v)) fail(28664, `$concatArrays only supports arrays, not ${typeName(v)}`);
    for (const x of v) out.push(x);
  }
  return out;
});

/** Parses `as`, validating the name, with MongoDB's default "this". */
function variableName(as: unknown): string {
  const name = as === undefined ? 'this' : String(as);
  validateVariableNameForWrite(name);
  return name;
}

const $filter: OperatorCompiler = (arg, cx) => {
  if (!isPlainObject(arg)) fail(28646, '$filter only supports an object as its argument');
  let inputSpec: unknown;
  let asSpec: unknown;
  let condSpec: unknown;
  let limitSpec: unknown;
  let hasInput = false;
  let hasCond = false;
  let hasLimit = false;
  for (const [k, v] of Object.entries(arg)) {
    if (k === 'input') [inputSpec, hasInput] = [v, true];
    else if (k === 'as') asSpec = v;
    else if (k === 'cond') [condSpec, hasCond] = [v, true];
    else if (k === 'limit') [limitSpec, hasLimit] = [v, true];
    else fail(28647, `Unrecognized parameter to $filter: ${k}`);
  }
  if (!hasInput) fail(28648, "Missing 'input' parameter to $filter");
  if (!hasCond) fail(28650, "Missing 'cond' parameter to $filter");
  const input = cx.compile(inputSpec);
  const as = variableName(asSpec);
  const cond = cx.withVariables([as]).compile(condSpec);
  const limit = hasLimit ? cx.compile(limitSpec) : undefined;
  return (root, vars) => {
    const arr = input(root, vars);
    if (isNullish(arr)) return null;
    if (!Array.isArray(arr)) fail(28651, `input to $filter must be an array not ${typeName(arr)}`);
    if (arr.length === 0) return arr;
    let remaining = Infinity;
    if (limit) {
      const l = limit(root, vars);
      if (!isNullish(l)) {
        if (!isIntegral(l))
          fail(327391, `$filter: limit must be represented as a 32-bit integral value: ${show(l)}`);
        const n = coerceToInt(l);
        if (n <= 0) fail(327392, `$filter: limit must be greater than 0: ${show(l)}`);
        remaining = n;
      }
    }
    const scope: Record<string, unknown> = { ...vars };
    const out: unknown[] = [];
    for (const el of arr) {
      scope[as] = el;
      if (toBool(cond(root, scope))) {
        out.push(el);
        if (--remaining === 0) break;
      }
    }
    return out;
  };
};

const $map: OperatorCompiler = (arg, cx) => {
  if (!isPlainObject(arg)) fail(16878, '$map only supports an object as its argument');
  let inputSpec: unknown;
  let asSpec: unknown;
  let inSpec: unknown;
  let hasInput = false;
  let hasIn = false;
  for (const [k, v] of Object.entries(arg)) {
    if (k === 'input') [inputSpec, hasInput] = [v, true];
    else if (k === 'as') asSpec = v;
    else if (k === 'in') [inSpec, hasIn] = [v, true];
    else fail(16879, `Unrecognized parameter to $map: ${k}`);
  }
  if (!hasInput) fail(16880, "Missing 'input' parameter to $map");
  if (!hasIn) fail(16882, "Missing 'in' parameter to $map");
  const input = cx.compile(inputSpec);
  const as = variableName(asSpec);
  const each = cx.withVariables([as]).compile(inSpec);
  return (root, vars) => {
    const arr = input(root, vars);
    if (isNullish(arr)) return null;
    if (!Array.isArray(arr)) fail(16883, `input to $map must be an array not ${typeName(arr)}`);
    if (arr.length === 0) return arr;
    const scope: Record<string, unknown> = { ...vars };
    return arr.map((el) => {
      scope[as] = el;
      const v = each(root, scope);
      return v === undefined ? null : v;
    });
  };
};

const $reduce: OperatorCompiler = (arg, cx) => {
  if (!isPlainObject(arg)) fail(40075, `$reduce requires an object as an argument, found: ${typeName(arg)}`);
  let input: CompiledExpr | undefined;
  let initial: CompiledExpr | undefined;
  let inE: CompiledExpr | undefined;
  for (const [k, v] of Object.entries(arg)) {
    if (k === 'input') input = cx.compile(v);
    else if (k === 'initialValue') initial = cx.compile(v);
    else if (k === 'in') inE = cx.withVariables(['this', 'value']).compile(v);
    else fail(40076, `$reduce found an unknown argument: ${k}`);
  }
  if (!input) fail(40077, "$reduce requires 'input' to be specified");
  if (!initial) fail(40078, "$reduce requires 'initialValue' to be specified");
  if (!inE) fail(40079, "$reduce requires 'in' to be specified");
  const [inputE, initialE, body] = [input, initial, inE];
  return (root, vars) => {
    const arr = inputE(root, vars);
    if (isNullish(arr)) return null;
    if (!Array.isArray(arr)) fail(40080, `$reduce requires that 'input' be an array, found: ${show(arr)}`);
    let acc = initialE(root, vars);
    const scope: Record<string, unknown> = { ...vars };
    for (const el of arr) {
      scope.this = el;
      scope.value = acc;
      acc = body(root, scope);
    }
    return acc;
  };
};

const $in = nary(2, ([v, arr]) => {
  if (!Array.isArray(arr)) fail(40081, `$in requires an array as a second argument, found: ${typeName(arr)}`);
  for (const x of arr) if (valuesEqual(v, x)) return true;
  return false;
});

function indexBound(v: unknown, what: string): number {
  if (!isIntegral(v)) {
    fail(
      40096,
      `$indexOfArrayrequires an integral ${what}, found a value of type: ${typeName(v)}, with value: ${show(v)}`,
    );
  }
  const n = coerceToInt(v);
  if (n < 0) fail(40097, `$indexOfArray requires a nonnegative ${what}, found: ${show(v)}`);
  return n;
}

const $indexOfArray: OperatorCompiler = (arg, cx, name) => {
  const args = compileArgs(arg, cx);
  rangedArity(name, 2, 4, args);
  return foldIfConstant(args, (root, vars) => {
    const arr = args[0](root, vars);
    if (isNullish(arr)) return null;
    if (!Array.isArray(arr)) {
      fail(40090, `$indexOfArray requires an array as a first argument, found: ${typeName(arr)}`);
    }
    const start = args.length > 2 ? indexBound(args[2](root, vars), 'starting index') : 0;
    const end =
      args.length > 3 ? Math.min(arr.length, indexBound(args[3](root, vars), 'ending index')) : arr.length;
    const target = args[1](root, vars);
    for (let i = start; i < end; i++) if (valuesEqual(arr[i], target)) return i;
    return -1;
  });
};

const $isArray = nary(1, ([v]) => Array.isArray(v));

const $size = nary(1, ([v]) => {
  if (!Array.isArray(v))
    fail(17124, `The argument to $size must be an array, but was of type: ${typeName(v)}`);
  return v.length;
});

const $slice: OperatorCompiler = (arg, cx, name) => {
  const args = compileArgs(arg, cx);
  rangedArity(name, 2, 3, args);
  return foldIfConstant(args, (root, vars) => {
    const arr = args[0](root, vars);
    const a2 = args[1](root, vars);
    if (isNullish(arr) || isNullish(a2)) return null;
    if (!Array.isArray(arr))
      fail(28724, `First argument to $slice must be an array, but is of type: ${typeName(arr)}`);
    if (!isNumber(a2))
      fail(28725, `Second argument to $slice must be a numeric value, but is of type: ${typeName(a2)}`);
    if (!isIntegral(a2))
      fail(28726, `Second argument to $slice can't be represented as a 32-bit integer: ${show(a2)}`);
    const n = arr.length;
    if (args.length === 2) {
      const count = coerceToInt(a2);
      return count >= 0 ? arr.slice(0, Math.min(n, count)) : arr.slice(Math.max(0, n + count));
    }
    const s = coerceToInt(a2);
    const start = s < 0 ? Math.max(0, n + s) : Math.min(n, s);
    const c = args[2](root, vars);
    if (isNullish(c)) return null;
    if (!isNumber(c)) fail(28727, `Third argument to $slice must be numeric, but is of type: ${typeName(c)}`);
    if (!isIntegral(c))
      fail(28728, `Third argument to $slice can't be represented as a 32-bit integer: ${show(c)}`);
    const count = coerceToInt(c);
    if (count <= 0) fail(28729, `Third argument to $slice must be positive: ${count}`);
    return arr.slice(start, Math.min(start + count, n));
  });
};

const MAX_RANGE_ELEMENTS = 4194304;

const $range: OperatorCompiler = (arg, cx, name) => {
  const args = compileArgs(arg, cx);
  rangedArity(name, 2, 3, args);
  return foldIfConstant(args, (root, vars) => {
    const startV = args[0](root, vars);
    const endV = args[1](root, vars);
    if (!isNumber(startV))
      fail(34443, `$range requires a numeric starting value, found value of type: ${typeName(startV)}`);
    if (!isIntegral(startV)) {
      fail(
        34444,
        `$range requires a starting value that can be represented as a 32-bit integer, found value: ${show(startV)}`,
      );
    }
    if (!isNumber(endV))
      fail(34445, `$range requires a numeric ending value, found value of type: ${typeName(endV)}`);
    if (!isIntegral(endV)) {
      fail(
        34446,
        `$range requires an ending value that can be represented as a 32-bit integer, found value: ${show(endV)}`,
      );
    }
    let step = 1;
    if (args.length === 3) {
      const s = args[2](root, vars);
      if (!isNumber(s))
        fail(34447, `$range requires a numeric step value, found value of type:${typeName(s)}`);
      if (!isIntegral(s)) {
        fail(
          34448,
          `$range requires a step value that can be represented as a 32-bit integer, found value: ${show(s)}`,
        );
      }
      step = coerceToInt(s);
      if (step === 0) fail(34449, '$range requires a non-zero step value');
    }
    let cur = coerceToInt(startV);
    const end = coerceToInt(endV);
    const steps = Math.trunc((end - cur) / step);
    const length = steps >= 0 ? steps + 1 : 0;
    if (length > MAX_RANGE_ELEMENTS) {
      fail(
        146,
        `$range would use too much memory (${length * 16} bytes) and cannot spill to disk. Memory limit: 67108864 bytes`,
      );
    }
    const out: number[] = [];
    while (step > 0 ? cur < end : cur > end) {
      out.push(cur);
      cur += step;
    }
    return out;
  });
};

const $reverseArray = nary(1, ([v]) => {
  if (isNullish(v)) return null;
  if (!Array.isArray(v))
    fail(34435, `The argument to $reverseArray must be an array, but was of type: ${typeName(v)}`);
  return v.length < 2 ? v : [...v].reverse();
});

const $zip: OperatorCompiler = (arg, cx) => {
  if (!isPlainObject(arg)) fail(34460, `$zip only supports an object as an argument, found ${typeName(arg)}`);
  let inputs: CompiledExpr[] = [];
  let defaults: CompiledExpr[] = [];
  let longest = false;
  for (const [k, v] of Object.entries(arg)) {
    if (k === 'inputs') {
      if (!Array.isArray(v)) fail(34461, `inputs must be an array of expressions, found ${typeName(v)}`);
      inputs = v.map((x) => cx.compile(x));
    } else if (k === 'defaults') {
      if (!Array.isArray(v)) fail(34462, `defaults must be an array of expressions, found ${typeName(v)}`);
      defaults = v.map((x) => cx.compile(x));
    } else if (k === 'useLongestLength') {
      if (typeof v !== 'boolean') fail(34463, `useLongestLength must be a bool, found ${typeName(v)}`);
      longest = v;
    } else {
      fail(34464, `$zip found an unknown argument: ${k}`);
    }
  }
  if (inputs.length === 0) fail(34465, '$zip requires at least one input array');
  if (!longest && defaults.length) fail(34466, 'cannot specify defaults unless useLongestLength is true');
  if (defaults.length && defaults.length !== inputs.length)
    fail(34467, 'defaults and inputs must have the same length');
  return foldIfConstant([...inputs, ...defaults], (root, vars) => {
    const arrays: unknown[][] = [];
    for (const e of inputs) {
      const v = e(root, vars);
      if (isNullish(v)) return null;
      if (!Array.isArray(v)) fail(34468, `$zip found a non-array expression in input: ${show(v)}`);
      arrays.push(v);
    }
    const lengths = arrays.map((a) => a.length);
    const min = Math.min(...lengths);
    const max = Math.max(...lengths);
    const defs: unknown[] = inputs.map(() => null);
    if (min !== max) defaults.forEach((d, i) => (defs[i] = d(root, vars)));
    const n = longest ? max : min;
    const out: unknown[][] = [];
    for (let row = 0; row < n; row++) out.push(arrays.map((a, col) => (row < a.length ? a[row] : defs[col])));
    return out;
  });
};

const $arrayToObject = nary(1, ([input]) => {
  if (isNullish(input)) return null;
  if (!Array.isArray(input)) fail(40386, `$arrayToObject requires an array input, found: ${typeName(input)}`);
  const out: Document = {};
  if (input.length === 0) return out;
  const arrayFormat = Array.isArray(input[0]);
  if (!arrayFormat && !isPlainObject(input[0])) {
    fail(40398, `Unrecognised input type format for $arrayToObject: ${typeName(input[0])}`);
  }
  for (const el of input) {
    let key: unknown;
    let value: unknown;
    if (arrayFormat) {
      if (!Array.isArray(el)) {
        fail(
          40396,
          `$arrayToObject requires a consistent input format. Elements mustall be arrays or all be objects. Array was detected, now found: ${typeName(el)}`,
        );
      }
      if (el.length !== 2)
        fail(40397, `$arrayToObject requires an array of size 2 arrays,found array of size: ${el.length}`);
      [key, value] = el;
      if (typeof key !== 'string') {
        fail(
          40395,
          `$arrayToObject requires an array of key-value pairs, where the key must be of type string. Found key type: ${typeName(key)}`,
        );
      }
      if (key.includes('\0')) fail(4940400, 'Key field cannot contain an embedded null byte');
    } else {
      if (!isPlainObject(el)) {
        fail(
          40391,
          `$arrayToObject requires a consistent input format. Elements mustall be arrays or all be objects. Object was detected, now found: ${typeName(el)}`,
        );
      }
      const keys = Object.keys(el).filter((k) => el[k] !== undefined);
      if (keys.length !== 2) {
        fail(
          40392,
          `$arrayToObject requires an object keys of 'k' and 'v'. Found incorrect number of keys:${keys.length}`,
        );
      }
      key = el.k;
      value = el.v;
      if (key === undefined || value === undefined) {
        fail(
          40393,
          `$arrayToObject requires an object with keys 'k' and 'v'. Missing either or both keys from: ${show(el)}`,
        );
      }
      if (typeof key !== 'string') {
        fail(
          40394,
          `$arrayToObject requires an object with keys 'k' and 'v', where the value of 'k' must be of type string. Found type: ${typeName(key)}`,
        );
      }
      if (key.includes('\0')) fail(4940401, 'Key field cannot contain an embedded null byte');
    }
    setOwn(out, key as string, value);
  }
  return out;
});

const $objectToArray = nary(1, ([v]) => {
  if (isNullish(v)) return null;
  if (!isPlainObject(v)) fail(40390, `$objectToArray requires a document input, found: ${typeName(v)}`);
  const out: Document[] = [];
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out.push({ k, v: x });
  return out;
});

/** Compares two values under a $sortArray / $push-$sort style pattern. */
export function patternComparator(sortBy: unknown): (a: unknown, b: unknown) => number {
  if (isNumber(sortBy)) {
    const dir = Number(coerceToLong(sortBy));
    return (a, b) => compareValues(a, b) * dir;
  }
  const keys = Object.entries(sortBy as Document).map(
    ([path, d]) => [path, Number(coerceToLong(d))] as const,
  );
  const firstDir = keys.length ? keys[0][1] : 1;
  return (a, b) => {
    if (isPlainObject(a) && isPlainObject(b)) {
      for (const [path, dir] of keys) {
        const c = compareValues(getPath(a, path) ?? null, getPath(b, path) ?? null);
        if (c !== 0) return c * dir;
      }
      return 0;
    }
    return compareValues(a, b) * firstDir;
  };
}

function validateSortBy(sortBy: unknown): void {
  if (isPlainObject(sortBy)) {
    const entries = Object.entries(sortBy);
    if (entries.length === 0)
      fail(2942505, 'BadValue: The $sort pattern is empty when it should be a set of fields.');
    for (const [k, v] of entries) {
      const ok =
        isNumber(v) && (Number(coerceToLong(v)) === 1 || Number(coerceToLong(v)) === -1) && isIntegral(v);
      if (!ok) fail(2942505, `BadValue: The $sort element value must be either 1 or -1 (field ${k})`);
    }
    return;
  }
  if (isNumber(sortBy)) {
    const d = Number(coerceToLong(sortBy));
    if (!(isIntegral(sortBy) && (d === 1 || d === -1)))
      fail(2942506, 'The $sort element value must be either 1 or -1');
    return;
  }
  fail(
    2942507,
    'The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields',
  );
}

const $sortArray: OperatorCompiler = (arg, cx) => {
  if (!isPlainObject(arg))
    fail(2942500, `$sortArray requires an object as an argument, found: ${typeName(arg)}`);
  let input: CompiledExpr | undefined;
  let sortBy: unknown;
  let hasSortBy = false;
  for (const [k, v] of Object.entries(arg)) {
    if (k === 'input') input = cx.compile(v);
    else if (k === 'sortBy') {
      validateSortBy(v);
      sortBy = v;
      hasSortBy = true;
    } else fail(2942501, `$sortArray found an unknown argument: ${k}`);
  }
  if (!input) fail(2942502, "$sortArray requires 'input' to be specified");
  if (!hasSortBy) fail(2942503, "$sortArray requires 'sortBy' to be specified");
  const inputE = input;
  const cmp = patternComparator(sortBy);
  return foldIfConstant([inputE], (root, vars) => {
    const v = inputE(root, vars);
    if (isNullish(v)) return null;
    if (!Array.isArray(v)) {
      fail(2942504, `The input argument to $sortArray must be an array, but was of type: ${typeName(v)}`);
    }
    return v.length < 2 ? v : [...v].sort(cmp);
  });
};

export const arrayOperators: Record<string, OperatorCompiler> = {
  $arrayElemAt,
  $arrayToObject,
  $concatArrays,
  $filter,
  $first,
  $in,
  $indexOfArray,
  $isArray,
  $last,
  $map,
  $objectToArray,
  $range,
  $reduce,
  $reverseArray,
  $size,
  $slice,
  $sortArray,
  $zip,
};
