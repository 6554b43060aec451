/**
 * A cheap fingerprint of every collection of the write and the read database: document count and
 * a SHA-256 of the documents (canonical Extended JSON, in _id order). Two fingerprints are compared
 * per collection, so a change names the collection that changed.
 *
 * Excluded, with the reason:
 * - fields that background workers rewrite on a timer whatever the requests do: the projection
 *   leases' heartbeat and expiry, and the position of the resync worker's change stream in a
 *   checkpoint (`resumeToken`, `updatedAt`: the stream advances with every write on the server,
 *   heartbeats included); the checkpoint's last applied event stays in the fingerprint;
 * - empty collections (created lazily by background workers; no data);
 * - `idempotency_keys` documents that record a 4xx answer: the service stores 4xx answers on
 *   purpose so that a retry with the same key gets the same answer (docs/DECISIONS.md, README
 *   "Idempotency-Key"); they are counted separately (`storedRejections`) and reported.
 */
import { createHash } from 'node:crypto';
import { EJSON } from 'bson';
import type { Document, MongoClient } from 'mongodb';

/** Per-collection fields that change with time alone (heartbeats), never because of a request. */
export const VOLATILE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  projection_leases: ['expiresAt', 'renewedAt'],
  projection_checkpoints: ['resumeToken', 'updatedAt'],
};

export interface Fingerprint {
  /** "db.collection" -> "count:hash" */
  collections: Map<string, string>;
  /** idempotency_keys documents that store a 4xx answer (documented behaviour). */
  storedRejections: number;
}

const isStoredRejection = (collection: string, doc: Document): boolean =>
  collection === 'idempotency_keys' &&
  doc.state === 'completed' &&
  (doc.response as { error?: unknown } | null)?.error === true;

export async function fingerprint(client: MongoClient, dbNames: readonly string[]): Promise<Fingerprint> {
  const collections = new Map<string, string>();
  let storedRejections = 0;
  for (const dbName of dbNames) {
    const db = client.db(dbName);
    const names = (await db.listCollections({}, { nameOnly: true }).toArray())
      .map((c) => c.name)
      .filter((n) => !n.startsWith('system.'))
      .sort();
    for (const name of names) {
      const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
      const hash = createHash('sha256');
      let count = 0;
      for (const doc of docs) {
        if (isStoredRejection(name, doc)) {
          storedRejections++;
          continue;
        }
        for (const field of VOLATILE_FIELDS[name] ?? []) delete doc[field];
        hash.update(EJSON.stringify(doc, { relaxed: false }));
        hash.update('\n');
        count++;
      }
      // An empty collection is no data: collections are created lazily (a dead-letter count or an
      // index creation by a background worker creates one), so empty and absent compare equal.
      if (count > 0) collections.set(`${dbName}.${name}`, `${count}:${hash.digest('hex').slice(0, 16)}`);
    }
  }
  return { collections, storedRejections };
}

/** The collections whose count or content differ (added and removed collections included). */
export function changedCollections(before: Fingerprint, after: Fingerprint): string[] {
  const names = new Set([...before.collections.keys(), ...after.collections.keys()]);
  return [...names].filter((n) => before.collections.get(n) !== after.collections.get(n)).sort();
}

/**
 * Waits until the fingerprint stays the same for `quietMs` (bounded by `maxMs`) and returns it.
 * The default quiet window is longer than the resync worker's change-stream await (500 ms), so a
 * checkpoint it is about to write is not mistaken for quiet.
 */
export async function quietFingerprint(
  client: MongoClient,
  dbNames: readonly string[],
  { quietMs = 650, intervalMs = 130, maxMs = 20_000 } = {},
): Promise<Fingerprint> {
  const deadline = Date.now() + maxMs;
  let last = await fingerprint(client, dbNames);
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const next = await fingerprint(client, dbNames);
    if (changedCollections(last, next).length > 0) quietSince = Date.now();
    last = next;
  }
  return last;
}
