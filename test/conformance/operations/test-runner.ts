/**
 * Special test operations (`object: testRunner`, unified-test-format.md "Special Test Operations").
 * Assertions here use the internal client where the spec says so (collection/index existence),
 * and the entity's own client for fail points (whose configureFailPoint events are not recorded).
 *
 * Not implemented: targetedFailPoint (mongos pinning; sharded clusters only) and thread operations
 * (thread entities are on the skip list).
 */
import { ReadPreference, type ClientSession, type Document, type MongoClient } from 'mongodb';

import { transactionState } from '../entities.js';
import { AssertionFailure, RunnerError } from '../errors.js';
import { eventCategory, eventMatches, type EventRecorder } from '../events.js';
import { scalarsEqual } from '../matcher.js';
import type { EntityDescription } from '../schema.js';
import { describe, readProperty } from '../values.js';
import type { Args } from './arguments.js';
import type { OperationContext, OperationTable } from './types.js';

const TRANSACTION_STATES: Readonly<Record<string, string>> = {
  none: 'NO_TRANSACTION',
  starting: 'STARTING_TRANSACTION',
  in_progress: 'TRANSACTION_IN_PROGRESS',
  committed: 'TRANSACTION_COMMITTED',
  aborted: 'TRANSACTION_ABORTED',
};

const WAIT_FOR_EVENT_TIMEOUT_MS = 10_000;

function sessionArg(args: Args): ClientSession {
  const session = args.session();
  if (session === undefined) throw new RunnerError('missing session argument');
  return session;
}

function recorderArg(args: Args, ctx: OperationContext): EventRecorder {
  return ctx.entities.getAs(args.string('client'), 'client').recorder;
}

async function collectionNames(client: MongoClient, databaseName: string): Promise<string[]> {
  const collections = await client.db(databaseName).listCollections({}, { nameOnly: true }).toArray();
  return collections.map((c: Document) => String(c['name']));
}

async function indexNames(
  client: MongoClient,
  databaseName: string,
  collectionName: string,
): Promise<string[]> {
  try {
    const indexes = await client.db(databaseName).collection(collectionName).listIndexes().toArray();
    return indexes.map((i: Document) => String(i['name']));
  } catch (error) {
    if (readProperty(error, 'code') === 26) return []; // NamespaceNotFound: no collection, no index
    throw error;
  }
}

function lastTwoLsids(args: Args, ctx: OperationContext): [unknown, unknown] {
  const started = recorderArg(args, ctx).commandStartedEvents();
  if (started.length < 2)
    throw new AssertionFailure(`expected at least 2 commandStartedEvents, got ${started.length}`);
  const lsids = started.slice(-2).map((e) => readProperty(readProperty(e, 'command'), 'lsid'));
  if (lsids.some((l) => l === undefined))
    throw new AssertionFailure('one of the last two commands has no lsid');
  return [readProperty(lsids[0], 'id'), readProperty(lsids[1], 'id')];
}

function countMatchingEvents(recorder: EventRecorder, expected: Document, ctx: OperationContext): number {
  const type = Object.keys(expected)[0];
  const category = type === undefined ? undefined : eventCategory(type);
  if (category === undefined) throw new RunnerError(`unknown event ${describe(expected)}`);
  return recorder.events[category].filter((e) => eventMatches(expected, e, ctx.entities)).length;
}

export const testRunnerOperations: OperationTable<null> = {
  failPoint: {
    required: ['client', 'failPoint'],
    async run(_, args, ctx) {
      const command = args.document('failPoint');
      const client = ctx.entities.getAs(args.string('client'), 'client').client;
      try {
        await client.db('admin').command(command, { readPreference: ReadPreference.primary });
      } catch (error) {
        throw new AssertionFailure(`configureFailPoint failed: ${(error as Error).message}`);
      }
      ctx.state.failPoints.push({ client, name: String(command['configureFailPoint']) });
      return undefined;
    },
  },
  targetedFailPoint: {
    required: ['session', 'failPoint'],
    run: async () => {
      throw new RunnerError('targetedFailPoint needs a sharded cluster (mongos pinning)');
    },
  },
  createEntities: {
    required: ['entities'],
    async run(_, args, ctx) {
      await ctx.entities.createAll(args.raw('entities') as EntityDescription[]);
      return undefined;
    },
  },
  assertSessionTransactionState: {
    required: ['session', 'state'],
    async run(_, args) {
      const expected = TRANSACTION_STATES[args.string('state')];
      if (expected === undefined) throw new RunnerError(`unknown transaction state ${args.string('state')}`);
      const actual = transactionState(sessionArg(args));
      if (actual !== expected)
        throw new AssertionFailure(`expected transaction state ${expected}, got ${String(actual)}`);
      return undefined;
    },
  },
  assertSessionPinned: {
    required: ['session'],
    async run(_, args) {
      if (!sessionArg(args).isPinned) throw new AssertionFailure('expected the session to be pinned');
      return undefined;
    },
  },
  assertSessionUnpinned: {
    required: ['session'],
    async run(_, args) {
      if (sessionArg(args).isPinned) throw new AssertionFailure('expected the session not to be pinned');
      return undefined;
    },
  },
  assertSessionDirty: {
    required: ['session'],
    async run(_, args) {
      if (!sessionArg(args).serverSession.isDirty)
        throw new AssertionFailure('expected the session to be dirty');
      return undefined;
    },
  },
  assertSessionNotDirty: {
    required: ['session'],
    async run(_, args) {
      if (sessionArg(args).serverSession.isDirty)
        throw new AssertionFailure('expected the session not to be dirty');
      return undefined;
    },
  },
  assertSameLsidOnLastTwoCommands: {
    required: ['client'],
    async run(_, args, ctx) {
      const [a, b] = lastTwoLsids(args, ctx);
      if (!scalarsEqual(a, b))
        throw new AssertionFailure('expected the last two commands to use the same lsid');
      return undefined;
    },
  },
  assertDifferentLsidOnLastTwoCommands: {
    required: ['client'],
    async run(_, args, ctx) {
      const [a, b] = lastTwoLsids(args, ctx);
      if (scalarsEqual(a, b))
        throw new AssertionFailure('expected the last two commands to use different lsids');
      return undefined;
    },
  },
  assertCollectionExists: {
    required: ['databaseName', 'collectionName'],
    async run(_, args, ctx) {
      const names = await collectionNames(ctx.internalClient, args.string('databaseName'));
      if (!names.includes(args.string('collectionName'))) {
        throw new AssertionFailure(
          `expected collection ${args.string('collectionName')} to exist (have: ${names.join(', ')})`,
        );
      }
      return undefined;
    },
  },
  assertCollectionNotExists: {
    required: ['databaseName', 'collectionName'],
    async run(_, args, ctx) {
      const names = await collectionNames(ctx.internalClient, args.string('databaseName'));
      if (names.includes(args.string('collectionName'))) {
        throw new AssertionFailure(`expected collection ${args.string('collectionName')} not to exist`);
      }
      return undefined;
    },
  },
  assertIndexExists: {
    required: ['databaseName', 'collectionName', 'indexName'],
    async run(_, args, ctx) {
      const names = await indexNames(
        ctx.internalClient,
        args.string('databaseName'),
        args.string('collectionName'),
      );
      if (!names.includes(args.string('indexName'))) {
        throw new AssertionFailure(
          `expected index ${args.string('indexName')} to exist (have: ${names.join(', ')})`,
        );
      }
      return undefined;
    },
  },
  assertIndexNotExists: {
    required: ['databaseName', 'collectionName', 'indexName'],
    async run(_, args, ctx) {
      const names = await indexNames(
        ctx.internalClient,
        args.string('databaseName'),
        args.string('collectionName'),
      );
      if (names.includes(args.string('indexName'))) {
        throw new AssertionFailure(`expected index ${args.string('indexName')} not to exist`);
      }
      return undefined;
    },
  },
  assertNumberConnectionsCheckedOut: {
    required: ['client', 'connections'],
    async run(_, args, ctx) {
      await Promise.resolve();
      const actual = recorderArg(args, ctx).checkedOut;
      if (actual !== args.number('connections')) {
        throw new AssertionFailure(
          `expected ${args.number('connections')} connections checked out, got ${actual}`,
        );
      }
      return undefined;
    },
  },
  wait: {
    required: ['ms'],
    async run(_, args) {
      await new Promise((resolve) => setTimeout(resolve, args.number('ms')));
      return undefined;
    },
  },
  waitForEvent: {
    required: ['client', 'event', 'count'],
    async run(_, args, ctx) {
      const recorder = recorderArg(args, ctx);
      const deadline = Date.now() + WAIT_FOR_EVENT_TIMEOUT_MS;
      while (countMatchingEvents(recorder, args.document('event'), ctx) < args.number('count')) {
        if (Date.now() > deadline)
          throw new AssertionFailure(`timed out waiting for ${describe(args.raw('event'))}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return undefined;
    },
  },
  assertEventCount: {
    required: ['client', 'event', 'count'],
    async run(_, args, ctx) {
      const actual = countMatchingEvents(recorderArg(args, ctx), args.document('event'), ctx);
      if (actual !== args.number('count')) {
        throw new AssertionFailure(
          `expected ${args.number('count')} events ${describe(args.raw('event'))}, got ${actual}`,
        );
      }
      return undefined;
    },
  },
};
