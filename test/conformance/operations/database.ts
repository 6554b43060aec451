/**
 * Database entity operations. `runCommand` sends the command document as given (its key order is
 * preserved by the JSON parser, so `commandName` is not needed); `modifyCollection` has no Node
 * helper and is sent as the collMod command it stands for.
 */
import type { Db, Document, RunCursorCommandOptions } from 'mongodb';

import { cursorFlags } from './collection.js';
import { initializeChangeStream, initializeCursor } from './cursors.js';
import type { Args } from './arguments.js';
import type { OperationTable } from './types.js';

const COMMON = ['session', 'comment', 'timeoutMS', 'rawData'] as const;

/** runCursorCommand / createCommandCursor: getMore options are set on the cursor, not the command. */
function commandCursor(db: Db, args: Args) {
  const options: RunCursorCommandOptions = {};
  const session = args.session();
  if (session !== undefined) options.session = session;
  if (args.has('readPreference'))
    options.readPreference = args.raw('readPreference') as RunCursorCommandOptions['readPreference'];
  if (args.has('timeoutMS')) options.timeoutMS = args.number('timeoutMS');
  if (args.has('timeoutMode'))
    options.timeoutMode = args.raw('timeoutMode') as RunCursorCommandOptions['timeoutMode'];
  Object.assign(options, cursorFlags(args.has('cursorType') ? { cursorType: args.raw('cursorType') } : {}));
  const cursor = db.runCursorCommand(args.document('command'), options);
  if (args.has('batchSize')) cursor.setBatchSize(args.number('batchSize'));
  if (args.has('maxTimeMS')) cursor.setMaxTimeMS(args.number('maxTimeMS'));
  if (args.has('comment')) cursor.setComment(args.raw('comment'));
  return cursor;
}

const CURSOR_COMMAND = [
  'commandName',
  'session',
  'readPreference',
  'batchSize',
  'maxTimeMS',
  'comment',
  'cursorType',
  'timeoutMode',
  'timeoutMS',
] as const;

export const databaseOperations: OperationTable<Db> = {
  aggregate: {
    required: ['pipeline'],
    optional: [
      ...COMMON,
      'readConcern',
      'readPreference',
      'writeConcern',
      'maxTimeMS',
      'batchSize',
      'allowDiskUse',
      'collation',
      'hint',
      'let',
      'bypassDocumentValidation',
      'maxAwaitTimeMS',
    ],
    result: 'documents',
    run: (db, args) => db.aggregate(args.documents('pipeline'), args.options('pipeline')).toArray(),
  },
  runCommand: {
    required: ['command'],
    optional: ['commandName', 'session', 'readPreference', 'timeoutMS'],
    run: (db, args) => db.command(args.document('command'), args.options('command', 'commandName')),
  },
  runCursorCommand: {
    required: ['command'],
    optional: CURSOR_COMMAND,
    result: 'documents',
    run: (db, args) => commandCursor(db, args).toArray(),
  },
  createCommandCursor: {
    required: ['command'],
    optional: CURSOR_COMMAND,
    run: (db, args) => initializeCursor(commandCursor(db, args)),
  },
  createCollection: {
    required: ['collection'],
    passThrough: true,
    // The Collection is returned so that saveResultAsEntity can make it an entity.
    run: (db, args) => db.createCollection(args.string('collection'), args.options('collection')),
  },
  dropCollection: {
    required: ['collection'],
    optional: [...COMMON, 'writeConcern'],
    run: (db, args) => db.dropCollection(args.string('collection'), args.options('collection')),
  },
  listCollections: {
    optional: [...COMMON, 'filter', 'batchSize', 'nameOnly', 'authorizedCollections'],
    result: 'documents',
    run: (db, args) =>
      db.listCollections(args.optionalDocument('filter') ?? {}, args.options('filter')).toArray(),
  },
  listCollectionNames: {
    optional: [...COMMON, 'filter', 'batchSize', 'authorizedCollections'],
    async run(db, args) {
      const options = { ...args.options('filter'), nameOnly: true };
      const collections = await db.listCollections(args.optionalDocument('filter') ?? {}, options).toArray();
      return collections.map((c: Document) => c['name'] as unknown);
    },
  },
  modifyCollection: {
    required: ['collection'],
    passThrough: true,
    run: (db, args) => {
      const { session, ...fields } = args.options('collection');
      return db.command(
        { collMod: args.string('collection'), ...fields },
        session === undefined ? {} : { session },
      );
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
    run: (db, args) =>
      initializeChangeStream(
        db.watch(args.has('pipeline') ? args.documents('pipeline') : [], args.options('pipeline')),
      ),
  },
};
