/**
 * Durable session records, in `config.transactions` as on mongod: one document per session,
 * `{_id: {id, uid}, txnNum, lastWriteDate, state?: 'committed', reply?}`, written IN THE SAME
 * write unit as the retryable write or transaction it describes, so the journal holds both or
 * neither. After a restart this is how a retried write is still recognised (its reply comes back
 * instead of a second execution) and a retried commit of a committed transaction still succeeds.
 *
 * mongod rebuilds a retried write's reply from the oplog; here the reply itself is stored
 * (`reply`), unless it is larger than MAX_STORED_REPLY_BYTES: then a retry after a restart gets
 * IncompleteTransactionHistory (217), which never applies the write twice either.
 */
import { Long, bsonSize, type Document } from '../bson.js';
import type { Catalog } from '../catalog/catalog.js';
import type { WriteUnit } from '../catalog/write-unit.js';
import { numberValueOf } from '../values/types.js';

export const SESSION_RECORDS_DB = 'config';
export const SESSION_RECORDS_COLLECTION = 'transactions';
export const SESSION_RECORDS_NS = `${SESSION_RECORDS_DB}.${SESSION_RECORDS_COLLECTION}`;
export const MAX_STORED_REPLY_BYTES = 1024 * 1024;

export interface SessionRecord {
  readonly txnNumber: number;
  /** Set for transactions (only committed ones are recorded). */
  readonly committed: boolean;
  /** The reply of a retryable write (undefined when too large to keep, or for transactions). */
  readonly reply?: Document;
}

/** The reply as a retry should see it again (write concern outcome and labels are per attempt). */
export function storableReply(reply: Document): Document | undefined {
  const {
    writeConcernError: _wce,
    errorLabels: _labels,
    $clusterTime: _ct,
    operationTime: _ot,
    ...rest
  } = reply;
  return bsonSize(rest) <= MAX_STORED_REPLY_BYTES ? rest : undefined;
}

export function readSessionRecord(catalog: Catalog, lsid: Document): SessionRecord | undefined {
  const doc = catalog.getCollection(SESSION_RECORDS_DB, SESSION_RECORDS_COLLECTION)?.findById(lsid);
  if (!doc) return undefined;
  const txnNumber = numberValueOf(doc.txnNum);
  if (txnNumber === undefined) return undefined;
  const reply = doc.reply;
  return {
    txnNumber,
    committed: doc.state === 'committed',
    reply: reply !== null && typeof reply === 'object' ? (reply as Document) : undefined,
  };
}

/** Stages the record in `unit` (insert or replace). */
export function writeSessionRecord(unit: WriteUnit, lsid: Document, record: SessionRecord): void {
  const doc: Document = { _id: lsid, txnNum: Long.fromNumber(record.txnNumber), lastWriteDate: new Date() };
  if (record.committed) doc.state = 'committed';
  if (record.reply) doc.reply = record.reply;
  if (unit.findById(SESSION_RECORDS_NS, lsid)) unit.replace(SESSION_RECORDS_NS, lsid, doc);
  else unit.insert(SESSION_RECORDS_NS, doc);
}

/** Forgets sessions' records (their sessions ended or expired); not waited for on disk. */
export function deleteSessionRecords(catalog: Catalog, lsids: readonly Document[]): void {
  const coll = catalog.getCollection(SESSION_RECORDS_DB, SESSION_RECORDS_COLLECTION);
  if (!coll) return;
  const present = lsids.filter((lsid) => coll.findById(lsid));
  if (present.length === 0) return;
  const unit = catalog.beginWrite();
  try {
    for (const lsid of present) unit.delete(SESSION_RECORDS_NS, lsid);
  } catch {
    // A record another unit holds right now belongs to a live session: leave them all for later.
    unit.abort();
    return;
  }
  unit.commit().catch(() => undefined);
}

/** `_id`s of records last written before `before` (sessions idle for longer than the timeout). */
export function staleSessionRecords(catalog: Catalog, before: Date): Document[] {
  const coll = catalog.getCollection(SESSION_RECORDS_DB, SESSION_RECORDS_COLLECTION);
  if (!coll) return [];
  return [...coll.scan({ lastWriteDate: { $lt: before } })].map((d) => d._id as Document);
}
