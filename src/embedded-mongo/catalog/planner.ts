/**
 * The query planner and executor of Collection.scan/explain.
 *
 * Planning: top-level predicates (implicit or `$eq`, `$gt/$gte/$lt/$lte` with type bracketing,
 * `$in`, and the same inside a top-level `$and`) become per-field interval lists. An index is a
 * candidate when its leading field is bounded, or when it provides the requested sort (a prefix
 * of the index after fields pinned to one value, in either direction). Candidates are ranked by
 * a fixed heuristic (unique equality > equality prefix length > range > sort provided > fewer
 * fields), not by trial runs. A hint (name, key pattern or {$natural}) forces the choice.
 * Everything else is a collection scan. Sparse indexes are used unhinted only when the query
 * cannot match documents missing the field, partial indexes only when the filter implies the
 * partial filter, hidden and text indexes never.
 *
 * Execution: index scans walk key ranges (a cartesian product of point intervals on leading
 * fields, then one range), check the remaining bounded fields on the key, fetch the version
 * visible to the reader, re-check that version still generates the key when the record has
 * history (MVCC: entries may be stale), de-duplicate records (multikey), and ALWAYS re-apply the
 * full filter. Scans are lazy and survive concurrent writes: a cursor re-seeks after the last
 * entry it returned when the index changed in between.
 */
import { MaxKey, MinKey, ObjectId, Timestamp, type Document } from '../bson.js';
import { mongoError } from '../errors.js';
import { compileSort } from '../query/sort.js';
import { compareValues } from '../values/compare.js';
import { keyString } from '../values/keystring.js';
import { bsonTypeOf, canonicalRank, isPlainObject } from '../values/types.js';
import type { Collection } from './collection.js';
import { sameKeyPattern, showValue } from './index-spec.js';
import type { IndexEntry, KeyIndex } from './key-index.js';
import { hasHistory, visibleDoc, type DocRecord, type ReadView } from './mvcc.js';

export interface ScanOptions {
  /** Sort specification ({a: 1, b: -1} or {$natural: ±1}). */
  readonly sort?: Document;
  /** Index name, key pattern, or {$natural: ±1}. Unknown → BadValue (2). */
  readonly hint?: string | Document;
  /** Maximum number of documents (0 / undefined = no limit). Apply skip on top. */
  readonly limit?: number;
  /** Comparator for in-memory sorts (default: query/sort's compileSort of `sort`). */
  readonly sortComparator?: (a: Document, b: Document) => number;
  /**
   * The filter, already compiled by the caller (with its own matcher options, e.g. $text or
   * $expr variables). Default: the collection's compiler applied to `filter`.
   */
  readonly matcher?: (doc: Document) => boolean;
  /**
   * A top-level `$text` predicate: the records holding one of `terms` (its search terms) in the
   * text index's postings are the only candidates (the matcher still decides).
   */
  readonly text?: { readonly index: KeyIndex; readonly terms: readonly string[] };
}

export type ExplainVerbosity = 'queryPlanner' | 'executionStats' | 'allPlansExecution';

export interface ScanStats {
  keysExamined: number;
  docsExamined: number;
  nReturned: number;
}

// --- intervals ------------------------------------------------------------------------------------

interface Interval {
  readonly low: unknown;
  readonly lowInc: boolean;
  readonly high: unknown;
  readonly highInc: boolean;
}

const MIN = new MinKey();
const MAX = new MaxKey();
const ALL: Interval = { low: MIN, lowInc: true, high: MAX, highInc: true };

function point(v: unknown): Interval {
  return { low: v, lowInc: true, high: v, highInc: true };
}

function isPoint(i: Interval): boolean {
  return i.lowInc && i.highInc && compareValues(i.low, i.high) === 0;
}

function isAll(list: readonly Interval[]): boolean {
  return (
    list.length === 1 &&
    bsonTypeOf(list[0].low) === 'minKey' &&
    bsonTypeOf(list[0].high) === 'maxKey' &&
    list[0].lowInc &&
    list[0].highInc
  );
}

function contains(i: Interval, v: unknown): boolean {
  const lo = compareValues(i.low, v);
  const hi = compareValues(v, i.high);
  return (lo < 0 || (lo === 0 && i.lowInc)) && (hi < 0 || (hi === 0 && i.highInc));
}

function intersectOne(a: Interval, b: Interval): Interval | undefined {
  const cl = compareValues(a.low, b.low);
  const low = cl > 0 ? a : cl < 0 ? b : { low: a.low, lowInc: a.lowInc && b.lowInc };
  const ch = compareValues(a.high, b.high);
  const high = ch < 0 ? a : ch > 0 ? b : { high: a.high, highInc: a.highInc && b.highInc };
  const c = compareValues(low.low, high.high);
  if (c > 0 || (c === 0 && !(low.lowInc && high.highInc))) return undefined;
  return { low: low.low, lowInc: low.lowInc, high: high.high, highInc: high.highInc };
}

function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a) {
    for (const y of b) {
      const i = intersectOne(x, y);
      if (i) out.push(i);
    }
  }
  return out.sort((x, y) => compareValues(x.low, y.low));
}

function pointable(v: unknown): boolean {
  const t = bsonTypeOf(v);
  return t !== 'array' && t !== 'regex' && t !== 'missing' && t !== 'undefined';
}

const MIN_OID = new ObjectId('000000000000000000000000');
const MAX_OID = new ObjectId('ffffffffffffffffffffffff');
const MIN_DATE = new Date(-8640000000000000);
const MAX_DATE = new Date(8640000000000000);
const MIN_TS = new Timestamp({ t: 0, i: 0 });
const MAX_TS = new Timestamp({ t: 0xffffffff, i: 0xffffffff });
const NAN_KEY = keyString(Number.NaN);

/** The extent of v's type class in the value order: MongoDB's type bracketing of comparisons. */
function bracket(v: unknown): { min: unknown; minInc: boolean; max: unknown; maxInc: boolean } | undefined {
  switch (bsonTypeOf(v)) {
    case 'int':
    case 'long':
    case 'double':
    case 'decimal':
      if (keyString(v) === NAN_KEY) return undefined;
      return { min: -Infinity, minInc: true, max: Infinity, maxInc: true };
    case 'string':
    case 'symbol':
      return { min: '', minInc: true, max: {}, maxInc: false };
    case 'object':
      return { min: {}, minInc: true, max: [], maxInc: false };
    case 'objectId':
      return { min: MIN_OID, minInc: true, max: MAX_OID, maxInc: true };
    case 'bool':
      return { min: false, minInc: true, max: true, maxInc: true };
    case 'date':
      return { min: MIN_DATE, minInc: true, max: MAX_DATE, maxInc: true };
    case 'timestamp':
      return { min: MIN_TS, minInc: true, max: MAX_TS, maxInc: true };
    case 'binData':
    case 'javascript':
    case 'javascriptWithScope':
    case 'dbPointer':
      return { min: MIN, minInc: true, max: MAX, maxInc: true };
    default:
      return undefined;
  }
}

function rangeFor(op: string, v: unknown): Interval | undefined {
  if (bsonTypeOf(v) === 'null') return op === '$gte' || op === '$lte' ? point(null) : undefined;
  const b = bracket(v);
  if (!b) return undefined;
  switch (op) {
    case '$gt':
      return { low: v, lowInc: false, high: b.max, highInc: b.maxInc };
    case '$gte':
      return { low: v, lowInc: true, high: b.max, highInc: b.maxInc };
    case '$lt':
      return { low: b.min, lowInc: b.minInc, high: v, highInc: false };
    case '$lte':
      return { low: b.min, lowInc: b.minInc, high: v, highInc: true };
    default:
      return undefined;
  }
}

function isOperatorObject(v: unknown): v is Document {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys[0].startsWith('$');
}

function pointsOf(values: readonly unknown[]): Interval[] | undefined {
  if (!values.every(pointable)) return undefined;
  const sorted = [...values].sort(compareValues);
  const out: Interval[] = [];
  for (const v of sorted)
    if (out.length === 0 || compareValues(out[out.length - 1].low, v) !== 0) out.push(point(v));
  return out;
}

/** Interval lists of one field condition (one list per predicate; several intersect). */
function predicatesOf(cond: unknown): Interval[][] {
  if (!isOperatorObject(cond)) return pointable(cond) ? [[point(cond)]] : [];
  const out: Interval[][] = [];
  for (const [op, arg] of Object.entries(cond)) {
    switch (op) {
      case '$eq':
        if (pointable(arg)) out.push([point(arg)]);
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte': {
        const r = rangeFor(op, arg);
        if (r) out.push([r]);
        break;
      }
      case '$in': {
        const pts = Array.isArray(arg) ? pointsOf(arg) : undefined;
        if (pts) out.push(pts);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

type Predicates = Map<string, Interval[][]>;

function extractPredicates(filter: Document, out: Predicates = new Map()): Predicates {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const sub of v) if (isPlainObject(sub)) extractPredicates(sub, out);
      continue;
    }
    if (k.startsWith('$')) continue;
    const lists = predicatesOf(v);
    if (lists.length === 0) continue;
    const cur = out.get(k);
    if (cur) cur.push(...lists);
    else out.set(k, lists);
  }
  return out;
}

function boundsFor(ix: KeyIndex, preds: Predicates): Interval[][] {
  const fields = ix.desc.fields;
  return fields.map((f, i) => {
    const lists = preds.get(f.path);
    if (!lists || lists.length === 0) return [ALL];
    if (ix.multikeyFields[i]) {
      // Predicates may be satisfied by different array elements: bounds cannot be intersected.
      const head = f.path.split('.')[0];
      for (let j = 0; j < i; j++) {
        if (ix.multikeyFields[j] && fields[j].path.split('.')[0] === head) return [ALL];
      }
      return lists.find((l) => l.every(isPoint)) ?? lists[0];
    }
    return lists.reduce((acc, l) => intersect(acc, l));
  });
}

function containsNull(list: readonly Interval[]): boolean {
  return list.some((i) => contains(i, null));
}

// --- partial filter implication --------------------------------------------------------------

function sameClass(a: unknown, b: unknown): boolean {
  return canonicalRank(bsonTypeOf(a)) === canonicalRank(bsonTypeOf(b));
}

/** Conservative: true only when every document matching `filter` surely matches `partial`. */
export function filterImplies(filter: Document, partial: Document): boolean {
  const have = new Map<string, Document[]>();
  const collect = (f: Document): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const s of v) if (isPlainObject(s)) collect(s);
      } else if (!k.startsWith('$')) {
        const conds: Document = isOperatorObject(v) ? v : { $eq: v };
        have.set(k, [...(have.get(k) ?? []), conds]);
      }
    }
  };
  collect(filter);
  const need: [string, string, unknown][] = [];
  const needOf = (p: Document): boolean => {
    for (const [k, v] of Object.entries(p)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const s of v) if (!isPlainObject(s) || !needOf(s)) return false;
      } else if (k.startsWith('$')) {
        return false;
      } else if (isOperatorObject(v)) {
        for (const [op, arg] of Object.entries(v)) need.push([k, op, arg]);
      } else {
        need.push([k, '$eq', v]);
      }
    }
    return true;
  };
  if (!needOf(partial)) return false;
  return need.every(([path, op, arg]) => {
    const conds = have.get(path) ?? [];
    return conds.some((c) =>
      Object.entries(c).some(([hop, harg]) => {
        if (op === '$exists') {
          if (arg !== true && !(typeof arg === 'number' && arg !== 0) && bsonTypeOf(arg) !== 'int')
            return false;
          if (hop === '$eq') return bsonTypeOf(harg) !== 'null';
          if (hop === '$in') return Array.isArray(harg) && harg.every((x) => bsonTypeOf(x) !== 'null');
          return (
            ['$gt', '$gte', '$lt', '$lte', '$type'].includes(hop) || (hop === '$exists' && harg === true)
          );
        }
        if (op === '$eq') return hop === '$eq' && keyString(harg) === keyString(arg);
        if (op === '$type') return hop === '$type' && keyString(harg) === keyString(arg);
        if (op === '$in' && Array.isArray(arg)) {
          const allowed = new Set(arg.map(keyString));
          if (hop === '$eq') return allowed.has(keyString(harg));
          if (hop === '$in' && Array.isArray(harg)) return harg.every((x) => allowed.has(keyString(x)));
          return false;
        }
        if (op === '$gt' || op === '$gte' || op === '$lt' || op === '$lte') {
          if (!sameClass(harg, arg)) return false;
          const c = compareValues(harg, arg);
          const lower = op === '$gt' || op === '$gte';
          if (hop === '$eq')
            return lower ? c > 0 || (c === 0 && op === '$gte') : c < 0 || (c === 0 && op === '$lte');
          if (lower && (hop === '$gt' || hop === '$gte'))
            return c > 0 || (c === 0 && (op === '$gte' || hop === '$gt'));
          if (!lower && (hop === '$lt' || hop === '$lte'))
            return c < 0 || (c === 0 && (op === '$lte' || hop === '$lt'));
          return false;
        }
        return false;
      }),
    );
  });
}

// --- plans ----------------------------------------------------------------------------------------

interface IndexPlan {
  readonly kind: 'ixscan';
  readonly ix: KeyIndex;
  readonly bounds: Interval[][];
  readonly direction: 1 | -1;
  readonly sortProvided: boolean;
}

interface CollScanPlan {
  readonly kind: 'collscan';
  readonly direction: 1 | -1;
  readonly sortProvided: boolean;
}

interface TextPlan {
  readonly kind: 'text';
  readonly ix: KeyIndex;
  readonly terms: readonly string[];
  readonly sortProvided: boolean;
}

/** `$or` with an index per branch: the union of the branches' index scans (each record once). */
interface OrPlan {
  readonly kind: 'or';
  readonly branches: readonly IndexPlan[];
  readonly sortProvided: boolean;
}

type Plan = IndexPlan | CollScanPlan | TextPlan | OrPlan;

function sortSpec(sort: Document | undefined): [string, number][] | undefined {
  if (!sort) return undefined;
  const entries = Object.entries(sort);
  if (entries.length === 0) return undefined;
  return entries.map(([k, v]) => {
    const n = typeof v === 'number' ? v : isPlainObject(v) ? Number.NaN : Number(v);
    return [k, n];
  });
}

/** 1 / -1: the index provides `sort` scanned forward / backward; 0: it cannot. */
function sortDirection(ix: KeyIndex, bounds: Interval[][], sort: [string, number][]): 1 | -1 | 0 {
  const fields = ix.desc.fields;
  const pinned = bounds.map((l) => l.length === 1 && isPoint(l[0]));
  let fi = 0;
  let dir: 1 | -1 | 0 = 0;
  for (const [path, sdir] of sort) {
    if (sdir !== 1 && sdir !== -1) return 0;
    while (fi < fields.length && fields[fi].path !== path && pinned[fi]) fi++;
    if (fi >= fields.length || fields[fi].path !== path) return 0;
    // Sort keys of arrays are their min/max element, not the index entry's element.
    if (ix.multikeyFields[fi]) return 0;
    if (!pinned[fi]) {
      const s = sdir * fields[fi].dir === 1 ? 1 : -1;
      if (dir === 0) dir = s;
      else if (dir !== s) return 0;
    }
    fi++;
  }
  return dir === 0 ? 1 : dir;
}

function naturalDirection(d: Document | undefined): 1 | -1 | undefined {
  if (!d) return undefined;
  const keys = Object.keys(d);
  if (keys.length !== 1 || keys[0] !== '$natural') return undefined;
  return Number(d.$natural) < 0 ? -1 : 1;
}

function badHint(): never {
  throw mongoError('BadValue', 'hint provided does not correspond to an existing index');
}

function planFor(coll: Collection, filter: Document, opts: ScanOptions): Plan {
  const preds = extractPredicates(filter);
  const naturalSort = naturalDirection(opts.sort);
  const sort = naturalSort ? undefined : sortSpec(opts.sort);

  const hint = opts.hint;
  const hinted = typeof hint === 'string' ? hint !== '' : hint !== undefined && Object.keys(hint).length > 0;
  if (hinted) {
    const nat = typeof hint === 'string' ? undefined : naturalDirection(hint);
    if (nat) return { kind: 'collscan', direction: naturalSort ?? nat, sortProvided: !sort };
    let ix: KeyIndex | undefined;
    if (typeof hint === 'string') ix = coll.indexes.get(hint);
    else
      for (const c of coll.indexes.values()) if (!ix && sameKeyPattern(c.desc.key, hint as Document)) ix = c;
    if (!ix || ix.desc.hidden || !ix.holdsEntries) badHint();
    const bounds = boundsFor(ix, preds);
    const d = sort ? sortDirection(ix, bounds, sort) : 1;
    return { kind: 'ixscan', ix, bounds, direction: d === 0 ? 1 : d, sortProvided: !sort || d !== 0 };
  }
  if (naturalSort) return { kind: 'collscan', direction: naturalSort, sortProvided: true };
  const text = opts.text;
  if (text?.index.postings) return { kind: 'text', ix: text.index, terms: text.terms, sortProvided: !sort };

  let best: { plan: IndexPlan; score: number } | undefined;
  for (const ix of coll.indexes.values()) {
    if (!ix.holdsEntries || ix.desc.hidden) continue;
    if (ix.desc.partialFilterExpression && !filterImplies(filter, ix.desc.partialFilterExpression)) continue;
    const bounds = boundsFor(ix, preds);
    const leadingBounded = !isAll(bounds[0]);
    if (ix.desc.sparse && (!leadingBounded || containsNull(bounds[0]))) continue;
    const d = sort ? sortDirection(ix, bounds, sort) : 0;
    if (!leadingBounded && d === 0) continue;
    let eq = 0;
    while (eq < bounds.length && bounds[eq].every(isPoint) && bounds[eq].length > 0) eq++;
    const range = eq < bounds.length && !isAll(bounds[eq]) ? 1 : 0;
    let score = (leadingBounded ? 1000 : 0) + eq * 100 + range * 50 + (d !== 0 ? 25 : 0) - bounds.length;
    if (ix.desc.unique && eq === bounds.length && bounds.every((l) => l.length === 1)) score += 5000;
    if (!best || score > best.score) {
      best = {
        plan: { kind: 'ixscan', ix, bounds, direction: d === 0 ? 1 : d, sortProvided: !sort || d !== 0 },
        score,
      };
    }
  }
  if (best) return best.plan;
  return (
    orPlanFor(coll, filter, sort !== undefined) ?? { kind: 'collscan', direction: 1, sortProvided: !sort }
  );
}

/**
 * An OR plan when `filter` has a top-level `$or` each branch of which an index bounds (planned
 * on the branch alone, so partial and sparse indexes qualify per branch); undefined otherwise.
 * Only tried when nothing else narrows the scan: the full filter is re-applied to every document.
 */
function orPlanFor(coll: Collection, filter: Document, sorted: boolean): OrPlan | undefined {
  const or = filter.$or;
  if (!Array.isArray(or) || or.length === 0 || '$text' in filter) return undefined;
  const branches: IndexPlan[] = [];
  for (const branch of or) {
    if (!isPlainObject(branch)) return undefined;
    const plan = planFor(coll, branch, {});
    if (plan.kind !== 'ixscan' || plan.bounds.length === 0 || isAll(plan.bounds[0])) return undefined;
    branches.push(plan);
  }
  return { kind: 'or', branches, sortProvided: !sorted };
}

// --- execution ------------------------------------------------------------------------------------

interface KeyRange {
  /** Prefix length the range constrains. */
  readonly k: number;
  readonly start: unknown[];
  readonly startInc: boolean;
  readonly end: unknown[];
  readonly endInc: boolean;
}

const MAX_RANGES = 4096;

/**
 * Key ranges in index order (cartesian product of point intervals, then one range). The leading
 * field always contributes all its intervals (a big $in is many seeks, not a full scan); later
 * fields stop contributing once the product would pass MAX_RANGES (they are then checked per key).
 */
function rangesOf(ix: KeyIndex, bounds: Interval[][]): { ranges: KeyRange[]; residualFrom: number } {
  const fields = ix.desc.fields;
  let k = 0;
  let product = 1;
  while (k < fields.length) {
    const list = bounds[k];
    if (isAll(list)) break;
    if (k > 0 && product * Math.max(1, list.length) > MAX_RANGES) break;
    product *= Math.max(1, list.length);
    k++;
    if (!list.every(isPoint)) break;
  }
  if (k === 0) {
    return { ranges: [{ k: 0, start: [], startInc: true, end: [], endInc: true }], residualFrom: 0 };
  }
  // Each field's intervals in index order, endpoints oriented by the field direction.
  const oriented = bounds.slice(0, k).map((list, i) => {
    const asc = fields[i].dir === 1;
    const ordered = asc ? list : [...list].reverse();
    return ordered.map((iv) =>
      asc
        ? { s: iv.low, sInc: iv.lowInc, e: iv.high, eInc: iv.highInc }
        : { s: iv.high, sInc: iv.highInc, e: iv.low, eInc: iv.lowInc },
    );
  });
  let ranges: KeyRange[] = [{ k: 0, start: [], startInc: true, end: [], endInc: true }];
  for (let f = 0; f < k; f++) {
    const next: KeyRange[] = [];
    for (const r of ranges) {
      for (const o of oriented[f]) {
        next.push({
          k: f + 1,
          start: [...r.start, o.s],
          startInc: o.sInc,
          end: [...r.end, o.e],
          endInc: o.eInc,
        });
      }
    }
    ranges = next;
  }
  return { ranges, residualFrom: k };
}

function comparePrefix(ix: KeyIndex, key: readonly unknown[], prefix: readonly unknown[]): number {
  for (let i = 0; i < prefix.length; i++) {
    const c = compareValues(key[i], prefix[i]);
    if (c !== 0) return ix.dirs[i] === 1 ? c : -c;
  }
  return 0;
}

function* indexEntries(ix: KeyIndex, ranges: readonly KeyRange[], dir: 1 | -1): Generator<IndexEntry> {
  const list = ix.entries;
  const ordered = dir === 1 ? ranges : [...ranges].reverse();
  for (const r of ordered) {
    const afterStart = (e: IndexEntry): boolean => {
      const c = comparePrefix(ix, e.key, r.start);
      return c > 0 || (c === 0 && r.startInc);
    };
    const pastEnd = (e: IndexEntry): boolean => {
      const c = comparePrefix(ix, e.key, r.end);
      return c > 0 || (c === 0 && !r.endInc);
    };
    let pos = dir === 1 ? list.seek(afterStart) : list.seekLastBefore(pastEnd);
    while (pos) {
      const e = list.at(pos);
      if (!e) break;
      if (dir === 1 ? pastEnd(e) : !afterStart(e)) break;
      const version = list.version;
      yield e;
      if (list.version !== version) {
        pos =
          dir === 1
            ? list.seek((x) => ix.compareEntries(x, e) > 0)
            : list.seekLastBefore((x) => ix.compareEntries(x, e) >= 0);
      } else {
        pos = dir === 1 ? list.next(pos) : list.prev(pos);
      }
    }
  }
}

function matcherOf(coll: Collection, filter: Document): (doc: Document) => boolean {
  return Object.keys(filter).length === 0 ? () => true : coll.compileFilter(filter);
}

/**
 * The result of Collection.scan: an iterator of documents (lazy), plus the plan and counters.
 * `sortProvided` tells whether documents come in the requested sort order from the plan itself
 * (an index, or no sort asked); otherwise the scan sorted them in memory.
 */
export class Scan implements IterableIterator<Document> {
  readonly stats: ScanStats = { keysExamined: 0, docsExamined: 0, nReturned: 0 };
  private source: Iterator<Document> | undefined;
  /** The effective limit (0 = none). */
  readonly limit: number;
  /**
   * Dropped once the in-memory sort is done: a comparator caches one sort key per document it
   * saw, and an open cursor must not keep those alive (only the sorted references).
   */
  private comparator: ((a: Document, b: Document) => number) | undefined;
  /** The options, without the comparator (see above). */
  readonly opts: ScanOptions;

  constructor(
    readonly collection: Collection,
    readonly filter: Document,
    readonly plan: Plan,
    private readonly view: ReadView,
    opts: ScanOptions,
  ) {
    this.opts = { ...opts, sortComparator: undefined };
    this.limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    // Validated up front (BadValue for a bad sort), used only when no index provides the order.
    this.comparator =
      opts.sort && !naturalDirection(opts.sort) ? (opts.sortComparator ?? compileSort(opts.sort)) : undefined;
  }

  /** Whether the documents came in sort order from the plan (index or none requested). */
  get sortProvided(): boolean {
    return this.plan.sortProvided;
  }

  get indexName(): string | undefined {
    return this.plan.kind === 'ixscan' ? this.plan.ix.name : undefined;
  }

  [Symbol.iterator](): IterableIterator<Document> {
    return this;
  }

  next(): IteratorResult<Document> {
    if (this.limit && this.stats.nReturned >= this.limit) return { done: true, value: undefined };
    this.source ??= this.open();
    const r = this.source.next();
    if (r.done) return r;
    this.stats.nReturned++;
    return r;
  }

  /** Pulls up to `n` documents (all when omitted). */
  take(n = Number.POSITIVE_INFINITY): Document[] {
    const out: Document[] = [];
    while (out.length < n) {
      const r = this.next();
      if (r.done) break;
      out.push(r.value);
    }
    return out;
  }

  private open(): Iterator<Document> {
    const match = this.opts.matcher ?? matcherOf(this.collection, this.filter);
    const plan = this.plan;
    const base =
      plan.kind === 'ixscan'
        ? this.ixscan(plan, match)
        : plan.kind === 'text'
          ? this.textscan(plan, match)
          : plan.kind === 'or'
            ? this.orscan(plan, match)
            : this.collscan(plan, match);
    const cmp = this.comparator;
    this.comparator = undefined;
    if (this.plan.sortProvided || !cmp) return base;
    const all: Document[] = [];
    for (let r = base.next(); !r.done; r = base.next()) all.push(r.value);
    all.sort(cmp);
    return (this.limit ? all.slice(0, this.limit) : all)[Symbol.iterator]();
  }

  private *collscan(plan: CollScanPlan, match: (d: Document) => boolean): Generator<Document> {
    const records: Iterable<DocRecord> =
      plan.direction === 1
        ? this.collection.records.values()
        : [...this.collection.records.values()].reverse();
    for (const rec of records) {
      const doc = visibleDoc(rec, this.view);
      if (!doc) continue;
      this.stats.docsExamined++;
      if (match(doc)) yield doc;
    }
  }

  private *textscan(plan: TextPlan, match: (d: Document) => boolean): Generator<Document> {
    const records = this.collection.records;
    const candidates = plan.ix.postings?.candidates(plan.terms, (rec) => records.get(rec.key) === rec) ?? [];
    this.stats.keysExamined += candidates.length;
    for (const rec of candidates) {
      const doc = visibleDoc(rec, this.view);
      if (!doc) continue;
      this.stats.docsExamined++;
      if (match(doc)) yield doc;
    }
  }

  private *orscan(plan: OrPlan, match: (d: Document) => boolean): Generator<Document> {
    const seen = new Set<number>();
    for (const branch of plan.branches) yield* this.ixscan(branch, match, seen);
  }

  /** `seen`: record ids already produced (shared by the branches of an OR plan). */
  private *ixscan(
    plan: IndexPlan,
    match: (d: Document) => boolean,
    seen = new Set<number>(),
  ): Generator<Document> {
    const ix = plan.ix;
    const { ranges, residualFrom } = rangesOf(ix, plan.bounds);
    const residual: [number, Interval[]][] = [];
    for (let i = residualFrom; i < plan.bounds.length; i++) {
      if (!isAll(plan.bounds[i])) residual.push([i, plan.bounds[i]]);
    }
    for (const e of indexEntries(ix, ranges, plan.direction)) {
      this.stats.keysExamined++;
      if (residual.length && !residual.every(([i, list]) => list.some((iv) => contains(iv, e.key[i]))))
        continue;
      const rec = e.rec;
      if (seen.has(rec.rid)) continue;
      const doc = visibleDoc(rec, this.view);
      this.stats.docsExamined++;
      // Stale entry for this reader (another version generated it): skip without marking.
      if (hasHistory(rec) && !ix.generates(doc, e.key)) continue;
      seen.add(rec.rid);
      if (doc && match(doc)) yield doc;
    }
  }
}

export function planScan(coll: Collection, filter: Document, opts: ScanOptions, view: ReadView): Scan {
  return new Scan(coll, filter, planFor(coll, filter, opts), view, opts);
}

// --- explain --------------------------------------------------------------------------------------

function renderBound(v: unknown): string {
  switch (bsonTypeOf(v)) {
    case 'minKey':
      return 'MinKey';
    case 'maxKey':
      return 'MaxKey';
    case 'string':
      return JSON.stringify(v);
    case 'double': {
      const n = Number(v);
      if (n === Infinity) return 'inf.0';
      if (n === -Infinity) return '-inf.0';
      return Number.isInteger(n) ? `${n}.0` : String(n);
    }
    case 'int':
    case 'long':
      return String(Number(v));
    case 'null':
      return 'null';
    case 'bool':
      return String(v);
    case 'objectId':
      return `ObjectId('${(v as ObjectId).toHexString()}')`;
    case 'date':
      return `new Date(${(v as Date).getTime()})`;
    default:
      return showValue(v);
  }
}

function renderInterval(iv: Interval, reversed: boolean): string {
  const [s, sInc, e, eInc] = reversed
    ? [iv.high, iv.highInc, iv.low, iv.lowInc]
    : [iv.low, iv.lowInc, iv.high, iv.highInc];
  return `${sInc ? '[' : '('}${renderBound(s)}, ${renderBound(e)}${eInc ? ']' : ')'}`;
}

function ixscanStage(plan: IndexPlan): Document {
  const ix = plan.ix;
  const indexBounds: Document = {};
  ix.desc.fields.forEach((f, i) => {
    const reversed = (f.dir === -1) !== (plan.direction === -1);
    const list = reversed ? [...plan.bounds[i]].reverse() : plan.bounds[i];
    indexBounds[f.path] = list.map((iv) => renderInterval(iv, reversed));
  });
  return {
    stage: 'IXSCAN',
    keyPattern: ix.desc.key,
    indexName: ix.name,
    isMultiKey: ix.multikey,
    multiKeyPaths: ix.multiKeyPaths(),
    isUnique: ix.desc.unique || ix.name === '_id_',
    isSparse: ix.desc.sparse,
    isPartial: ix.desc.partialFilterExpression !== undefined,
    indexVersion: 2,
    direction: plan.direction === 1 ? 'forward' : 'backward',
    indexBounds,
  };
}

function planStages(scan: Scan, withStats: boolean): Document {
  const plan = scan.plan;
  const s = scan.stats;
  const filter = Object.keys(scan.filter).length ? { filter: scan.filter } : {};
  let stage: Document;
  if (plan.kind === 'collscan') {
    stage = { stage: 'COLLSCAN', ...filter, direction: plan.direction === 1 ? 'forward' : 'backward' };
    if (withStats) Object.assign(stage, { nReturned: s.nReturned, docsExamined: s.docsExamined });
  } else if (plan.kind === 'text') {
    // mongod's shape: TEXT_MATCH <- TEXT_OR <- IXSCAN of the text index (one per search term).
    const ixscans = plan.terms.map((term) => ({
      stage: 'IXSCAN',
      keyPattern: { _fts: 'text', _ftsx: 1 },
      indexName: plan.ix.name,
      isMultiKey: true,
      isUnique: false,
      isSparse: false,
      isPartial: false,
      indexVersion: 2,
      direction: 'backward',
      indexBounds: {},
      term,
    }));
    const or: Document = { stage: 'TEXT_OR', inputStages: ixscans };
    if (withStats) Object.assign(or, { nReturned: s.docsExamined, docsExamined: s.docsExamined });
    stage = { stage: 'TEXT_MATCH', indexPrefix: {}, indexName: plan.ix.name, inputStage: or };
    if (withStats) Object.assign(stage, { nReturned: s.nReturned });
  } else if (plan.kind === 'or') {
    // mongod's shape: FETCH <- OR <- one IXSCAN per branch (counters are the OR's total).
    const or: Document = { stage: 'OR', inputStages: plan.branches.map(ixscanStage) };
    if (withStats) Object.assign(or, { nReturned: s.docsExamined, keysExamined: s.keysExamined });
    stage = { stage: 'FETCH', ...filter, inputStage: or };
    if (withStats) Object.assign(stage, { nReturned: s.nReturned, docsExamined: s.docsExamined });
  } else {
    const ixscan = ixscanStage(plan);
    if (withStats) Object.assign(ixscan, { nReturned: s.docsExamined, keysExamined: s.keysExamined });
    stage = { stage: 'FETCH', ...filter, inputStage: ixscan };
    if (withStats) Object.assign(stage, { nReturned: s.nReturned, docsExamined: s.docsExamined });
  }
  const limit = scan.limit;
  const sort = scan.opts.sort;
  if (!plan.sortProvided && sort) {
    stage = {
      stage: 'SORT',
      sortPattern: sort,
      memLimit: 104857600,
      ...(limit ? { limitAmount: limit } : {}),
      type: 'simple',
      inputStage: stage,
    };
    if (withStats) stage.nReturned = s.nReturned;
  } else if (limit) {
    stage = { stage: 'LIMIT', limitAmount: limit, inputStage: stage };
    if (withStats) stage.nReturned = s.nReturned;
  }
  return stage;
}

export function explainScan(
  coll: Collection,
  filter: Document,
  opts: ScanOptions,
  view: ReadView,
  verbosity: ExplainVerbosity,
): Document {
  const scan = planScan(coll, filter, opts, view);
  const queryPlanner = {
    namespace: coll.ns,
    indexFilterSet: false,
    parsedQuery: filter,
    planCacheShapeHash: '00000000',
    maxIndexedOrSolutionsReached: false,
    maxIndexedAndSolutionsReached: false,
    maxScansToExplodeReached: false,
    winningPlan: planStages(scan, false),
    rejectedPlans: [],
  };
  if (verbosity === 'queryPlanner') return { queryPlanner };
  const t0 = performance.now();
  while (!scan.next().done) {
    // drain
  }
  const executionTimeMillis = Math.round(performance.now() - t0);
  return {
    queryPlanner,
    executionStats: {
      executionSuccess: true,
      nReturned: scan.stats.nReturned,
      executionTimeMillis,
      totalKeysExamined: scan.stats.keysExamined,
      totalDocsExamined: scan.stats.docsExamined,
      executionStages: planStages(scan, true),
      ...(verbosity === 'allPlansExecution' ? { allPlansExecution: [] } : {}),
    },
  };
}
