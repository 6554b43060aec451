/** $eq $ne $gt $gte $lt $lte $cmp over MongoDB's total order of BSON values (values/compare.ts). */
import { compareValues } from '../../values/index.js';
import { nary, type OperatorCompiler } from './core.js';

function cmp(test: (c: number) => boolean): OperatorCompiler {
  return nary(2, ([a, b]) => test(compareValues(a, b)));
}

export const comparisonOperators: Record<string, OperatorCompiler> = {
  $cmp: nary(2, ([a, b]) => {
    const c = compareValues(a, b);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }),
  $eq: cmp((c) => c === 0),
  $gt: cmp((c) => c > 0),
  $gte: cmp((c) => c >= 0),
  $lt: cmp((c) => c < 0),
  $lte: cmp((c) => c <= 0),
  $ne: cmp((c) => c !== 0),
};
