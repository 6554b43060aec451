/** Every expression operator by name, one family module each (alphabetical lookup table). */
import { accumulatorOperators } from './accumulator.js';
import { arithmeticOperators } from './arithmetic.js';
import { arrayOperators } from './array.js';
import { booleanOperators } from './boolean.js';
import { comparisonOperators } from './comparison.js';
import { conditionalOperators } from './conditional.js';
import type { OperatorCompiler } from './core.js';
import { dateOperators } from './date.js';
import { miscOperators } from './misc.js';
import { objectOperators } from './object.js';
import { setOperators } from './set.js';
import { stringOperators } from './string.js';
import { typeOperators } from './type.js';
import { variableOperators } from './variables.js';

const families: Record<string, OperatorCompiler>[] = [
  accumulatorOperators,
  arithmeticOperators,
  arrayOperators,
  booleanOperators,
  comparisonOperators,
  conditionalOperators,
  dateOperators,
  miscOperators,
  objectOperators,
  setOperators,
  stringOperators,
  typeOperators,
  variableOperators,
];

const table = new Map<string, OperatorCompiler>();
for (const family of families) {
  for (const [name, compiler] of Object.entries(family)) {
    if (table.has(name)) throw new Error(`duplicate expression operator ${name}`);
    table.set(name, compiler);
  }
}

export function lookupOperator(name: string): OperatorCompiler | undefined {
  return table.get(name);
}

/** Names of all supported expression operators, sorted. */
export const EXPRESSION_OPERATORS: readonly string[] = [...table.keys()].sort();
