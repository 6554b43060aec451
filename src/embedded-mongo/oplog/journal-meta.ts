/**
 * How the oplog rides in the storage engine's own files, so that a record is durable exactly when
 * its batch is (crash consistency needs no second file):
 *
 *  - each journaled batch gets one extra mutation, a put into the reserved namespace
 *    `local.$oplog` (no user collection can be named with `$`) of
 *    `{_id: ts, w: wallTime, lsid?, txnNumber?, f: [facts per mutation]}`: only what the batch's
 *    own mutations do not carry (insert/update/replace, update descriptions, pre-images), never a
 *    second copy of the documents;
 *  - each checkpoint image gets one extra collection with the same namespace, whose documents are
 *    the retained records themselves and whose options hold `truncatedThrough`.
 *
 * On recovery both are stripped before the catalog sees the state.
 */
import { UUID, type Document, type Long, type Timestamp } from '../bson.js';
import { numberOf } from '../storage/codec.js';
import type { CollectionImage, DocumentDiff, Mutation } from '../storage/engine.js';
import type { OpFacts } from './build-record.js';
import type { OplogRecord } from './oplog-record.js';

export const OPLOG_NS = 'local.$oplog';
const OPLOG_UUID = new UUID('00000000-0000-4000-8000-00000000000f').toBinary();

export interface JournalMeta {
  readonly wall: Date;
  readonly lsid?: Document;
  readonly txnNumber?: Long;
  readonly facts: readonly OpFacts[];
}

function encodeFacts(f: OpFacts): Document {
  const out: Document = {};
  if (f.kind !== undefined) out.k = f.kind;
  if (f.update !== undefined) {
    out.u = {
      updatedFields: f.update.updatedFields,
      removedFields: [...f.update.removedFields],
      truncatedArrays: f.update.truncatedArrays.map((t) => ({ field: t.field, newSize: t.newSize })),
      disambiguatedPaths: f.update.disambiguatedPaths,
    };
  }
  if (f.pre !== undefined) out.p = f.pre;
  return out;
}

function decodeDiff(d: Document): DocumentDiff {
  return {
    updatedFields: (d.updatedFields as Document | undefined) ?? {},
    removedFields: ((d.removedFields as unknown[] | undefined) ?? []).map(String),
    truncatedArrays: ((d.truncatedArrays as Document[] | undefined) ?? []).map((t) => ({
      field: String(t.field),
      newSize: numberOf(t.newSize),
    })),
    disambiguatedPaths: (d.disambiguatedPaths as Document | undefined) ?? {},
  };
}

function decodeFacts(d: Document): OpFacts {
  const k = d.k;
  const kind = k === 'i' || k === 'u' || k === 'r' ? k : undefined;
  const update = d.u !== undefined ? decodeDiff(d.u as Document) : undefined;
  const pre = d.p !== undefined ? (d.p as Document) : undefined;
  return { kind, update, pre };
}

/** The extra mutation journaled with a batch. */
export function metaMutation(record: OplogRecord, facts: readonly OpFacts[]): Mutation {
  const doc: Document = { _id: record._id, w: record.wall, f: facts.map(encodeFacts) };
  if (record.lsid !== undefined) doc.lsid = record.lsid;
  if (record.txnNumber !== undefined) doc.txnNumber = record.txnNumber;
  return { op: 'put', ns: OPLOG_NS, id: record._id, doc };
}

export function isMetaMutation(m: Mutation): m is Mutation & { op: 'put' } {
  return m.op === 'put' && m.ns === OPLOG_NS;
}

export function readMeta(doc: Document): JournalMeta {
  const facts = Array.isArray(doc.f) ? (doc.f as Document[]).map(decodeFacts) : [];
  return {
    wall: doc.w instanceof Date ? doc.w : new Date(0),
    lsid: doc.lsid as Document | undefined,
    txnNumber: doc.txnNumber as Long | undefined,
    facts,
  };
}

/** The checkpoint image of the oplog. */
export function oplogImage(records: readonly OplogRecord[], truncatedThrough: Timestamp): CollectionImage {
  return {
    ns: OPLOG_NS,
    uuid: OPLOG_UUID,
    options: { format: 1, truncatedThrough },
    indexes: [],
    documents: records as unknown as readonly Document[],
  };
}

/** Records and truncation point from a checkpoint image's oplog collection. */
export function readOplogImage(image: CollectionImage): {
  records: OplogRecord[];
  truncatedThrough: Timestamp | undefined;
} {
  const records = image.documents.map((d) => d as unknown as OplogRecord);
  return { records, truncatedThrough: image.options.truncatedThrough as Timestamp | undefined };
}
