/**
 * Load-evolve-save with optimistic concurrency for read-model documents: every stored document
 * carries `_rev` (bumped on each save), and a save only lands on the revision it was computed from.
 * Two appliers of the same document (fast path on one instance, resync on another) therefore never
 * overwrite each other's work: the loser reloads and evolves again. `_rev` is storage bookkeeping,
 * not part of the read model (verify ignores it).
 */
import type { ClientSession, Collection, Document, Filter, OptionalUnlessRequiredId } from 'mongodb';

export type Stored<T> = T & { _rev: number };

export const MAX_SAVE_ATTEMPTS = 20;

const isDuplicateKey = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;

/** Saves `next` over `prev` (null: insert). False when someone else saved the document meanwhile. */
export async function saveOver<T extends Document & { _id: string }>(
  coll: Collection<Stored<T>>,
  prev: Stored<T> | null,
  next: T,
  session?: ClientSession,
): Promise<boolean> {
  if (prev === null) {
    try {
      await coll.insertOne({ ...next, _rev: 1 } as OptionalUnlessRequiredId<Stored<T>>, { session });
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }
  const res = await coll.replaceOne(
    { _id: prev._id, _rev: prev._rev } as Filter<Stored<T>>,
    {
      ...next,
      _rev: prev._rev + 1,
    } as Stored<T>,
    { session },
  );
  return res.matchedCount === 1;
}

/** Strips `_rev` so the pure functions see the read-model document only. */
export function withoutRev<T extends Document>(stored: Stored<T>): T {
  const { _rev: _ignored, ...doc } = stored;
  void _ignored;
  return doc as unknown as T;
}

/**
 * Reloads, evolves and saves until the save lands. `evolve` returns the same object when nothing
 * changes (then nothing is written) and may throw. Resolves to the saved document, or null when
 * nothing changed.
 */
export async function updateGuarded<T extends Document & { _id: string }>(
  coll: Collection<Stored<T>>,
  id: string,
  evolve: (current: T | null) => T | null | Promise<T | null>,
  session?: ClientSession,
): Promise<T | null> {
  for (let attempt = 0; attempt < MAX_SAVE_ATTEMPTS; attempt++) {
    const prev = (await coll.findOne({ _id: id } as Filter<Stored<T>>, { session })) as Stored<T> | null;
    const current = prev ? withoutRev(prev) : null;
    const next = await evolve(current);
    if (next === null || next === current) return null;
    if (await saveOver(coll, prev, next, session)) return next;
  }
  throw new Error(
    `document ${id}: ${MAX_SAVE_ATTEMPTS} concurrent updates in a row, giving up (will be retried)`,
  );
}
