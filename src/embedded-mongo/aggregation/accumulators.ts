/**
 * Group accumulators ($group, $bucket, $bucketAuto, $setWindowFields-free subset) and the
 * accumulator state they share with the expression forms ($sum: [..] etc.).
 *
 * An accumulator statement `{total: {$sum: '$price'}}` parses into an AccumulatorSpec: the
 * per-document `argument` expression, an optional per-group `initializer` (the `n` of $topN,
 * evaluated on `{_id: <group key>}` as mongod does) and a factory for the running state.
 *
 * Numeric results follow mongod: $sum of ints stays int while it fits, widens to long, then to
 * double; any Decimal128 input makes the sum an exact decimal ("0.10" x 3 = "0.30"); $avg of
 * non-decimals is a double; non-numeric inputs are ignored by $sum/$avg/$stdDev*.
 */
import { Long, type Document } from '../bson.js';
import {
  compareValues,
  Dec,
  keyString,
  numericKind,
  toBigInt,
  toDouble,
  type NumericKind,
} from '../values/index.js';
import {
  constantExpr,
  dbl,
  fail,
  intOrLong,
  isNullish,
  isPlainObject,
  show,
  typeName,
  type CompileContext,
  type CompiledExpr,
  type Vars,
} from './expressions/core.js';
import { coerceToLong, decimal128Parts, decOut, doubleToScaledDec, fitsLong } from './expressions/numbers.js';
import { parseSort, type CompiledSort, type SortKey } from '../query/sort.js';
import { getDocumentMetadata } from './metadata.js';

export interface Accumulator {
  /** Feeds one evaluated argument (undefined = missing). */
  process(value: unknown): void;
  /** The current result. */
  value(): unknown;
}

export interface AccumulatorSpec {
  readonly name: string;
  /** Evaluated per input document; its result is passed to `process`. */
  readonly argument: CompiledExpr;
  /** Evaluated once per group on `{_id: key}` (the `n` of the N-accumulators). */
  readonly initializer?: CompiledExpr;
  create(init: unknown): Accumulator;
}

const RANK: Record<NumericKind, number> = { int: 0, long: 1, double: 2, decimal: 3 };

/**
 * Running sum with mongod's typing: exact integer total, compensated (Neumaier) double total, exact
 * decimal total. Non-numeric values are ignored.
 */
export class SumState {
  widest: NumericKind = 'int';
  count = 0;
  /** Integer total: intBig plus intSmall (kept as a JS number while it is exact, for speed). */
  private intBig = 0n;
  private intSmall = 0;
  private dblSum = 0;
  private dblComp = 0;
  /** Exact decimal total: decCoef * 10^decExp (the smallest exponent seen, as Decimal128 keeps). */
  private decCoef = 0n;
  private decExp: number | undefined;
  /** NaN / infinities among the decimals. */
  private decSpecial: Dec | undefined;

  add(v: unknown): void {
    const kind = numericKind(v);
    if (!kind) return;
    this.count++;
    if (RANK[kind] > RANK[this.widest]) this.widest = kind;
    switch (kind) {
      case 'int':
        this.intSmall += typeof v === 'number' ? v : (v as { value: number }).value;
        if (this.intSmall > 2 ** 52 || this.intSmall < -(2 ** 52)) {
          this.intBig += BigInt(this.intSmall);
          this.intSmall = 0;
        }
        break;
      case 'long':
        this.intBig += toBigInt(v);
        break;
      case 'double': {
        const x = toDouble(v);
        const t = this.dblSum + x;
        if (Math.abs(this.dblSum) >= Math.abs(x)) this.dblComp += this.dblSum - t + x;
        else this.dblComp += x - t + this.dblSum;
        this.dblSum = t;
        break;
      }
      case 'decimal':
        this.addDecimal(v);
        break;
    }
  }

  private addDecimal(v: unknown): void {
    const p = decimal128Parts(v);
    if (p.special) {
      const x = new Dec(p.special === 'nan' ? NaN : p.neg ? -Infinity : Infinity);
      this.decSpecial = this.decSpecial ? this.decSpecial.plus(x) : x;
      return;
    }
    const c = p.neg ? -p.coef : p.coef;
    if (this.decExp === undefined) {
      this.decCoef = c;
      this.decExp = p.exp;
    } else if (p.exp === this.decExp) {
      this.decCoef += c;
    } else if (p.exp < this.decExp) {
      this.decCoef = this.decCoef * 10n ** BigInt(this.decExp - p.exp) + c;
      this.decExp = p.exp;
    } else {
      this.decCoef += c * 10n ** BigInt(p.exp - this.decExp);
    }
  }

  private get intTotal(): bigint {
    return this.intBig + BigInt(this.intSmall);
  }

  /** The non-decimal part as a double. */
  private doubleTotal(): number {
    return Number(this.intTotal) + (this.dblSum + this.dblComp);
  }

  /** The total as an exact decimal with its display scale. */
  decimalTotal(): { d: Dec; scale: number } {
    const exp = this.decExp ?? 0;
    let d = new Dec(`${this.decCoef}e${exp}`);
    let scale = Math.max(0, -exp);
    if (this.decSpecial) d = d.plus(this.decSpecial);
    d = d.plus(new Dec(this.intTotal.toString()));
    const dbls = this.dblSum + this.dblComp;
    if (dbls !== 0 || Number.isNaN(dbls)) {
      const s = doubleToScaledDec(dbls);
      d = d.plus(s.d);
      scale = Math.max(scale, s.scale);
    }
    return { d, scale };
  }

  value(): unknown {
    switch (this.widest) {
      case 'int':
        return fitsLong(this.intTotal) ? intOrLong(this.intTotal) : dbl(Number(this.intTotal));
      case 'long':
        return fitsLong(this.intTotal) ? Long.fromBigInt(this.intTotal) : dbl(Number(this.intTotal));
      case 'double':
        return dbl(this.doubleTotal());
      case 'decimal': {
        const { d, scale } = this.decimalTotal();
        return decOut(d, scale);
      }
    }
  }

  average(): unknown {
    if (this.count === 0) return null;
    if (this.widest === 'decimal') {
      const { d, scale } = this.decimalTotal();
      return decOut(d.dividedBy(this.count), scale);
    }
    return dbl(this.doubleTotal() / this.count);
  }
}

/** Welford's running variance over numeric inputs (as doubles). */
export class StdDevState {
  private n = 0;
  private mean = 0;
  private m2 = 0;

  add(v: unknown): void {
    if (!numericKind(v)) return;
    const x = toDouble(v);
    this.n++;
    const delta = x - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (x - this.mean);
  }

  value(sample: boolean): unknown {
    if (sample ? this.n < 2 : this.n === 0) return null;
    return dbl(Math.sqrt(this.m2 / (sample ? this.n - 1 : this.n)));
  }
}

export class MinMaxState {
  private best: unknown = undefined;
  constructor(private readonly sense: 1 | -1) {}

  add(v: unknown): void {
    if (isNullish(v)) return;
    if (this.best === undefined || compareValues(v, this.best) * this.sense > 0) this.best = v;
  }

  value(): unknown {
    return this.best === undefined ? null : this.best;
  }
}

/** $mergeObjects: later fields win; null and missing inputs are ignored. */
export class MergeObjectsState {
  private out: Document = {};

  add(v: unknown): void {
    if (isNullish(v)) return;
    if (!isPlainObject(v)) {
      fail(40400, `$mergeObjects requires object inputs, but input ${show(v)} is of type ${typeName(v)}`);
    }
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      if (k === '__proto__') {
        Object.defineProperty(this.out, k, {
          value: x,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        this.out[k] = x;
      }
    }
  }

  value(): Document {
    return { ...this.out };
  }
}

/** Validates the `n` of the N-accumulators (5787902 / 5787903 / 5787908). */
export function validateN(v: unknown): number {
  if (!numericKind(v)) fail(5787902, `Value for 'n' must be of integral type, but found ${show(v)}`);
  const n = coerceToLong(v);
  if (Number(n) !== toDouble(v))
    fail(5787903, `Value for 'n' must be of integral type, but found ${show(v)}`);
  if (n <= 0n) fail(5787908, `'n' must be greater than 0, found ${n}`);
  return Number(n);
}

export class MinMaxNState {
  private values: unknown[] = [];
  constructor(
    private readonly n: number,
    private readonly sense: 1 | -1,
  ) {}

  add(v: unknown): void {
    if (isNullish(v)) return;
    const vals = this.values;
    // Keep `vals` ordered best-first (ascending for $minN, descending for $maxN).
    const better = (a: unknown, b: unknown) => compareValues(a, b) * -this.sense < 0;
    if (vals.length === this.n && !better(v, vals[vals.length - 1])) return;
    let lo = 0;
    let hi = vals.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (better(v, vals[mid])) hi = mid;
      else lo = mid + 1;
    }
    vals.splice(lo, 0, v);
    if (vals.length > this.n) vals.pop();
  }

  value(): unknown[] {
    return [...this.values];
  }
}

export class FirstLastNState {
  private values: unknown[] = [];
  constructor(
    private readonly n: number,
    private readonly last: boolean,
  ) {}

  add(v: unknown): void {
    const x = v === undefined ? null : v;
    if (this.values.length === this.n) {
      if (!this.last) return;
      this.values.shift();
    }
    this.values.push(x);
  }

  value(): unknown[] {
    return [...this.values];
  }
}

interface Ranked {
  keys: SortKey;
  output: unknown;
}

/** $top/$bottom(N): the n best outputs under a sort order; ties keep the earlier document. */
class TopBottomState implements Accumulator {
  private items: Ranked[] = [];
  constructor(
    private readonly n: number,
    private readonly sort: CompiledSort,
    private readonly bottom: boolean,
    private readonly single: boolean,
  ) {}

  process(v: unknown): void {
    const item = v as Ranked;
    // Kept best-first; equal keys keep arrival order, so ties favour the earlier document.
    const cmp = (a: Ranked, b: Ranked) => {
      const c = this.sort.compareKeys(a.keys, b.keys);
      return this.bottom ? -c : c;
    };
    const items = this.items;
    if (items.length === this.n && cmp(item, items[items.length - 1]) >= 0) return;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(item, items[mid]) < 0) hi = mid;
      else lo = mid + 1;
    }
    items.splice(lo, 0, item);
    if (items.length > this.n) items.pop();
  }

  value(): unknown {
    const outs = (this.bottom ? [...this.items].reverse() : this.items).map((i) => i.output);
    if (this.single) return outs.length ? outs[0] : null;
    return outs;
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

type Parser = (arg: unknown, cx: CompileContext, name: string) => AccumulatorSpec;

function simple(create: () => Accumulator): Parser {
  return (arg, cx, name) => ({ name, argument: cx.compile(arg), create });
}

function stateAccumulator<S extends { add(v: unknown): void }>(
  make: () => S,
  result: (s: S) => unknown,
): () => Accumulator {
  return () => {
    const s = make();
    return { process: (v) => s.add(v), value: () => result(s) };
  };
}

const parseCount: Parser = (arg, _cx, name) => {
  if (!isPlainObject(arg) || Object.keys(arg).length !== 0)
    fail(40181, '$count takes no arguments, i.e. $count:{}');
  return {
    name,
    argument: constantExpr(1),
    create: stateAccumulator(
      () => new SumState(),
      (s) => s.value(),
    ),
  };
};

function parseNArgs(arg: unknown, cx: CompileContext, minMax: boolean): [CompiledExpr, CompiledExpr] {
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
  return [n, input];
}

function minMaxN(sense: 1 | -1): Parser {
  return (arg, cx, name) => {
    const [n, input] = parseNArgs(arg, cx, true);
    return {
      name,
      argument: input,
      initializer: n,
      create: (init: unknown) => {
        const s = new MinMaxNState(validateN(init), sense);
        return { process: (v) => s.add(v), value: () => s.value() };
      },
    };
  };
}

function firstLastN(last: boolean): Parser {
  return (arg, cx, name) => {
    const [n, input] = parseNArgs(arg, cx, false);
    return {
      name,
      argument: input,
      initializer: n,
      create: (init: unknown) => {
        const s = new FirstLastNState(validateN(init), last);
        return { process: (v) => s.add(v), value: () => s.value() };
      },
    };
  };
}

function topBottom(bottom: boolean, single: boolean): Parser {
  return (arg, cx, name) => {
    if (!isPlainObject(arg)) fail(5788001, `specification must be an object; found ${show(arg)}`);
    let n: CompiledExpr | undefined;
    let output: CompiledExpr | undefined;
    let sortBy: unknown;
    for (const [k, v] of Object.entries(arg)) {
      if (!single && k === 'n') n = cx.compile(v);
      else if (k === 'output') output = cx.compile(v);
      else if (k === 'sortBy') {
        if (!isPlainObject(v)) fail(5788001, `sortBy must be an object; found ${show(v)}`);
        sortBy = v;
      } else fail(5788002, `Unknown argument to ${name} '${k}'`);
    }
    if (single) n = constantExpr(1);
    if (!n) fail(5788003, "Missing value for 'n'");
    if (!output) fail(5788004, "Missing value for 'output'");
    if (sortBy === undefined) fail(5788005, "Missing value for 'sortBy'");
    const sort = parseSort(sortBy as Document, { textScore: (d) => getDocumentMetadata(d)?.textScore });
    const out = output;
    const argument: CompiledExpr = (root: Document, vars: Vars) => {
      const o = out(root, vars);
      const cur = (vars.CURRENT as Document | undefined) ?? root;
      return { keys: sort.keyOf(cur), output: o === undefined ? null : o } satisfies Ranked;
    };
    return {
      name,
      argument,
      initializer: n,
      create: (init: unknown) => new TopBottomState(single ? 1 : validateN(init), sort, bottom, single),
    };
  };
}

function percentileValue(sorted: number[], p: number): number {
  const rank = Math.max(0, Math.ceil(p * sorted.length) - 1);
  return sorted[Math.min(rank, sorted.length - 1)];
}

function parsePercentile(median: boolean): Parser {
  return (arg, cx, name) => {
    if (!isPlainObject(arg)) fail(7436100, `specification must be an object; found ${show(arg)}`);
    let input: CompiledExpr | undefined;
    let ps: number[] = [0.5];
    let method: unknown;
    for (const [k, v] of Object.entries(arg)) {
      if (k === 'input') input = cx.compile(v);
      else if (k === 'method') method = v;
      else if (k === 'p' && !median) {
        if (!Array.isArray(v) || v.length === 0)
          fail(7750301, `The 'p' field must be a non-empty array of numbers`);
        ps = v.map((x) => {
          if (!numericKind(x)) fail(7750302, `The 'p' field must be an array of numbers, found ${show(x)}`);
          const d = toDouble(x);
          if (!(d >= 0 && d <= 1)) fail(7750303, `The 'p' field must be in [0, 1], found ${d}`);
          return d;
        });
      } else fail(40415, `BSON field '${name}.${k}' is an unknown field.`);
    }
    if (!input) fail(40414, `BSON field '${name}.input' is missing but a required field`);
    if (method !== 'approximate' && method !== 'discrete' && method !== 'continuous') {
      fail(40414, `BSON field '${name}.method' is missing but a required field`);
    }
    return {
      name,
      argument: input,
      create: () => {
        const values: number[] = [];
        return {
          process: (v) => {
            if (numericKind(v)) values.push(toDouble(v));
          },
          value: () => {
            if (values.length === 0) return median ? null : ps.map(() => null);
            const sorted = [...values].sort((a, b) => a - b);
            const res = ps.map((p) => dbl(percentileValue(sorted, p)));
            return median ? res[0] : res;
          },
        };
      },
    };
  };
}

const notSupported: Parser = (_arg, _cx, name) =>
  fail(238, `${name} is not supported by the embedded server (it runs server-side JavaScript)`);

const PARSERS: Record<string, Parser> = {
  $accumulator: notSupported,
  $addToSet: simple(() => {
    const seen = new Set<string>();
    const values: unknown[] = [];
    return {
      process: (v) => {
        if (v === undefined) return;
        const k = keyString(v);
        if (seen.has(k)) return;
        seen.add(k);
        values.push(v);
      },
      value: () => [...values],
    };
  }),
  $avg: simple(
    stateAccumulator(
      () => new SumState(),
      (s) => s.average(),
    ),
  ),
  $bottom: topBottom(true, true),
  $bottomN: topBottom(true, false),
  $count: parseCount,
  $first: simple(() => {
    let seen = false;
    let first: unknown = null;
    return {
      process: (v) => {
        if (seen) return;
        seen = true;
        first = v === undefined ? null : v;
      },
      value: () => first,
    };
  }),
  $firstN: firstLastN(false),
  $last: simple(() => {
    let last: unknown = null;
    return {
      process: (v) => {
        last = v === undefined ? null : v;
      },
      value: () => last,
    };
  }),
  $lastN: firstLastN(true),
  $max: simple(
    stateAccumulator(
      () => new MinMaxState(1),
      (s) => s.value(),
    ),
  ),
  $maxN: minMaxN(1),
  $median: parsePercentile(true),
  $mergeObjects: simple(
    stateAccumulator(
      () => new MergeObjectsState(),
      (s) => s.value(),
    ),
  ),
  $min: simple(
    stateAccumulator(
      () => new MinMaxState(-1),
      (s) => s.value(),
    ),
  ),
  $minN: minMaxN(-1),
  $percentile: parsePercentile(false),
  $push: simple(() => {
    const values: unknown[] = [];
    return {
      process: (v) => {
        if (v !== undefined) values.push(v);
      },
      value: () => [...values],
    };
  }),
  $stdDevPop: simple(
    stateAccumulator(
      () => new StdDevState(),
      (s) => s.value(false),
    ),
  ),
  $stdDevSamp: simple(
    stateAccumulator(
      () => new StdDevState(),
      (s) => s.value(true),
    ),
  ),
  $sum: simple(
    stateAccumulator(
      () => new SumState(),
      (s) => s.value(),
    ),
  ),
  $top: topBottom(false, true),
  $topN: topBottom(false, false),
};

export function isAccumulatorName(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(PARSERS, name);
}

/** The accumulator names $group accepts, alphabetically. */
export const ACCUMULATOR_NAMES: readonly string[] = Object.keys(PARSERS).sort();

/**
 * Parses one accumulator statement value (`{$sum: '$x'}`) for output field `field`, with
 * mongod's validation (40234 .. 40238, 15952).
 */
export function parseAccumulatorStatement(field: string, spec: unknown, cx: CompileContext): AccumulatorSpec {
  if (!isPlainObject(spec) || !Object.keys(spec)[0]?.startsWith('$')) {
    fail(40234, `The field '${field}' must be an accumulator object`);
  }
  if (field.includes('.')) fail(40235, `The field name '${field}' cannot contain '.'`);
  if (field.startsWith('$')) fail(40236, `The field name '${field}' cannot be an operator name`);
  const keys = Object.keys(spec);
  if (keys.length !== 1) fail(40238, `The field '${field}' must specify one accumulator`);
  const name = keys[0];
  const arg = spec[name];
  if (Array.isArray(arg)) fail(40237, `The ${name} accumulator is a unary operator`);
  const parser = PARSERS[name];
  if (!parser) fail(15952, `unknown group operator '${name}'`);
  return parser(arg, cx, name);
}

/** A running accumulator for one group, initialised with its `n` when it has one. */
export function startAccumulator(spec: AccumulatorSpec, groupId: unknown, vars: Vars): Accumulator {
  const init = spec.initializer ? spec.initializer({ _id: groupId }, vars) : undefined;
  return spec.create(init);
}
