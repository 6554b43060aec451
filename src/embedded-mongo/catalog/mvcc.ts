/**
 * Multi-version document storage (see the model in catalog.ts).
 *
 * A DocRecord is one `_id`'s history: a chain of immutable versions, newest first. A version is
 * either committed (stamped with the commit sequence number and Timestamp of its batch) or
 * uncommitted, owned by the WriteUnit that wrote it; an uncommitted version can only be the head,
 * and only one writer owns a record at a time (a second writer gets WriteConflict).
 * `doc === null` marks a deletion (tombstone).
 */
import type { Document, Timestamp } from '../bson.js';

/** Identity of a write unit, as far as visibility is concerned. */
export interface WriterToken {
  readonly writerId: number;
}

export interface Version {
  readonly doc: Document | null;
  /** Commit sequence number (0 while uncommitted; recovered data starts at 0 too). */
  seq: number;
  /** Commit Timestamp (null while uncommitted). */
  ts: Timestamp | null;
  /** The writer of an uncommitted version; null once committed. */
  owner: WriterToken | null;
  /** BSON size of `doc` (0 for tombstones). */
  readonly size: number;
  prev: Version | null;
}

export interface DocRecord {
  /** keyString(_id). */
  readonly key: string;
  /** Record id: creation order, the tie-break inside equal index keys (like mongod's RecordId). */
  readonly rid: number;
  readonly id: unknown;
  head: Version;
}

/** Who is reading: a snapshot (commit sequence number) and/or a writer whose own writes are visible. */
export interface ReadView {
  /** See only versions committed at or before this sequence number; undefined = latest committed. */
  readonly seq?: number;
  readonly writer?: WriterToken;
}

export const LATEST: ReadView = Object.freeze({});

/** The version `view` sees, or null when the document does not exist for it. */
export function visibleVersion(rec: DocRecord, view: ReadView): Version | null {
  let v: Version | null = rec.head;
  if (v.owner) {
    if (v.owner === view.writer) return v;
    v = v.prev;
  }
  const seq = view.seq;
  if (seq === undefined) return v;
  while (v && v.seq > seq) v = v.prev;
  return v;
}

export function visibleDoc(rec: DocRecord, view: ReadView): Document | null {
  const v = visibleVersion(rec, view);
  return v ? v.doc : null;
}

/** The newest committed version (what a plain read sees). */
export function committedHead(rec: DocRecord): Version | null {
  return rec.head.owner ? rec.head.prev : rec.head;
}

/** Whether the record holds more than one version (index entries may then be stale for a reader). */
export function hasHistory(rec: DocRecord): boolean {
  return rec.head.prev !== null || rec.head.owner !== null;
}
