/**
 * Set operators. Equality is MongoDB's (1 == 1.0 == NumberLong(1)); $setUnion and
 * $setIntersection return their elements in MongoDB's value order, as mongod's ordered sets do.
 */
import { compareValues, keyString } from '../../values/index.js';
import { fail, isNullish, nary, toBool, typeName, variadic, type OperatorCompiler } from './core.js';

function dedupeSorted(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const v of values) {
    const k = keyString(v);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(v);
  }
  return out.sort(compareValues);
}

function keySet(arr: unknown[]): Set<string> {
  return new Set(arr.map(keyString));
}

const $setUnion = variadic((args) => {
  const all: unknown[] = [];
  for (const v of args) {
    if (isNullish(v)) return null;
    if (!Array.isArray(v))
      fail(17043, `All operands of $setUnion must be arrays. One argument is of type: ${typeName(v)}`);
    all.push(...v);
  }
  return dedupeSorted(all);
});

const $setIntersection = variadic((args) => {
  let current: unknown[] | undefined;
  for (const v of args) {
    if (isNullish(v)) return null;
    if (!Array.isArray(v)) {
      fail(17047, `All operands of $setIntersection must be arrays. One argument is of type: ${typeName(v)}`);
    }
    if (current === undefined) current = v;
    else {
      const keys = keySet(v);
      current = current.filter((x) => keys.has(keyString(x)));
    }
  }
  return current === undefined ? [] : dedupeSorted(current);
});

const $setDifference = nary(2, ([a, b]) => {
  if (isNullish(a) || isNullish(b)) return null;
  if (!Array.isArray(a)) {
    fail(17048, `both operands of $setDifference must be arrays. First argument is of type: ${typeName(a)}`);
  }
  if (!Array.isArray(b)) {
    fail(17049, `both operands of $setDifference must be arrays. Second argument is of type: ${typeName(b)}`);
  }
  const seen = keySet(b);
  const out: unknown[] = [];
  for (const x of a) {
    const k = keyString(x);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(x);
  }
  return out;
});

const $setEquals: OperatorCompiler = (arg, cx, name) => {
  const inner = variadic((args) => {
    let first: Set<string> | undefined;
    args.forEach((v, i) => {
      if (!Array.isArray(v)) {
        fail(
          17044,
          `All operands of $setEquals must be arrays. ${i + 1}-th argument is of type: ${typeName(v)}`,
        );
      }
    });
    for (const v of args as unknown[][]) {
      const s = keySet(v);
      if (!first) first = s;
      else if (s.size !== first.size || [...s].some((k) => !(first as Set<string>).has(k))) return false;
    }
    return true;
  });
  const n = Array.isArray(arg) ? arg.length : 1;
  if (n < 2) fail(17045, `$setEquals needs at least two arguments had: ${n}`);
  return inner(arg, cx, name);
};

const $setIsSubset = nary(2, ([a, b]) => {
  if (!Array.isArray(a)) {
    fail(17046, `both operands of $setIsSubset must be arrays. First argument is of type: ${typeName(a)}`);
  }
  if (!Array.isArray(b)) {
    fail(17042, `both operands of $setIsSubset must be arrays. Second argument is of type: ${typeName(b)}`);
  }
  const keys = keySet(b);
  return a.every((x) => keys.has(keyString(x)));
});

const $anyElementTrue = nary(1, ([v]) => {
  if (!Array.isArray(v)) fail(17041, `$anyElementTrue's argument must be an array, but is ${typeName(v)}`);
  return v.some(toBool);
});

const $allElementsTrue = nary(1, ([v]) => {
  if (!Array.isArray(v)) fail(17040, `$allElementsTrue's argument must be an array, but is ${typeName(v)}`);
  return v.every(toBool);
});

export const setOperators: Record<string, OperatorCompiler> = {
  $allElementsTrue,
  $anyElementTrue,
  $setDifference,
  $setEquals,
  $setIntersection,
  $setIsSubset,
  $setUnion,
};
