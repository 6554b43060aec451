/**
 * Accumulators used as expressions: $sum, $avg, $min, $max, $stdDevPop, $stdDevSamp over their
 * arguments (a single array argument is accumulated element by element), and $firstN, $lastN,
 * $minN, $maxN over an `input` array.
 */
import {
  FirstLastNState,
  MinMaxNState,
  MinMaxState,
  StdDevState,
  SumState,
  validateN,
} from '../accumulators.js';
import {
  compileArgs,
  fail,
  foldIfConstant,
  isPlainObject,
  show,
  type CompiledExpr,
  type OperatorCompiler,
} from './core.js';

interface State {
  add(v: unknown): void;
}

function fromAccumulator<S extends State>(make: () => S, result: (s: S) => unknown): OperatorCompiler {
  return (arg, cx) => {
    const args = compileArgs(arg, cx);
    return foldIfConstant(args, (root, vars) => {
      const s = make();
      if (args.length === 1) {
        const v = args[0](root, vars);
        if (Array.isArray(v)) for (const x of v) s.add(x);
        else s.add(v);
      } else {
        for (const a of args) s.add(a(root, vars));
      }
      return result(s);
    });
  };
}

function fromAccumulatorN(
  minMax: boolean,
  make: (n: number) => State & { value(): unknown },
): OperatorCompiler {
  return (arg, cx) => {
    if (!isPlainObject(arg))
      fail(minMax ? 5787900 : 5787801, `specification must be an object; found ${show(arg)}`);
    let n: CompiledExpr | undefined;
    let input: CompiledExpr | undefined;
    for (const [k, v] of Object.entries(arg)) {
      if (k === 'input') input = cx.compile(v);
      else if (k === 'n') n = cx.compile(v);
      else fail(5787901, `Unknown argument for 'n' operator: ${k}`);
    }
    if (!n) fail(5787906, "Missing value for 'n'");
    if (!input) fail(5787907, "Missing value for 'input'");
    const [nE, inputE] = [n, input];
    return foldIfConstant([nE, inputE], (root, vars) => {
      const s = make(validateN(nE(root, vars)));
      const arr = inputE(root, vars);
      if (!Array.isArray(arr)) fail(5788200, 'Input must be an array');
      for (const x of arr) s.add(x);
      return s.value();
    });
  };
}

export const accumulatorOperators: Record<string, OperatorCompiler> = {
  $avg: fromAccumulator(
    () => new SumState(),
    (s) => s.average(),
  ),
  $firstN: fromAccumulatorN(false, (n) => new FirstLastNState(n, false)),
  $lastN: fromAccumulatorN(false, (n) => new FirstLastNState(n, true)),
  $max: fromAccumulator(
    () => new MinMaxState(1),
    (s) => s.value(),
  ),
  $maxN: fromAccumulatorN(true, (n) => new MinMaxNState(n, 1)),
  $min: fromAccumulator(
    () => new MinMaxState(-1),
    (s) => s.value(),
  ),
  $minN: fromAccumulatorN(true, (n) => new MinMaxNState(n, -1)),
  $stdDevPop: fromAccumulator(
    () => new StdDevState(),
    (s) => s.value(false),
  ),
  $stdDevSamp: fromAccumulator(
    () => new StdDevState(),
    (s) => s.value(true),
  ),
  $sum: fromAccumulator(
    () => new SumState(),
    (s) => s.value(),
  ),
};
