/**
 * Collection entity operations (CRUD spec, index management, change streams), mapped onto the Node
 * driver's Collection API the way the driver's own unified runner does. Arguments are flat in the
 * test files; each operation lists the ones it accepts.
 */
import type { AnyBulkWriteOperation, Collection, Document, SearchIndexDescription } from 'mongodb';

import { RunnerError } from '../errors.js';
import {
  bulkWriteResultToDocument,
  deleteResultToDocument,
  insertManyResultToDocument,
  insertOneResultToDocument,
  updateResultToDocument,
} from '../results.js';
import { isDocumentLike, isRecord } from '../values.js';
import { initializeChangeStream, initializeCursor } from './cursors.js';
import type { OperationTable } from './types.js';

type Coll = Collection<Document>;

const COMMON = ['session', 'comment', 'timeoutMS', 'rawData'] as const;
const READ = [...COMMON, 'readConcern', 'readPreference', 'maxTimeMS'] as const;
const WRITE = [...COMMON, 'writeConcern', 'bypassDocumentValidation', 'let'] as const;
const FIND = [
  ...READ,
  'sort',
  'projection',
  'skip',
  'limit',
  'batchSize',
  'hint',
  'allowDiskUse',
  'collation',
  'let',
  'min',
  'max',
  'returnKey',
  'showRecordId',
  'noCursorTimeout',
  'allowPartialResults',
  'maxAwaitTimeMS',
  'singleBatch',
  'cursorType',
] as const;
const UPDATE = [...WRITE, 'upsert', 'arrayFilters', 'collation', 'hint', 'sort'] as const;
const DELETE = [...WRITE, 'collation', 'hint'] as const;
const FIND_AND_MODIFY = [...WRITE, 'projection', 'sort', 'collation', 'hint', 'maxTimeMS'] as const;
const CHANGE_STREAM = [
  'pipeline',
  'session',
  'comment',
  'batchSize',
  'collation',
  'fullDocument',
  'fullDocumentBeforeChange',
  'maxAwaitTimeMS',
  'resumeAfter',
  'startAfter',
  'startAtOperationTime',
  'showExpandedEvents',
  'timeoutMS',
] as const;

/** unified `cursorType` -> the driver's tailable/awaitData flags. */
export function cursorFlags(options: Document): Document {
  const { cursorType, ...rest } = options;
  if (cursorType === undefined || cursorType === 'nonTailable') return rest;
  if (cursorType === 'tailable') return { ...rest, tailable: true };
  if (cursorType === 'tailableAwait') return { ...rest, tailable: true, awaitData: true };
  throw new RunnerError(`unknown cursorType ${String(cursorType)}`);
}

/** The driver adds `_id` to documents it inserts; the test file's objects must stay untouched. */
function cloneWriteModel(model: unknown): unknown {
  if (!isRecord(model)) return model;
  const insert = model['insertOne'];
  if (isRecord(insert) && isDocumentLike(insert['document'])) {
    return { ...model, insertOne: { ...insert, document: { ...insert['document'] } } };
  }
  return model;
}

export const collectionOperations: OperationTable<Coll> = {
  aggregate: {
    required: ['pipeline'],
    optional: [
      ...READ,
      'writeConcern',
      'batchSize',
      'allowDiskUse',
      'collation',
      'hint',
      'let',
      'bypassDocumentValidation',
      'maxAwaitTimeMS',
    ],
    result: 'documents',
    run: (coll, args) => coll.aggregate(args.documents('pipeline'), args.options('pipeline')).toArray(),
  },
  bulkWrite: {
    required: ['requests'],
    optional: [...WRITE, 'ordered'],
    async run(coll, args) {
      const requests = args.documents('requests').map(cloneWriteModel) as AnyBulkWriteOperation<Document>[];
      return bulkWriteResultToDocument(await coll.bulkWrite(requests, args.options('requests')));
    },
  },
  count: {
    optional: [...READ, 'filter', 'collation', 'hint', 'limit', 'skip'],
    run: (coll, args) => coll.count(args.optionalDocument('filter') ?? {}, args.options('filter')),
  },
  countDocuments: {
    required: ['filter'],
    optional: [...READ, 'collation', 'hint', 'limit', 'skip'],
    run: (coll, args) => coll.countDocuments(args.document('filter'), args.options('filter')),
  },
  estimatedDocumentCount: {
    optional: READ,
    run: (coll, args) => coll.estimatedDocumentCount(args.options()),
  },
  distinct: {
    required: ['fieldName', 'filter'],
    optional: [...READ, 'collation', 'hint'],
    run: (coll, args) =>
      coll.distinct(args.string('fieldName'), args.document('filter'), args.options('fieldName', 'filter')),
  },
  find: {
    required: ['filter'],
    optional: FIND,
    result: 'documents',
    run: (coll, args) => coll.find(args.document('filter'), cursorFlags(args.options('filter'))).toArray(),
  },
  findOne: {
    required: ['filter'],
    optional: FIND,
    run: (coll, args) => coll.findOne(args.document('filter'), cursorFlags(args.options('filter'))),
  },
  createFindCursor: {
    required: ['filter'],
    optional: FIND,
    run: (coll, args) =>
      initializeCursor(coll.find(args.document('filter'), cursorFlags(args.options('filter')))),
  },
  findOneAndDelete: {
    required: ['filter'],
    optional: FIND_AND_MODIFY,
    run: (coll, args) => coll.findOneAndDelete(args.document('filter'), args.options('filter')),
  },
  findOneAndReplace: {
    required: ['filter', 'replacement'],
    optional: [...FIND_AND_MODIFY, 'upsert', 'returnDocument'],
    run: (coll, args) =>
      coll.findOneAndReplace(
        args.document('filter'),
        args.document('replacement'),
        args.options('filter', 'replacement'),
      ),
  },
  findOneAndUpdate: {
    required: ['filter', 'update'],
    optional: [...FIND_AND_MODIFY, 'upsert', 'returnDocument', 'arrayFilters'],
    run: (coll, args) =>
      coll.findOneAndUpdate(args.document('filter'), args.update('update'), args.options('filter', 'update')),
  },
  insertOne: {
    required: ['document'],
    optional: WRITE,
    async run(coll, args) {
      return insertOneResultToDocument(
        await coll.insertOne({ ...args.document('document') }, args.options('document')),
      );
    },
  },
  insertMany: {
    required: ['documents'],
    optional: [...WRITE, 'ordered'],
    async run(coll, args) {
      const documents = args.documents('documents').map((d) => ({ ...d }));
      return insertManyResultToDocument(await coll.insertMany(documents, args.options('documents')));
    },
  },
  deleteOne: {
    required: ['filter'],
    optional: DELETE,
    async run(coll, args) {
      return deleteResultToDocument(await coll.deleteOne(args.document('filter'), args.options('filter')));
    },
  },
  deleteMany: {
    required: ['filter'],
    optional: DELETE,
    async run(coll, args) {
      return deleteResultToDocument(await coll.deleteMany(args.document('filter'), args.options('filter')));
    },
  },
  replaceOne: {
    required: ['filter', 'replacement'],
    optional: [...WRITE, 'upsert', 'collation', 'hint', 'sort'],
    async run(coll, args) {
      const result = await coll.replaceOne(
        args.document('filter'),
        args.document('replacement'),
        args.options('filter', 'replacement'),
      );
      return updateResultToDocument(result);
    },
  },
  updateOne: {
    required: ['filter', 'update'],
    optional: UPDATE,
    async run(coll, args) {
      return updateResultToDocument(
        await coll.updateOne(
          args.document('filter'),
          args.update('update'),
          args.options('filter', 'update'),
        ),
      );
    },
  },
  updateMany: {
    required: ['filter', 'update'],
    optional: UPDATE.filter((o) => o !== 'sort'),
    async run(coll, args) {
      return updateResultToDocument(
        await coll.updateMany(
          args.document('filter'),
          args.update('update'),
          args.options('filter', 'update'),
        ),
      );
    },
  },
  createIndex: {
    required: ['keys'],
    optional: [
      ...COMMON,
      'writeConcern',
      'name',
      'unique',
      'sparse',
      'expireAfterSeconds',
      'hidden',
      'partialFilterExpression',
      'collation',
      'commitQuorum',
      'maxTimeMS',
    ],
    run: (coll, args) => coll.createIndex(args.document('keys'), args.options('keys')),
  },
  dropIndex: {
    required: ['name'],
    optional: [...COMMON, 'writeConcern', 'maxTimeMS'],
    run: (coll, args) => coll.dropIndex(args.string('name'), args.options('name')),
  },
  dropIndexes: {
    optional: [...COMMON, 'writeConcern', 'maxTimeMS'],
    run: (coll, args) => coll.dropIndexes(args.options()),
  },
  listIndexes: {
    optional: [...COMMON, 'batchSize', 'maxTimeMS'],
    result: 'documents',
    run: (coll, args) => coll.listIndexes(args.options()).toArray(),
  },
  listIndexNames: {
    optional: [...COMMON, 'batchSize', 'maxTimeMS'],
    async run(coll, args) {
      return (await coll.listIndexes(args.options()).toArray()).map((index) => index['name'] as unknown);
    },
  },
  drop: {
    optional: [...COMMON, 'writeConcern'],
    run: (coll, args) => coll.drop(args.options()),
  },
  rename: {
    required: ['to'],
    optional: [...COMMON, 'dropTarget', 'writeConcern'],
    async run(coll, args) {
      await coll.rename(args.string('to'), args.options('to'));
      return undefined;
    },
  },
  createChangeStream: {
    optional: CHANGE_STREAM,
    run: (coll, args) =>
      initializeChangeStream(
        coll.watch(args.has('pipeline') ? args.documents('pipeline') : [], args.options('pipeline')),
      ),
  },
  createSearchIndex: {
    required: ['model'],
    run: (coll, args) => coll.createSearchIndex(args.document('model') as SearchIndexDescription),
  },
  createSearchIndexes: {
    required: ['models'],
    run: (coll, args) => coll.createSearchIndexes(args.documents('models') as SearchIndexDescription[]),
  },
  dropSearchIndex: {
    required: ['name'],
    async run(coll, args) {
      await coll.dropSearchIndex(args.string('name'));
      return undefined;
    },
  },
  updateSearchIndex: {
    required: ['name', 'definition'],
    async run(coll, args) {
      await coll.updateSearchIndex(args.string('name'), args.document('definition'));
      return undefined;
    },
  },
  listSearchIndexes: {
    optional: ['name', 'aggregationOptions'],
    result: 'documents',
    run(coll, args) {
      const options = args.optionalDocument('aggregationOptions') ?? {};
      const name = args.optionalString('name');
      return (
        name === undefined ? coll.listSearchIndexes(options) : coll.listSearchIndexes(name, options)
      ).toArray();
    },
  },
};
