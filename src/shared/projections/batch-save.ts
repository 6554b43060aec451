/**
 * Load-evolve-save of many read-model documents at once, with optimistic concurrency per document.
 *
 * Every stored document carries a revision field (`_rev` or `rev`, bumped on each save). One batch:
 * one `find({_id: {$in: ids}})`, an in-memory evolve per document, one unordered `bulkWrite`:
 * - a new document is an `insertOne`;
 * - a changed one is `replaceOne({_id, <rev>: loaded}, next, {upsert: true})`. If another writer
 *   saved it meanwhile, the filter matches nothing and the upsert's insert collides on `_id`: a
 *   duplicate-key write error whose `index` names exactly the document that lost.
 * The documents that lost (and only those) are loaded and evolved again, until every save lands.
 * Two appliers of the same document (fast path on one instance, resync on another) therefore never
 * overwrite each other's work, and a batch costs two round trips when nobody else writes.
 */
import {
  MongoBulkWriteError,
  type AnyBulkWriteOperation,
  type ClientSession,
  type Collection,
  type Document,
  type Filter,
  type OptionalId,
} from 'mongodb';

export const MAX_SAVE_ROUNDS = 20;

/** `T` as stored: the document plus its revision under the field name the collection uses. */
export type WithRev<T, R extends string> = T & { [K in R]: number };

export interface BatchSaveOptions<R extends string> {
  /** The revision field ('_rev' for the orders read models, 'rev' for product_catalog). */
  readonly revField: R;
  readonly session?: ClientSession;
}

/**
 * Decides a document's next state from its current one (null: not stored yet). Returns the same
 * object (or null) when nothing changes, so nothing is written. May be called again for the same
 * id after a lost save, with the newer current state.
 */
export type Evolver<T> = (id: string, current: T | null) => T | null;

/** The documents with these ids, without their revision field, keyed by id (one round trip). */
export async function loadMany<T extends Document & { _id: string }, R extends string>(
  coll: Collection<WithRev<T, R>>,
  ids: readonly string[],
  opts: BatchSaveOptions<R>,
): Promise<Map<string, WithRev<T, R>>> {
  const out = new Map<string, WithRev<T, R>>();
  if (ids.length === 0) return out;
  const docs = await coll
    .find({ _id: { $in: [...ids] } } as Filter<WithRev<T, R>>, { session: opts.session })
    .toArray();
  for (const d of docs) out.set((d as unknown as { _id: string })._id, d as WithRev<T, R>);
  return out;
}

/** Strips the revision field so pure functions see the read-model document only. */
export function withoutRevField<T extends Document, R extends string>(stored: WithRev<T, R>, revField: R): T {
  const copy: Document = { ...stored };
  delete copy[revField];
  return copy as T;
}

/**
 * Evolves and saves the documents `ids` until every save lands; resolves to the documents written
 * (id -> saved state). Throws after MAX_SAVE_ROUNDS rounds of lost races (the runtime retries).
 */
export async function updateManyGuarded<T extends Document & { _id: string }, R extends string>(
  coll: Collection<WithRev<T, R>>,
  ids: readonly string[],
  evolve: Evolver<T>,
  opts: BatchSaveOptions<R>,
): Promise<Map<string, T>> {
  const saved = new Map<string, T>();
  let pending = [...new Set(ids)];
  for (let round = 0; round < MAX_SAVE_ROUNDS && pending.length > 0; round++) {
    const loaded = await loadMany<T, R>(coll, pending, opts);
    const writes: { id: string; next: T; prevRev: number | null }[] = [];
    for (const id of pending) {
      const prev = loaded.get(id) ?? null;
      const current = prev ? withoutRevField<T, R>(prev, opts.revField) : null;
      const next = evolve(id, current);
      if (next === null || next === current) continue;
      writes.push({ id, next, prevRev: prev ? (prev[opts.revField] as number) : null });
    }
    const lost = await saveMany(coll, writes, opts);
    for (const w of writes) if (!lost.has(w.id)) saved.set(w.id, w.next);
    pending = [...lost];
  }
  if (pending.length > 0) {
    throw new Error(
      `${coll.collectionName}: ${pending.length} document(s) changed concurrently ${MAX_SAVE_ROUNDS} times in a row ` +
        `(e.g. ${pending[0]}), giving up (will be retried)`,
    );
  }
  return saved;
}

/** One unordered bulk write of guarded saves; resolves to the ids whose save lost a race. */
export async function saveMany<T extends Document & { _id: string }, R extends string>(
  coll: Collection<WithRev<T, R>>,
  writes: readonly { id: string; next: T; prevRev: number | null }[],
  opts: BatchSaveOptions<R>,
): Promise<Set<string>> {
  const lost = new Set<string>();
  if (writes.length === 0) return lost;
  const ops = writes.map((w): AnyBulkWriteOperation<WithRev<T, R>> => {
    const doc = { ...w.next, [opts.revField]: (w.prevRev ?? 0) + 1 } as unknown as WithRev<T, R>;
    if (w.prevRev === null) return { insertOne: { document: doc as OptionalId<WithRev<T, R>> } };
    return {
      replaceOne: {
        filter: { _id: w.id, [opts.revField]: w.prevRev } as unknown as Filter<WithRev<T, R>>,
        replacement: doc,
        upsert: true,
      },
    };
  });
  try {
    await coll.bulkWrite(ops, { ordered: false, session: opts.session });
  } catch (e) {
    if (!(e instanceof MongoBulkWriteError)) throw e;
    const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
    for (const we of errors) {
      if (we.code !== 11000) throw e;
      const w = writes[we.index];
      if (w) lost.add(w.id);
    }
    if (errors.length === 0) throw e;
  }
  return lost;
}
