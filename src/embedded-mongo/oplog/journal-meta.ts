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
 *
 * Size: every persisted document stays far below BSON's 16 MiB (the engine serializes documents
 * one by one, into a 17 MiB buffer). A batch's facts, and a record in a checkpoint, are split into
 * fragments of about FRAGMENT_BYTES (never splitting one operation), read back in order.
 */
import { UUID, bsonSize, type Document, type Long, type Timestamp } from '../bson.js';
import { numberOf } from '../storage/codec.js';
import type { CollectionImage, DocumentDiff, Mutation } from '../storage/engine.js';
import type { OpFacts } from './build-record.js';
import type { OplogRecord } from './oplog-record.js';

export const OPLOG_NS = 'local.$oplog';
const OPLOG_UUID = new UUID('00000000-0000-4000-8000-00000000000f').toBinary();

/** Target size of one persisted fragment (a single larger operation gets a fragment of its own). */
export const FRAGMENT_BYTES = 4 * 1024 * 1024;

/** Splits `items` into consecutive groups of about `limit` bytes; sizes only where needed. */
function fragments<T>(items: readonly T[], sizeOf: (item: T) => number, limit: number): T[][] {
  const out: T[][] = [[]];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (bytes > 0 && bytes + size > limit) {
      out.push([]);
      bytes = 0;
    }
    out[out.length - 1].push(item);
    bytes += size;
  }
  return out;
}

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

/** Bytes a fact adds (only facts carrying documents can be large). */
function factSize(f: Document): number {
  return f.u === undefined && f.p === undefined ? 16 : bsonSize(f);
}

/**
 * The extra mutations journaled with a batch: one, or several fragments `{_id, p: <n>, f}` when
 * the facts are large (pre-images of a big update).
 */
export function metaMutations(
  record: OplogRecord,
  facts: readonly OpFacts[],
  limit = FRAGMENT_BYTES,
): Mutation[] {
  const parts = fragments(facts.map(encodeFacts), factSize, limit);
  return parts.map((f, p) => {
    const doc: Document = { _id: record._id, p, f };
    if (p === 0) {
      doc.w = record.wall;
      if (record.lsid !== undefined) doc.lsid = record.lsid;
      if (record.txnNumber !== undefined) doc.txnNumber = record.txnNumber;
    }
    return { op: 'put', ns: OPLOG_NS, id: record._id, doc };
  });
}

export function isMetaMutation(m: Mutation): m is Mutation & { op: 'put' } {
  return m.op === 'put' && m.ns === OPLOG_NS;
}

/** The batch's journal meta, from its fragments in journal order. */
export function readMeta(docs: readonly Document[]): JournalMeta {
  const first = docs[0] ?? {};
  const facts: OpFacts[] = [];
  for (const d of docs) if (Array.isArray(d.f)) for (const f of d.f as Document[]) facts.push(decodeFacts(f));
  return {
    wall: first.w instanceof Date ? first.w : new Date(0),
    lsid: first.lsid as Document | undefined,
    txnNumber: first.txnNumber as Long | undefined,
    facts,
  };
}

/**
 * The checkpoint image of the oplog: the records themselves, a record larger than `limit` as
 * consecutive fragments with the same `_id` and `frag: 1, 2, ...` holding the rest of its ops.
 */
export function oplogImage(
  records: readonly OplogRecord[],
  sizes: readonly number[],
  truncatedThrough: Timestamp,
  limit = FRAGMENT_BYTES,
): CollectionImage {
  const documents: Document[] = [];
  records.forEach((r, i) => {
    if ((sizes[i] ?? 0) <= limit) {
      documents.push(r as unknown as Document);
      return;
    }
    const parts = fragments(r.ops, (o) => bsonSize(o as unknown as Document), limit);
    parts.forEach((ops, frag) => {
      documents.push(frag === 0 ? { ...(r as unknown as Document), ops } : { _id: r._id, frag, ops });
    });
  });
  return {
    ns: OPLOG_NS,
    uuid: OPLOG_UUID,
    options: { format: 1, truncatedThrough },
    indexes: [],
    documents,
  };
}

/** Records (fragments joined) and truncation point from a checkpoint image's oplog collection. */
export function readOplogImage(image: CollectionImage): {
  records: OplogRecord[];
  truncatedThrough: Timestamp | undefined;
} {
  const records: OplogRecord[] = [];
  for (const d of image.documents) {
    const last = records[records.length - 1];
    if (d.frag !== undefined && last) {
      records[records.length - 1] = { ...last, ops: [...last.ops, ...(d.ops as OplogRecord['ops'])] };
    } else {
      records.push(d as unknown as OplogRecord);
    }
  }
  return { records, truncatedThrough: image.options.truncatedThrough as Timestamp | undefined };
}
