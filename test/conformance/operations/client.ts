/**
 * Client entity operations. clientBulkWrite models arrive as `{ insertOne: {...} }` wrappers; the
 * driver wants `{ name: 'insertOne', ... }`.
 */
import type { AnyClientBulkWriteModel, Document } from 'mongodb';

import type { ClientEntity } from '../entities.js';
import { RunnerError } from '../errors.js';
import { clientBulkWriteResultToDocument } from '../results.js';
import { isDocumentLike, isRecord } from '../values.js';
import { initializeChangeStream } from './cursors.js';
import type { OperationTable } from './types.js';

const MODEL_NAMES = ['insertOne', 'replaceOne', 'updateOne', 'updateMany', 'deleteOne', 'deleteMany'];

export function toClientBulkWriteModel(wrapper: Document): AnyClientBulkWriteModel<Document> {
  const keys = Object.keys(wrapper);
  const name = keys[0];
  if (keys.length !== 1 || name === undefined || !MODEL_NAMES.includes(name)) {
    throw new RunnerError(`clientBulkWrite: unknown write model ${keys.join(',')}`);
  }
  const body: unknown = wrapper[name];
  if (!isRecord(body)) throw new RunnerError(`clientBulkWrite: ${name} must be a document`);
  const model: Document = { ...body, name };
  // The driver adds _id to inserted documents; keep the test file's objects untouched.
  if (isDocumentLike(model['document'])) model['document'] = { ...model['document'] };
  return model as AnyClientBulkWriteModel<Document>;
}

export const clientOperations: OperationTable<ClientEntity> = {
  clientBulkWrite: {
    required: ['models'],
    optional: [
      'session',
      'ordered',
      'bypassDocumentValidation',
      'comment',
      'let',
      'writeConcern',
      'verboseResults',
      'rawData',
      'timeoutMS',
    ],
    async run(entity, args) {
      const models = args.documents('models').map(toClientBulkWriteModel);
      return clientBulkWriteResultToDocument(await entity.client.bulkWrite(models, args.options('models')));
    },
  },
  createChangeStream: {
    optional: [
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
    ],
    run: (entity, args) =>
      initializeChangeStream(
        entity.client.watch(args.has('pipeline') ? args.documents('pipeline') : [], args.options('pipeline')),
      ),
  },
  listDatabases: {
    optional: ['session', 'filter', 'nameOnly', 'authorizedDatabases', 'comment', 'timeoutMS', 'rawData'],
    result: 'documents',
    async run(entity, args) {
      const reply = await entity.client.db('admin').admin().listDatabases(args.options());
      return reply.databases;
    },
  },
  listDatabaseNames: {
    optional: ['session', 'filter', 'authorizedDatabases', 'comment', 'timeoutMS'],
    async run(entity, args) {
      const reply = await entity.client
        .db('admin')
        .admin()
        .listDatabases({ ...args.options(), nameOnly: true });
      return reply.databases.map((d) => d.name);
    },
  },
  close: {
    async run(entity) {
      await entity.client.close();
      return undefined;
    },
  },
};
