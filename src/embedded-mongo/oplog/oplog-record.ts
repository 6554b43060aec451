/**
 * The oplog's data: one record per committed batch (every operation of a batch shares its commit
 * Timestamp, so a transaction's operations are one record, in order), holding mongod-like
 * operations (`op`/`ns`/`ui`/`o`/`o2`).
 *
 * Records are immutable plain BSON documents: the same object is kept in memory, handed to the
 * checkpoint image, and read by change streams. Operation kinds (an internal format, close to but
 * not the same as mongod's):
 *
 *   i  insert        o: the document
 *   u  update        o: {updatedFields, removedFields, truncatedArrays, disambiguatedPaths}, o2: {_id}
 *   r  replacement   o: the new document, o2: {_id}
 *   d  delete        o: {_id}
 *   c  command       ns `<db>.$cmd`, o: {create|drop|renameCollection|dropDatabase|createIndexes|
 *                    dropIndexes|collMod: ...}, o2: the state a dropIndexes/collMod removed
 *
 * `preImage` (u/r/d) and `postImage` (u) are present only for collections that had
 * `changeStreamPreAndPostImages: {enabled: true}` when the write committed, as in mongod.
 */
import type { Binary, Document, Long, Timestamp } from '../bson.js';

export type OplogOpType = 'i' | 'u' | 'r' | 'd' | 'c';

export interface OplogOp {
  readonly op: OplogOpType;
  /** `<db>.<collection>` for document operations, `<db>.$cmd` for commands. */
  readonly ns: string;
  /** The collection's UUID (absent for dropDatabase, and for collections the oplog never saw created). */
  readonly ui?: Binary;
  readonly o: Document;
  readonly o2?: Document;
  readonly preImage?: Document;
  readonly postImage?: Document;
}

export interface OplogRecord {
  /** The commit Timestamp (clusterTime of every event of the record). */
  readonly _id: Timestamp;
  /** Wall-clock time of the commit (the events' `wallTime`). */
  readonly wall: Date;
  /** Set when the record is the commit of a multi-document transaction. */
  readonly lsid?: Document;
  readonly txnNumber?: Long;
  readonly ops: readonly OplogOp[];
}

/** The `_id` of a document operation (undefined for commands). */
export function documentIdOf(op: OplogOp): unknown {
  switch (op.op) {
    case 'i':
    case 'd':
      return op.o._id;
    case 'u':
    case 'r':
      return op.o2?._id;
    case 'c':
      return undefined;
  }
}

/** The command name of a 'c' operation (its first field). */
export function commandOf(op: OplogOp): string {
  return Object.keys(op.o)[0] ?? '';
}

/** `db` of a namespace (`db.coll` or `db.$cmd`). */
export function dbOf(ns: string): string {
  const dot = ns.indexOf('.');
  return dot < 0 ? ns : ns.slice(0, dot);
}

/** Collection part of a namespace. */
export function collOf(ns: string): string {
  const dot = ns.indexOf('.');
  return dot < 0 ? '' : ns.slice(dot + 1);
}
