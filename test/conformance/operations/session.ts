/**
 * Session entity operations. withTransaction's `callback` is a list of operations, run with their
 * own assertions; their errors propagate to withTransaction (which may retry the callback), as the
 * unified format requires.
 */
import type { TransactionOptions } from 'mongodb';

import type { SessionEntity } from '../entities.js';
import { AssertionFailure } from '../errors.js';
import type { OperationDescription } from '../schema.js';
import { readProperty } from '../values.js';
import type { OperationTable } from './types.js';

const TRANSACTION_OPTIONS = ['readConcern', 'writeConcern', 'readPreference', 'maxCommitTimeMS'] as const;

export const sessionOperations: OperationTable<SessionEntity> = {
  startTransaction: {
    optional: TRANSACTION_OPTIONS,
    async run(entity, args, ctx) {
      ctx.state.startedTransaction = true;
      entity.session.startTransaction(args.options());
      return undefined;
    },
  },
  commitTransaction: {
    async run(entity) {
      await entity.session.commitTransaction();
      return undefined;
    },
  },
  abortTransaction: {
    async run(entity) {
      await entity.session.abortTransaction();
      return undefined;
    },
  },
  endSession: {
    async run(entity) {
      await entity.session.endSession();
      return undefined;
    },
  },
  withTransaction: {
    required: ['callback'],
    optional: TRANSACTION_OPTIONS,
    async run(entity, args, ctx) {
      ctx.state.startedTransaction = true;
      const callback = args.raw('callback') as OperationDescription[];
      const options: TransactionOptions = args.options('callback');
      await entity.session.withTransaction(async () => {
        for (const [index, op] of callback.entries()) await ctx.runNested(op, index);
      }, options);
      return undefined;
    },
  },
  getSnapshotTime: {
    async run(entity) {
      const time = readProperty(entity.session, 'snapshotTime');
      // The driver takes it from the atClusterTime of the first snapshot read's reply.
      if (time === undefined)
        throw new AssertionFailure('the session has no snapshotTime: no atClusterTime in the replies');
      return time;
    },
  },
};
