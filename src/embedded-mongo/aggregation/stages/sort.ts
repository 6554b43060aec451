/**
 * $sort, with sort keys as query/sort.ts defines them (arrays sort by their min / max element,
 * {$meta: 'textScore'} by score). Equal keys keep their input order. Followed by $limit it keeps
 * only the top k documents (bounded insertion) instead of sorting everything.
 */
import type { Document } from '../../bson.js';
import { parseSort, type CompiledSort, type SortKey } from '../../query/sort.js';
import { fail, isPlainObject, typeName } from '../expressions/core.js';
import { getDocumentMetadata } from '../metadata.js';
import { approxSize, MEMORY_LIMIT_BYTES, MemoryGuard } from './memory.js';
import { chunks, type Batches, type RunEnv, type StageParser, type StreamStage } from './stage.js';

const SORT_MEMORY_MESSAGE = `Sort exceeded memory limit of ${MEMORY_LIMIT_BYTES} bytes, but did not opt in to external sorting.`;

/** Validates a $sort specification and compiles it. */
export function parseSortStageSpec(spec: unknown, collation?: Document): CompiledSort {
  if (!isPlainObject(spec))
    fail(15973, `the $sort key specification must be an object, not ${typeName(spec)}`);
  if (Object.keys(spec).filter((k) => spec[k] !== undefined).length === 0) {
    fail(15976, '$sort stage must have at least one sort key');
  }
  return parseSort(spec, { textScore: (d) => getDocumentMetadata(d)?.textScore, collation });
}

interface Entry {
  key: SortKey;
  doc: Document;
}

/** Sorts the whole input (stable). */
export async function sortAll(input: Batches, sort: CompiledSort, env: RunEnv): Promise<Document[]> {
  const guard = new MemoryGuard(env, SORT_MEMORY_MESSAGE);
  const entries: Entry[] = [];
  for await (const batch of input) {
    for (const doc of batch) {
      if (guard.active) guard.add(approxSize(doc));
      entries.push({ key: sort.keyOf(doc), doc });
    }
  }
  const order = entries.map((_, i) => i);
  order.sort((i, j) => sort.compareKeys(entries[i].key, entries[j].key) || i - j);
  return order.map((i) => entries[i].doc);
}

/** The first `k` documents in sort order, holding at most k documents. */
async function topK(input: Batches, sort: CompiledSort, k: number, env: RunEnv): Promise<Document[]> {
  if (k > 100000) return (await sortAll(input, sort, env)).slice(0, k);
  const guard = new MemoryGuard(env, SORT_MEMORY_MESSAGE);
  const kept: Entry[] = [];
  for await (const batch of input) {
    for (const doc of batch) {
      const key = sort.keyOf(doc);
      if (kept.length === k && sort.compareKeys(key, kept[k - 1].key) >= 0) continue;
      let lo = 0;
      let hi = kept.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sort.compareKeys(key, kept[mid].key) < 0) hi = mid;
        else lo = mid + 1;
      }
      kept.splice(lo, 0, { key, doc });
      if (kept.length > k) kept.pop();
      else if (guard.active) guard.add(approxSize(doc));
    }
  }
  return kept.map((e) => e.doc);
}

function sortStage(name: string, sort: CompiledSort, k?: number): StreamStage {
  return {
    name,
    kind: 'stream',
    async *run(input, env) {
      const docs = k === undefined ? await sortAll(input, sort, env) : await topK(input, sort, k, env);
      yield* chunks(docs);
    },
    withLimit: (limit) => sortStage(name, sort, k === undefined ? limit : Math.min(k, limit)),
  };
}

export const parseSortStage: StageParser = (spec, pc, name) =>
  sortStage(name, parseSortStageSpec(spec, pc.ctx.collation));
