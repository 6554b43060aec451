import { errorLabelsFor } from './error-labels.js';

const txn = { txnNumber: 1, autocommit: false as const };

describe('server-side error labels', () => {
  it('a WriteConflict or NoSuchTransaction in a transaction is a TransientTransactionError', () => {
    expect(errorLabelsFor({ commandName: 'insert', ...txn, code: 112 })).toEqual([
      'TransientTransactionError',
    ]);
    expect(errorLabelsFor({ commandName: 'find', ...txn, code: 251 })).toEqual(['TransientTransactionError']);
    expect(errorLabelsFor({ commandName: 'insert', ...txn, code: 11000 })).toEqual([]);
  });

  it('the same codes outside a transaction get no transient label', () => {
    expect(errorLabelsFor({ commandName: 'insert', code: 112 })).toEqual([]);
    expect(errorLabelsFor({ commandName: 'insert', txnNumber: 4, code: 112 })).toEqual([]);
  });

  it('commit/abort: NoSuchTransaction is transient only without a write concern error', () => {
    expect(errorLabelsFor({ commandName: 'commitTransaction', ...txn, code: 251 })).toEqual([
      'TransientTransactionError',
    ]);
    expect(errorLabelsFor({ commandName: 'commitTransaction', ...txn, code: 251, wcCode: 64 })).toEqual([]);
  });

  it('retriable codes of retryable writes and of commit/abort are RetryableWriteError', () => {
    expect(
      errorLabelsFor({ commandName: 'insert', txnNumber: 3, code: 10107, noWritesPerformed: true }),
    ).toEqual(['RetryableWriteError', 'NoWritesPerformed']);
    expect(errorLabelsFor({ commandName: 'commitTransaction', ...txn, code: 91 })).toEqual([
      'RetryableWriteError',
    ]);
    expect(errorLabelsFor({ commandName: 'abortTransaction', ...txn, wcCode: 189 })).toEqual([
      'RetryableWriteError',
    ]);
    // no txnNumber: not a retryable write
    expect(errorLabelsFor({ commandName: 'insert', code: 10107 })).toEqual([]);
    // inside a transaction a retriable code is transient, not retryable
    expect(errorLabelsFor({ commandName: 'insert', ...txn, code: 10107 })).toEqual([
      'TransientTransactionError',
    ]);
    expect(errorLabelsFor({ commandName: 'insert', txnNumber: 3, code: 11601 })).toEqual([]);
  });

  it('change streams: resumable codes on a change-stream command, fatal ones marked non-resumable', () => {
    expect(errorLabelsFor({ commandName: 'getMore', code: 6, changeStream: true })).toEqual([
      'ResumableChangeStreamError',
    ]);
    expect(errorLabelsFor({ commandName: 'getMore', code: 6 })).toEqual([]);
    expect(errorLabelsFor({ commandName: 'aggregate', code: 286, changeStream: true })).toEqual([
      'NonResumableChangeStreamError',
    ]);
    expect(errorLabelsFor({ commandName: 'getMore', code: 11601, changeStream: true })).toEqual([]);
  });
});
