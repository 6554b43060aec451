/** $mergeObjects, $getField, $setField, $unsetField. Field names here are literal ('a.b' is one field). */
import { type Document } from '../../bson.js';
import { MergeObjectsState } from '../accumulators.js';
import {
  compileArgs,
  fail,
  foldIfConstant,
  getField,
  isNullish,
  isPlainObject,
  setOwn,
  typeName,
  type CompiledExpr,
  type OperatorCompiler,
} from './core.js';

const $mergeObjects: OperatorCompiler = (arg, cx) => {
  const args = compileArgs(arg, cx);
  return foldIfConstant(args, (root, vars) => {
    const s = new MergeObjectsState();
    for (const a of args) s.add(a(root, vars));
    return s.value();
  });
};

function isFieldPathSpec(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith('$');
}

/** Validates the constant 'field' argument of $getField / $setField. */
function constantField(
  spec: unknown,
  cx: Parameters<OperatorCompiler>[1],
  name: string,
  codes: number[],
): string {
  if (isFieldPathSpec(spec)) {
    fail(
      codes[0],
      `'${spec}' is a field path reference which is not allowed in this context. Did you mean {$literal: '${spec}'}?`,
    );
  }
  const e = cx.compile(spec);
  if (!e.constant)
    fail(codes[1], `${name} requires 'field' to evaluate to a constant, but got a non-constant argument`);
  const v = e.constant.value;
  if (typeof v !== 'string')
    fail(codes[2], `${name} requires 'field' to evaluate to type String, but got ${typeName(v)}`);
  return v;
}

const $getField: OperatorCompiler = (arg, cx, name) => {
  let fieldSpec: unknown;
  let input: CompiledExpr | undefined;
  let hasField = false;
  if (isPlainObject(arg) && Object.keys(arg).length > 0 && !Object.keys(arg)[0].startsWith('$')) {
    for (const [k, v] of Object.entries(arg)) {
      if (k === 'field') [fieldSpec, hasField] = [v, true];
      else if (k === 'input') input = cx.compile(v);
      else fail(3041701, `${name} found an unknown argument: ${k}`);
    }
  } else {
    fieldSpec = arg;
    hasField = true;
    input = (root, vars) => (vars.CURRENT === undefined ? root : vars.CURRENT);
  }
  if (!hasField) fail(3041702, `${name} requires 'field' to be specified`);
  if (!input) fail(3041703, `${name} requires 'input' to be specified`);
  const field = constantField(fieldSpec, cx, name, [5654600, 5654601, 5654602]);
  const inputE = input;
  return (root, vars) => {
    const v = inputE(root, vars);
    if (isNullish(v)) return v === undefined ? undefined : null;
    if (!isPlainObject(v)) return undefined;
    return getField(v, field);
  };
};

function setFieldOperator(unset: boolean): OperatorCompiler {
  return (arg, cx, name) => {
    if (!isPlainObject(arg)) fail(4161100, `${name} only supports an object as its argument`);
    let fieldSpec: unknown;
    let hasField = false;
    let input: CompiledExpr | undefined;
    let value: CompiledExpr | undefined;
    for (const [k, v] of Object.entries(arg)) {
      if (k === 'field') [fieldSpec, hasField] = [v, true];
      else if (k === 'input') input = cx.compile(v);
      else if (!unset && k === 'value') value = cx.compile(v);
      else fail(4161101, `${name} found an unknown argument: ${k}`);
    }
    if (unset) value = () => undefined;
    if (!hasField) fail(4161102, `${name} requires 'field' to be specified`);
    if (!value) fail(4161103, `${name} requires 'value' to be specified`);
    if (!input) fail(4161109, `${name} requires 'input' to be specified`);
    const field = constantField(fieldSpec, cx, name, [4161108, 4161106, 4161107]);
    const [inputE, valueE] = [input, value];
    return (root, vars) => {
      const v = inputE(root, vars);
      if (isNullish(v)) return null;
      if (!isPlainObject(v)) fail(4161105, `$setField requires 'input' to evaluate to type Object`);
      const newValue = valueE(root, vars);
      const out: Document = {};
      let placed = false;
      for (const [k, x] of Object.entries(v)) {
        if (k === field) {
          placed = true;
          if (newValue !== undefined) setOwn(out, k, newValue);
        } else if (x !== undefined) {
          setOwn(out, k, x);
        }
      }
      if (!placed && newValue !== undefined) setOwn(out, field, newValue);
      return out;
    };
  };
}

export const objectOperators: Record<string, OperatorCompiler> = {
  $getField,
  $mergeObjects,
  $setField: setFieldOperator(false),
  $unsetField: setFieldOperator(true),
};
