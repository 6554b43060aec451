/**
 * From oplog operations to change events, with mongod's shapes and filters: which operations a
 * stream of a given scope sees, which ones invalidate it, and the event documents (fields in
 * mongod's order; `fullDocument` / `fullDocumentBeforeChange` per the stream's options;
 * `collectionUUID`, `operationDescription`, `disambiguatedPaths` and the DDL events create /
 * createIndexes / dropIndexes / modify only with `showExpandedEvents`).
 */
import type { Document } from '../bson.js';
import { MongoCommandError, ErrorCodes } from '../errors.js';
import {
  collOf,
  commandOf,
  dbOf,
  documentIdOf,
  type OplogOp,
  type OplogRecord,
} from '../oplog/oplog-record.js';
import { isInternalDb, type ChangeStreamOptions, type StreamScope } from './change-stream-options.js';
import { encodeToken, eventPosition, type StreamPosition } from './resume-token.js';

export interface EventContext {
  readonly scope: StreamScope;
  readonly options: ChangeStreamOptions;
  /** The latest committed version of a document (fullDocument: 'updateLookup'). */
  lookup(ns: string, id: unknown): Document | null;
}

export interface RawEvent {
  readonly position: StreamPosition;
  readonly doc: Document;
}

export interface OpEvents {
  readonly event?: RawEvent;
  /** The operation ends this stream: an invalidate event follows at (ts, index, fromInvalidate). */
  readonly invalidates: boolean;
}

const NONE: OpEvents = { invalidates: false };
const EXPANDED_ONLY = new Set(['create', 'createIndexes', 'dropIndexes', 'collMod']);

/** Whether events on namespace `ns` belong to the stream. */
export function inScope(ns: string, ctx: EventContext): boolean {
  const db = dbOf(ns);
  const coll = collOf(ns);
  const scope = ctx.scope;
  if (scope.kind === 'collection') return db === scope.db && coll === scope.coll;
  if (coll.startsWith('system.') && !ctx.options.showSystemEvents) return false;
  if (scope.kind === 'database') return db === scope.db;
  return !isInternalDb(db);
}

function nsDoc(ns: string): Document {
  const coll = collOf(ns);
  return coll === '' ? { db: dbOf(ns) } : { db: dbOf(ns), coll };
}

function without(doc: Document, ...fields: string[]): Document {
  const out: Document = {};
  for (const [k, v] of Object.entries(doc)) if (!fields.includes(k)) out[k] = v;
  return out;
}

function missingImage(which: 'pre' | 'post', head: Document): MongoCommandError {
  const text =
    which === 'pre'
      ? 'Change stream was configured to require a pre-image for all update, delete and replace events, but the pre-image was not found for event: '
      : 'Change stream was configured to require a post-image for all update events, but the post-image was not found for event: ';
  return new MongoCommandError(ErrorCodes.NoMatchingDocument, text + JSON.stringify(head._id));
}

/** `{_id, operationType, clusterTime, collectionUUID?, wallTime}` of an event. */
function head(
  record: OplogRecord,
  position: StreamPosition,
  type: string,
  op: OplogOp | undefined,
  ctx: EventContext,
): Document {
  const doc: Document = { _id: encodeToken(position), operationType: type, clusterTime: record._id };
  if (ctx.options.showExpandedEvents && op?.ui !== undefined && type !== 'dropDatabase')
    doc.collectionUUID = op.ui;
  doc.wallTime = record.wall;
  return doc;
}

function withTransaction(doc: Document, record: OplogRecord): Document {
  if (record.lsid !== undefined) doc.lsid = record.lsid;
  if (record.txnNumber !== undefined) doc.txnNumber = record.txnNumber;
  return doc;
}

function crudEvent(record: OplogRecord, op: OplogOp, position: StreamPosition, ctx: EventContext): Document {
  const type = { i: 'insert', u: 'update', r: 'replace', d: 'delete', c: '' }[op.op];
  const doc = head(record, position, type, op, ctx);
  const id = documentIdOf(op);
  const mode = ctx.options.fullDocument;
  if (op.op === 'i' || op.op === 'r') doc.fullDocument = op.o;
  else if (op.op === 'u' && mode === 'updateLookup') doc.fullDocument = ctx.lookup(op.ns, id);
  else if (op.op === 'u' && mode !== 'default') {
    if (!op.postImage && mode === 'required') throw missingImage('post', doc);
    doc.fullDocument = op.postImage ?? null;
  }
  doc.ns = nsDoc(op.ns);
  doc.documentKey = { _id: id };
  if (op.op === 'u') {
    const d = op.o;
    const desc: Document = {
      updatedFields: d.updatedFields,
      removedFields: d.removedFields,
      truncatedArrays: d.truncatedArrays,
    };
    if (ctx.options.showExpandedEvents) desc.disambiguatedPaths = d.disambiguatedPaths ?? {};
    doc.updateDescription = desc;
  }
  const before = ctx.options.fullDocumentBeforeChange;
  if (op.op !== 'i' && before !== 'off') {
    if (!op.preImage && before === 'required') throw missingImage('pre', doc);
    doc.fullDocumentBeforeChange = op.preImage ?? null;
  }
  return withTransaction(doc, record);
}

/** The event of a command operation, or undefined when the stream does not show it. */
function commandEvent(
  record: OplogRecord,
  op: OplogOp,
  position: StreamPosition,
  ctx: EventContext,
): OpEvents {
  const cmd = commandOf(op);
  const db = dbOf(op.ns);
  const scope = ctx.scope;
  const expanded = ctx.options.showExpandedEvents;
  if (EXPANDED_ONLY.has(cmd) && !expanded) return NONE;
  switch (cmd) {
    case 'drop': {
      const ns = `${db}.${String(op.o.drop)}`;
      if (!inScope(ns, ctx)) return NONE;
      const doc = head(record, position, 'drop', op, ctx);
      doc.ns = nsDoc(ns);
      const invalidates = scope.kind === 'collection';
      return { event: { position, doc: withTransaction(doc, record) }, invalidates };
    }
    case 'renameCollection': {
      const from = String(op.o.renameCollection);
      const to = String(op.o.to);
      if (!inScope(from, ctx) && !inScope(to, ctx)) return NONE;
      const doc = head(record, position, 'rename', op, ctx);
      doc.ns = nsDoc(from);
      doc.to = nsDoc(to);
      if (expanded) {
        const desc: Document = { to: nsDoc(to) };
        if (op.o.dropTarget !== undefined) desc.dropTarget = op.o.dropTarget;
        doc.operationDescription = desc;
      }
      return {
        event: { position, doc: withTransaction(doc, record) },
        invalidates: scope.kind === 'collection',
      };
    }
    case 'dropDatabase': {
      if (scope.kind === 'collection') return NONE;
      if (scope.kind === 'database' ? scope.db !== db : isInternalDb(db)) return NONE;
      const doc = head(record, position, 'dropDatabase', op, ctx);
      doc.ns = { db };
      return {
        event: { position, doc: withTransaction(doc, record) },
        invalidates: scope.kind === 'database',
      };
    }
    case 'create':
    case 'createIndexes':
    case 'dropIndexes':
    case 'collMod': {
      const ns = `${db}.${String(op.o[cmd])}`;
      if (!inScope(ns, ctx)) return NONE;
      const type = cmd === 'collMod' ? 'modify' : cmd;
      const doc = head(record, position, type, op, ctx);
      doc.ns = nsDoc(ns);
      if (cmd === 'create') doc.operationDescription = without(op.o, 'create');
      else if (cmd === 'createIndexes')
        doc.operationDescription = { indexes: [without(op.o, 'createIndexes')] };
      else if (cmd === 'dropIndexes') doc.operationDescription = { indexes: [op.o2 ?? { name: op.o.index }] };
      else {
        doc.operationDescription = without(op.o, 'collMod');
        const state: Document = { collectionOptions: op.o2?.collectionOptions_old ?? {} };
        if (op.o2?.indexOptions_old !== undefined) state.indexOptions = op.o2.indexOptions_old;
        doc.stateBeforeChange = state;
      }
      return { event: { position, doc: withTransaction(doc, record) }, invalidates: false };
    }
    default:
      return NONE;
  }
}

/** The event (if any) the stream sees for operation `index` of `record`. */
export function eventOf(record: OplogRecord, index: number, ctx: EventContext): OpEvents {
  const op = record.ops[index];
  const position = eventPosition(record._id, index);
  if (op.op === 'c') return commandEvent(record, op, position, ctx);
  if (!inScope(op.ns, ctx)) return NONE;
  return { event: { position, doc: crudEvent(record, op, position, ctx) }, invalidates: false };
}

/** The invalidate event that follows operation `index` of `record`. */
export function invalidateEvent(record: OplogRecord, index: number): RawEvent {
  const position = eventPosition(record._id, index, true);
  return {
    position,
    doc: {
      _id: encodeToken(position),
      operationType: 'invalidate',
      clusterTime: record._id,
      wallTime: record.wall,
    },
  };
}
