/**
 * Field paths (`$a.b`) and variable references (`$$name.a.b`) with aggregation semantics:
 * numeric components are field names (never array indexes), and an array met on the way maps
 * the rest of the path over its document elements, skipping elements that are not documents or
 * lack the path ({a: [{b: 1}, 5, {}]} gives [1] for `$a.b`).
 */
import { type Document } from '../../bson.js';
import { isPlainObject } from '../../values/index.js';
import { fail, getField, type CompiledExpr, type Vars } from './core.js';

/** Builtin variables every expression may read. User variables must start with a lowercase letter. */
export const SYSTEM_VARIABLES: ReadonlySet<string> = new Set([
  'ROOT',
  'CURRENT',
  'REMOVE',
  'NOW',
  'CLUSTER_TIME',
  'DESCEND',
  'PRUNE',
  'KEEP',
  'SEARCH_META',
  'USER_ROLES',
]);

const REDACT_VALUES: Record<string, string> = { DESCEND: 'descend', PRUNE: 'prune', KEEP: 'keep' };

function evalPath(start: unknown, parts: readonly string[], from: number): unknown {
  let cur: unknown = start;
  for (let i = from; i < parts.length; i++) {
    if (isPlainObject(cur)) {
      cur = getField(cur, parts[i]);
      if (cur === undefined) return undefined;
    } else if (Array.isArray(cur)) {
      return evalPathArray(cur, parts, i);
    } else {
      return undefined;
    }
  }
  return cur;
}

function evalPathArray(arr: unknown[], parts: readonly string[], from: number): unknown[] {
  const out: unknown[] = [];
  for (const el of arr) {
    if (!isPlainObject(el)) continue;
    const v = evalPath(el, parts, from);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/** Evaluates a dotted path below a value as `$$var.path` does (objects descend, arrays map). */
export function evaluatePathOn(value: unknown, path: readonly string[]): unknown {
  if (path.length === 0) return value;
  if (isPlainObject(value)) return evalPath(value, path, 0);
  if (Array.isArray(value)) return evalPathArray(value, path, 0);
  return undefined;
}

function validatePathComponents(raw: string, parts: readonly string[]): void {
  for (const p of parts) {
    if (p === '') fail(15998, `FieldPath field names may not be empty strings.`);
    if (p.startsWith('$'))
      fail(16410, `FieldPath field names may not start with '$'. Consider using $getField or $setField.`);
    if (p.includes('\0')) fail(16411, `FieldPath field names may not contain '\\0'.`);
  }
  if (raw.includes('\0')) fail(16419, 'field path must not contain embedded null characters');
}

/** Compiles `$a.b.c` (relative to $$CURRENT). */
export function compileFieldPath(raw: string): CompiledExpr {
  const path = raw.slice(1);
  if (path === '') fail(16872, "'$' by itself is not a valid FieldPath");
  const parts = path.split('.');
  validatePathComponents(raw, parts);
  if (parts.length === 1) {
    const key = parts[0];
    return (root: Document, vars: Vars) => {
      const cur = vars.CURRENT === undefined ? root : vars.CURRENT;
      return isPlainObject(cur) ? getField(cur, key) : undefined;
    };
  }
  return (root: Document, vars: Vars) => {
    const cur = vars.CURRENT === undefined ? root : vars.CURRENT;
    return evaluatePathOn(cur, parts);
  };
}

/** Validates a variable name being read (`$$name`): system (uppercase) or user (lowercase) names. */
export function validateVariableNameForRead(name: string): void {
  if (name === '') fail(16869, 'empty variable names are not allowed');
  const c = name.charCodeAt(0);
  const okStart = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c >= 128;
  if (!okStart) fail(16870, `'${name}' starts with an invalid character for a user variable name`);
  for (const ch of name.slice(1)) {
    const cc = ch.charCodeAt(0);
    const ok = /[A-Za-z0-9_]/.test(ch) || cc >= 128;
    if (!ok) fail(16871, `'${name}' contains an invalid character for a variable name: '${ch}'`);
  }
}

/** Validates a user variable name being defined ($let, as:, let:): must start with a lowercase letter. */
export function validateVariableNameForWrite(name: string): void {
  if (name === '') fail(16866, 'empty variable names are not allowed');
  if (name === 'CURRENT') return; // the one system variable a $let may rebind
  const c = name.charCodeAt(0);
  const okStart = (c >= 97 && c <= 122) || c >= 128;
  if (!okStart) fail(16867, `'${name}' starts with an invalid character for a user variable name`);
  for (const ch of name.slice(1)) {
    const cc = ch.charCodeAt(0);
    const ok = /[A-Za-z0-9_]/.test(ch) || cc >= 128;
    if (!ok) fail(16868, `'${name}' contains an invalid character for a variable name: '${ch}'`);
  }
}

/**
 * Compiles `$$name` / `$$name.a.b`. `defined` lists user variables in scope (null: unchecked, the
 * check then happens at run time).
 */
export function compileVariable(raw: string, defined: ReadonlySet<string> | null): CompiledExpr {
  const body = raw.slice(2);
  const dot = body.indexOf('.');
  const name = dot < 0 ? body : body.slice(0, dot);
  const parts = dot < 0 ? [] : body.slice(dot + 1).split('.');
  validateVariableNameForRead(name);
  if (parts.length) validatePathComponents(raw, parts);
  const isSystem = SYSTEM_VARIABLES.has(name);
  if (!isSystem && defined !== null && !defined.has(name)) fail(17276, `Use of undefined variable: ${name}`);
  if (!isSystem && (name.charCodeAt(0) < 97 || name.charCodeAt(0) > 122) && name.charCodeAt(0) < 128) {
    fail(17276, `Use of undefined variable: ${name}`);
  }
  const read = variableReader(name);
  if (parts.length === 0) return read;
  return (root, vars) => evaluatePathOn(read(root, vars), parts);
}

function variableReader(name: string): CompiledExpr {
  switch (name) {
    case 'ROOT':
      return (root) => root;
    case 'CURRENT':
      return (root, vars) => (vars.CURRENT === undefined ? root : vars.CURRENT);
    case 'REMOVE':
      return () => undefined;
    case 'DESCEND':
    case 'PRUNE':
    case 'KEEP': {
      const v = REDACT_VALUES[name];
      return () => v;
    }
    case 'NOW':
      return (_root, vars) => (vars.NOW === undefined ? new Date() : vars.NOW);
    case 'CLUSTER_TIME':
    case 'SEARCH_META':
    case 'USER_ROLES':
      return (_root, vars) => vars[name];
    default:
      return (_root, vars) => {
        if (!Object.prototype.hasOwnProperty.call(vars, name))
          fail(17276, `Use of undefined variable: ${name}`);
        return vars[name];
      };
  }
}
