/**
 * The server's form of a logical session id: the client's `{id: UUID}` plus `uid`, the SHA-256 of
 * the authenticated user. Without authentication every session belongs to the same (empty) user,
 * as on a mongod without auth. Used as `_id` in `$listLocalSessions` and in the session records.
 */
import { createHash } from 'node:crypto';
import { Binary, type Document } from '../bson.js';

const NO_AUTH_UID = new Binary(createHash('sha256').update('').digest(), Binary.SUBTYPE_DEFAULT);

export function serverLsid(id: Binary): Document {
  return { id, uid: NO_AUTH_UID };
}
