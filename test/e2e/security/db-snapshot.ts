/**
 * A fingerprint of every collection of the write and the read database: per collection, a SHA-256
 * over its documents (canonical extended JSON, sorted; empty collections left out), so "nothing changed" is one comparison and
 * a difference names the collections that moved.
 */
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { EJSON } from 'bson';
import type { Connection } from 'mongoose';
import { createHash } from 'node:crypto';
import { READ_CONNECTION, WRITE_CONNECTION } from '../../../src/shared/persistence/connections.js';

/** `<db>.<collection>` -> `<count>:<sha256>` */
export type DbSnapshot = Record<string, string>;

/** What to leave out: whole collections, and fields of a collection's documents. */
export interface SnapshotIgnore {
  collections?: readonly string[];
  fields?: Record<string, readonly string[]>;
}

async function snapshotOf(conn: Connection, label: string, ignore: SnapshotIgnore): Promise<DbSnapshot> {
  const db = conn.db;
  if (!db) throw new Error(`the ${label} connection is not open`);
  const out: DbSnapshot = {};
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  for (const name of names) {
    if (ignore.collections?.includes(name) || name.startsWith('system.')) continue;
    const drop = ignore.fields?.[name] ?? [];
    const docs = (await db.collection(name).find({}).toArray()).map((d) =>
      Object.fromEntries(Object.entries(d).filter(([k]) => !drop.includes(k))),
    );
    // An empty collection is no data (some are created lazily, e.g. by a status read).
    if (docs.length === 0) continue;
    const lines = docs.map((d) => EJSON.stringify(d, { relaxed: false })).sort();
    const hash = createHash('sha256');
    for (const line of lines) hash.update(line).update('\n');
    out[`${label}.${name}`] = `${lines.length}:${hash.digest('hex')}`;
  }
  return out;
}

/**
 * Snapshots both databases. `ignore` names what changes with time alone (lease heartbeats, the
 * change-stream resume tokens that advance with any write), not with requests.
 */
export async function snapshotDatabases(
  app: INestApplication,
  ignore: SnapshotIgnore = {},
): Promise<DbSnapshot> {
  return {
    ...(await snapshotOf(app.get<Connection>(getConnectionToken(WRITE_CONNECTION)), 'write', ignore)),
    ...(await snapshotOf(app.get<Connection>(getConnectionToken(READ_CONNECTION)), 'read', ignore)),
  };
}
