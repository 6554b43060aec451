/** $rand, $meta, $bsonSize, $binarySize, $tsSecond, $tsIncrement; $toHashedIndexKey and $function are refused. */
import { bsonSize, Long } from '../../bson.js';
import { bsonTypeOf } from '../../values/index.js';
import { getDocumentMetadata } from '../metadata.js';
import { dbl, fail, isNullish, isPlainObject, nary, typeName, type OperatorCompiler } from './core.js';

const $rand: OperatorCompiler = (arg) => {
  if (!isPlainObject(arg) || Object.keys(arg).length !== 0)
    fail(3040501, '$rand does not currently accept arguments');
  return () => dbl(Math.random());
};

const META_NAMES = new Set([
  'textScore',
  'randVal',
  'searchScore',
  'searchHighlights',
  'geoNearDistance',
  'geoNearPoint',
  'recordId',
  'indexKey',
  'sortKey',
  'searchScoreDetails',
]);

const $meta: OperatorCompiler = (arg) => {
  if (typeof arg !== 'string') fail(17307, '$meta only supports string arguments');
  if (!META_NAMES.has(arg)) fail(17308, `Unsupported argument to $meta: ${arg}`);
  return (root, vars) => {
    const m = getDocumentMetadata(vars.CURRENT ?? root);
    if (!m) return undefined;
    const v = (m as Record<string, unknown>)[arg];
    return typeof v === 'number' ? dbl(v) : v;
  };
};

const $bsonSize = nary(1, ([v]) => {
  if (isNullish(v)) return null;
  if (!isPlainObject(v)) fail(31393, `$bsonSize requires a document input, found: ${typeName(v)}`);
  return bsonSize(v);
});

const $binarySize = nary(1, ([v]) => {
  if (isNullish(v)) return null;
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (bsonTypeOf(v) !== 'binData')
    fail(51276, `$binarySize requires a string or BinData argument, found: ${typeName(v)}`);
  if (v instanceof Uint8Array) return v.length;
  return (v as { length(): number }).length();
});

function timestampPart(which: 't' | 'i'): OperatorCompiler {
  return nary(1, ([v], name) => {
    if (isNullish(v)) return null;
    if (bsonTypeOf(v) !== 'timestamp')
      fail(
        which === 't' ? 5687301 : 5687302,
        ` Argument to ${name} must be a timestamp, but is ${typeName(v)}`,
      );
    const ts = v as { t?: number; i?: number; high?: number; low?: number };
    const n = which === 't' ? (ts.t ?? (ts.high ?? 0) >>> 0) : (ts.i ?? (ts.low ?? 0) >>> 0);
    return Long.fromNumber(n);
  });
}

const refused =
  (why: string): OperatorCompiler =>
  (_arg, _cx, name) =>
    fail(238, `${name} is not supported by the embedded server: ${why}`);

export const miscOperators: Record<string, OperatorCompiler> = {
  $binarySize,
  $bsonSize,
  $function: refused('it does not run server-side JavaScript'),
  $meta,
  $rand,
  $toHashedIndexKey: refused('hashed index keys are not computed'),
  $tsIncrement: timestampPart('i'),
  $tsSecond: timestampPart('t'),
};
