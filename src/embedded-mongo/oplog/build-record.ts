/**
 * Turns one committed batch into its oplog record. The same function runs at commit (facts read
 * from the in-memory mutations) and at recovery (facts read from the journal), against a tracker
 * in the same state both times, so a recovered record equals the one written.
 */
import type { Document } from '../bson.js';
import type { DocumentDiff, Mutation, MutationBatch } from '../storage/engine.js';
import type { CollectionsTracker } from './collections-tracker.js';
import { collOf, dbOf, type OplogOp, type OplogRecord } from './oplog-record.js';

/** What a journaled document mutation does not carry but its oplog operation needs. */
export interface OpFacts {
  /** For puts: insert, update (operator or pipeline) or replacement. */
  readonly kind?: 'i' | 'u' | 'r';
  readonly update?: DocumentDiff;
  /** The pre-image, only when the collection keeps images. */
  readonly pre?: Document;
}

/** Facts of an in-memory (just committed) mutation. */
export function liveFacts(m: Mutation, tracker: CollectionsTracker): OpFacts {
  if (m.op !== 'put' && m.op !== 'delete') return {};
  const pre = tracker.keepsImages(m.ns) && m.before ? m.before : undefined;
  if (m.op === 'delete') return pre ? { pre } : {};
  if (!m.before) return { kind: 'i' };
  if (m.update) return pre ? { kind: 'u', update: m.update, pre } : { kind: 'u', update: m.update };
  return pre ? { kind: 'r', pre } : { kind: 'r' };
}

const ID_INDEX = Object.freeze({ v: 2, key: { _id: 1 }, name: '_id_' });

function cmdNs(ns: string): string {
  return `${dbOf(ns)}.$cmd`;
}

function diffDocument(d: DocumentDiff | undefined): Document {
  return {
    updatedFields: d?.updatedFields ?? {},
    removedFields: [...(d?.removedFields ?? [])],
    truncatedArrays: (d?.truncatedArrays ?? []).map((t) => ({ field: t.field, newSize: t.newSize })),
    disambiguatedPaths: d?.disambiguatedPaths ?? {},
  };
}

/** Drops undefined optional fields so the record serializes exactly as it reads back. */
function op(fields: {
  op: OplogOp['op'];
  ns: string;
  ui?: OplogOp['ui'];
  o: Document;
  o2?: Document;
  preImage?: Document;
  postImage?: Document;
}): OplogOp {
  const out: { -readonly [K in keyof OplogOp]: OplogOp[K] } = { op: fields.op, ns: fields.ns, o: fields.o };
  if (fields.ui !== undefined) out.ui = fields.ui;
  if (fields.o2 !== undefined) out.o2 = fields.o2;
  if (fields.preImage !== undefined) out.preImage = fields.preImage;
  if (fields.postImage !== undefined) out.postImage = fields.postImage;
  return out;
}

function documentOp(
  m: Mutation & { op: 'put' | 'delete' },
  f: OpFacts,
  tracker: CollectionsTracker,
): OplogOp {
  const ui = tracker.get(m.ns)?.uuid;
  const images = tracker.keepsImages(m.ns);
  const preImage = images ? f.pre : undefined;
  if (m.op === 'delete') return op({ op: 'd', ns: m.ns, ui, o: { _id: m.id }, preImage });
  switch (f.kind) {
    case 'i':
    case undefined:
      return op({ op: 'i', ns: m.ns, ui, o: m.doc });
    case 'u':
      return op({
        op: 'u',
        ns: m.ns,
        ui,
        o: diffDocument(f.update),
        o2: { _id: m.id },
        preImage,
        postImage: images ? m.doc : undefined,
      });
    case 'r':
      return op({ op: 'r', ns: m.ns, ui, o: m.doc, o2: { _id: m.id }, preImage });
  }
}

function collModOp(m: Mutation & { op: 'collMod' }, tracker: CollectionsTracker): OplogOp {
  const c = tracker.get(m.ns);
  const o2: Document = { collectionOptions_old: { ...(c?.options ?? {}) } };
  const index = m.changes.index as Document | undefined;
  if (index && c) {
    const spec = c.indexes.get(String(index.name)) ?? {};
    const old: Document = {};
    if (index.expireAfterSeconds !== undefined) old.expireAfterSeconds = spec.expireAfterSeconds;
    if (index.hidden !== undefined) old.hidden = spec.hidden === true;
    o2.indexOptions_old = old;
  }
  return op({ op: 'c', ns: cmdNs(m.ns), ui: c?.uuid, o: { collMod: collOf(m.ns), ...m.changes }, o2 });
}

/**
 * Builds the record of `batch` and advances `tracker` past it. `facts(i)` gives the facts of the
 * i-th mutation. A dropCollection immediately followed by a rename onto the same namespace (a
 * rename with dropTarget) becomes the rename's `dropTarget`, as mongod logs it.
 */
export function buildRecord(
  batch: MutationBatch,
  wall: Date,
  tracker: CollectionsTracker,
  facts: (index: number) => OpFacts,
): OplogRecord {
  const ops: OplogOp[] = [];
  const ms = batch.mutations;
  let dropTarget: OplogOp['ui'];
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i];
    switch (m.op) {
      case 'put':
      case 'delete':
        ops.push(documentOp(m, facts(i), tracker));
        break;
      case 'createCollection': {
        const o: Document = { create: collOf(m.ns), ...m.options };
        if (m.options.clusteredIndex === undefined) o.idIndex = { ...ID_INDEX, key: { _id: 1 } };
        ops.push(op({ op: 'c', ns: cmdNs(m.ns), ui: m.uuid, o }));
        break;
      }
      case 'dropCollection': {
        const next = ms[i + 1];
        const ui = tracker.get(m.ns)?.uuid;
        if (next?.op === 'renameCollection' && next.to === m.ns) dropTarget = ui;
        else ops.push(op({ op: 'c', ns: cmdNs(m.ns), ui, o: { drop: collOf(m.ns) } }));
        break;
      }
      case 'renameCollection': {
        const o: Document = { renameCollection: m.from, to: m.to, stayTemp: false };
        if (dropTarget !== undefined) o.dropTarget = dropTarget;
        dropTarget = undefined;
        ops.push(op({ op: 'c', ns: cmdNs(m.from), ui: tracker.get(m.from)?.uuid, o }));
        break;
      }
      case 'dropDatabase':
        for (const ns of tracker.namespacesOf(m.db)) {
          ops.push(op({ op: 'c', ns: cmdNs(ns), ui: tracker.get(ns)?.uuid, o: { drop: collOf(ns) } }));
        }
        ops.push(op({ op: 'c', ns: `${m.db}.$cmd`, o: { dropDatabase: 1 } }));
        break;
      case 'createIndex':
        ops.push(
          op({
            op: 'c',
            ns: cmdNs(m.ns),
            ui: tracker.get(m.ns)?.uuid,
            o: { createIndexes: collOf(m.ns), ...m.spec },
          }),
        );
        break;
      case 'dropIndex': {
        const c = tracker.get(m.ns);
        const spec = c?.indexes.get(m.name) ?? { name: m.name };
        ops.push(
          op({
            op: 'c',
            ns: cmdNs(m.ns),
            ui: c?.uuid,
            o: { dropIndexes: collOf(m.ns), index: m.name },
            o2: { ...spec },
          }),
        );
        break;
      }
      case 'collMod':
        ops.push(collModOp(m, tracker));
        break;
    }
    tracker.apply(m);
  }
  const record: { -readonly [K in keyof OplogRecord]: OplogRecord[K] } = { _id: batch.ts, wall, ops };
  if (batch.txn) {
    record.lsid = batch.txn.lsid;
    record.txnNumber = batch.txn.txnNumber;
  }
  return record;
}
