/**
 * BSON encodings of journal batches and checkpoint records (no JSON anywhere: values keep their
 * exact BSON types across a restart).
 *
 * Journal record:     { ts: Timestamp, m: [ <mutation>... ] }   (put omits `id`: it is doc._id)
 * Checkpoint records: { k: 'header', format: 1, ts, journalSeq, collections: [{ns, uuid, options, indexes}] }
 *                     { k: 'docs', c: <collection index>, d: [doc...] }            (repeated)
 *                     { k: 'end', documents: <total> }                             (last)
 */
import { serialize } from 'bson';
import type { Binary, Document, Timestamp } from '../bson.js';
import type { Mutation, MutationBatch } from './engine.js';

const SERIALIZE = { ignoreUndefined: false } as const;

function persistedMutation(m: Mutation): Document {
  switch (m.op) {
    case 'put':
      return { op: 'put', ns: m.ns, doc: m.doc };
    case 'delete':
      return { op: 'delete', ns: m.ns, id: m.id };
    default:
      return m;
  }
}

/*
 * Large records are assembled from individually serialized documents: js-bson serializes into a
 * fixed 17 MiB scratch buffer, so one serialize() call per batch would fail for an insertMany of
 * more than 17 MiB, and one per checkpoint chunk for large documents. Each document fits (16 MiB
 * is the server's limit).
 */
const BSON_DOCUMENT = 0x03;
const BSON_ARRAY = 0x04;

/** The elements of a serialized document (without its length prefix and terminator). */
function elementsOf(doc: Document): Uint8Array {
  const bytes = serialize(doc, SERIALIZE);
  return bytes.subarray(4, bytes.length - 1);
}

function documentOf(parts: readonly Uint8Array[]): Buffer {
  let size = 5;
  for (const p of parts) size += p.length;
  const out = Buffer.allocUnsafe(size);
  out.writeInt32LE(size, 0);
  let pos = 4;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  out[pos] = 0;
  return out;
}

function element(type: number, name: string, value: Uint8Array): Buffer {
  const key = Buffer.from(`${name}\0`, 'utf8');
  const out = Buffer.allocUnsafe(1 + key.length + value.length);
  out[0] = type;
  out.set(key, 1);
  out.set(value, 1 + key.length);
  return out;
}

/** `{...head, [name]: docs}` with `docs` an array of documents, without one big serialize(). */
function withDocumentArray(head: Document, name: string, docs: readonly Document[]): Buffer {
  const array = documentOf(docs.map((d, i) => element(BSON_DOCUMENT, String(i), serialize(d, SERIALIZE))));
  return documentOf([elementsOf(head), element(BSON_ARRAY, name, array)]);
}

export function encodeBatch(batch: MutationBatch): Uint8Array {
  return withDocumentArray({ ts: batch.ts }, 'm', batch.mutations.map(persistedMutation));
}

function str(d: Document, k: string): string {
  const v = d[k];
  if (typeof v !== 'string') throw new Error(`journal record: field '${k}' is not a string`);
  return v;
}

function doc(d: Document, k: string): Document {
  const v = d[k];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new Error(`journal record: field '${k}' is not a document`);
  }
  return v as Document;
}

export function decodeMutation(d: Document): Mutation {
  const op = d.op;
  switch (op) {
    case 'put': {
      const body = doc(d, 'doc');
      return { op, ns: str(d, 'ns'), id: body._id, doc: body };
    }
    case 'delete':
      return { op, ns: str(d, 'ns'), id: d.id };
    case 'createCollection':
      return { op, ns: str(d, 'ns'), uuid: d.uuid as Binary, options: doc(d, 'options') };
    case 'dropCollection':
      return { op, ns: str(d, 'ns') };
    case 'renameCollection':
      return { op, from: str(d, 'from'), to: str(d, 'to') };
    case 'dropDatabase':
      return { op, db: str(d, 'db') };
    case 'createIndex':
      return { op, ns: str(d, 'ns'), spec: doc(d, 'spec') };
    case 'dropIndex':
      return { op, ns: str(d, 'ns'), name: str(d, 'name') };
    case 'collMod':
      return { op, ns: str(d, 'ns'), changes: doc(d, 'changes') };
    default:
      throw new Error(`journal record: unknown mutation '${String(op)}' (written by a newer version?)`);
  }
}

export function decodeBatch(d: Document): MutationBatch {
  const m = d.m;
  if (!Array.isArray(m)) throw new Error('journal record: no mutation list');
  return { ts: d.ts as Timestamp, mutations: m.map((x) => decodeMutation(x as Document)) };
}

export interface CheckpointHeader {
  ts: Timestamp;
  /** Every journal file with a sequence number <= this is covered by the checkpoint. */
  journalSeq: number;
  collections: { ns: string; uuid: Binary; options: Document; indexes: Document[] }[];
}

export function encodeCheckpointHeader(h: CheckpointHeader): Uint8Array {
  return serialize({
    k: 'header',
    format: 1,
    ts: h.ts,
    journalSeq: h.journalSeq,
    collections: h.collections,
  });
}

export function encodeCheckpointDocs(collectionIndex: number, docs: readonly Document[]): Uint8Array {
  return withDocumentArray({ k: 'docs', c: collectionIndex }, 'd', docs);
}

export function encodeCheckpointEnd(documents: number): Uint8Array {
  return serialize({ k: 'end', documents });
}

/** Plain JS number of a decoded int32/double/long field. */
export function numberOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v !== null && typeof v === 'object') {
    const o = v as { toNumber?: () => number; valueOf: () => unknown };
    if (typeof o.toNumber === 'function') return o.toNumber();
    const p = o.valueOf();
    if (typeof p === 'number') return p;
  }
  return Number.NaN;
}
