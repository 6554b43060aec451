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
import { RecordAssembler } from './record-assembler.js';
import { RECORD_HEADER_BYTES } from './records.js';

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

/** The framed journal record of a batch, assembled in `assembler` (a view: copy it to keep it). */
export function frameBatch(batch: MutationBatch, assembler: RecordAssembler): Buffer {
  return assembler.frameDocumentArray({ ts: batch.ts }, 'm', batch.mutations.map(persistedMutation));
}

/** The batch's record payload alone (a copy), as the journal holds it. */
export function encodeBatch(batch: MutationBatch): Uint8Array {
  return Buffer.from(frameBatch(batch, new RecordAssembler()).subarray(RECORD_HEADER_BYTES));
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

/** The framed checkpoint record of some documents of one collection (a view into `assembler`). */
export function frameCheckpointDocs(
  collectionIndex: number,
  docs: readonly Document[],
  assembler: RecordAssembler,
): Buffer {
  return assembler.frameDocumentArray({ k: 'docs', c: collectionIndex }, 'd', docs);
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
