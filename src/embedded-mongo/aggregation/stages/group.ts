/**
 * $group: documents grouped by the `_id` expression (MongoDB equality: 1, 1.0 and NumberLong(1)
 * are one group; missing is null), one accumulator per output field. Groups are emitted in
 * first-seen order (mongod promises no order). Also the engine behind $bucket and $sortByCount.
 */
import type { Document } from '../../bson.js';
import { keyString, numericKind } from '../../values/index.js';
import {
  parseAccumulatorStatement,
  startAccumulator,
  type Accumulator,
  type AccumulatorSpec,
} from '../accumulators.js';
import { fail, isPlainObject, setOwn, typeName, type CompiledExpr, type Vars } from '../expressions/core.js';
import { approxSize, MemoryGuard } from './memory.js';
import { chunks, type Batches, type StageParseContext, type StageParser, type StreamStage } from './stage.js';

export interface GroupField {
  readonly field: string;
  readonly spec: AccumulatorSpec;
}

const GROUP_MEMORY_MESSAGE =
  "Exceeded memory limit for $group, but didn't allow external spilling; pass allowDiskUse:true to opt in.";

/** Parses the accumulator fields of a $group-like specification (all but `_id`). */
export function parseGroupFields(
  spec: Document,
  pc: StageParseContext,
  skip: readonly string[] = ['_id'],
): GroupField[] {
  const fields: GroupField[] = [];
  for (const [field, v] of Object.entries(spec)) {
    if (skip.includes(field) || v === undefined) continue;
    fields.push({ field, spec: parseAccumulatorStatement(field, v, pc.compileContext) });
  }
  return fields;
}

interface Group {
  id: unknown;
  accumulators: Accumulator[];
}

/** Groups `input` by `idExpr`: {_id, ...fields} per group in first-seen order. */
export async function groupDocuments(
  input: Batches,
  idExpr: CompiledExpr,
  fields: readonly GroupField[],
  vars: Vars,
  guard: MemoryGuard,
): Promise<Document[]> {
  const groups = new Map<string, Group>();
  for await (const batch of input) {
    for (const doc of batch) {
      let id = idExpr(doc, vars);
      if (id === undefined) id = null;
      const key = keyString(id);
      let g = groups.get(key);
      if (!g) {
        const groupId = id;
        g = { id: groupId, accumulators: fields.map((f) => startAccumulator(f.spec, groupId, vars)) };
        groups.set(key, g);
        if (guard.active) guard.add(approxSize(id) + 64 * fields.length);
      }
      for (let i = 0; i < fields.length; i++) {
        const v = fields[i].spec.argument(doc, vars);
        if (guard.active) guard.add(approxSize(v));
        g.accumulators[i].process(v);
      }
    }
  }
  const out: Document[] = [];
  for (const g of groups.values()) {
    const doc: Document = { _id: g.id };
    fields.forEach((f, i) => setOwn(doc, f.field, g.accumulators[i].value()));
    out.push(doc);
  }
  return out;
}

export function groupStage(name: string, idExpr: CompiledExpr, fields: readonly GroupField[]): StreamStage {
  return {
    name,
    kind: 'stream',
    async *run(input, env) {
      const guard = new MemoryGuard(env, GROUP_MEMORY_MESSAGE);
      yield* chunks(await groupDocuments(input, idExpr, fields, env.vars, guard));
    },
  };
}

export const parseGroup: StageParser = (spec, pc, name) => {
  if (!isPlainObject(spec))
    fail(15947, `a group's fields must be specified in an object, not ${typeName(spec)}`);
  if (!Object.prototype.hasOwnProperty.call(spec, '_id') || spec._id === undefined) {
    fail(15955, 'a group specification must include an _id');
  }
  const id = spec._id;
  if (isPlainObject(id) && !Object.keys(id)[0]?.startsWith('$')) {
    for (const v of Object.values(id)) {
      if (typeof v === 'boolean' || numericKind(v))
        fail(17390, '$group does not support inclusion-style expressions');
    }
  }
  const idExpr = pc.compile(id);
  return groupStage(name, idExpr, parseGroupFields(spec, pc));
};
