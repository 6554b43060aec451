import { MongoInvalidArgumentError, MongoServerError } from 'mongodb';

import { AssertionFailure, RunnerError } from './errors.js';
import { assertExpectedError } from './expect-error.js';
import { NO_ENTITIES } from './matcher.js';
import { updateResultToDocument } from './results.js';
import type { ExpectedError } from './schema.js';

const duplicateKey = new MongoServerError({
  ok: 0,
  errmsg: 'E11000 duplicate key error collection: db.coll index: _id_',
  code: 11000,
  codeName: 'DuplicateKey',
  errorLabels: ['RetryableWriteError'],
});

const check = (error: unknown, expected: ExpectedError): void =>
  assertExpectedError(error, expected, NO_ENTITIES);

describe('expectError', () => {
  it('accepts a matching server error', () => {
    expect(() =>
      check(duplicateKey, {
        isError: true,
        isClientError: false,
        errorContains: 'DUPLICATE KEY',
        errorCode: 11000,
        errorCodeName: 'duplicatekey',
        errorLabelsContain: ['RetryableWriteError'],
        errorLabelsOmit: ['TransientTransactionError'],
        errorResponse: { code: 11000, codeName: 'DuplicateKey' },
      }),
    ).not.toThrow();
  });

  it('rejects each mismatching field', () => {
    expect(() => check(duplicateKey, { isClientError: true })).toThrow(AssertionFailure);
    expect(() => check(duplicateKey, { errorContains: 'timeout' })).toThrow(AssertionFailure);
    expect(() => check(duplicateKey, { errorCode: 11001 })).toThrow(AssertionFailure);
    expect(() => check(duplicateKey, { errorCodeName: 'BadValue' })).toThrow(AssertionFailure);
    expect(() => check(duplicateKey, { errorLabelsContain: ['TransientTransactionError'] })).toThrow(
      AssertionFailure,
    );
    expect(() => check(duplicateKey, { errorLabelsOmit: ['RetryableWriteError'] })).toThrow(AssertionFailure);
    expect(() => check(duplicateKey, { errorResponse: { code: 2 } })).toThrow(AssertionFailure);
  });

  it('tells client errors from server errors', () => {
    const clientError = new MongoInvalidArgumentError('Update document requires atomic operators');
    expect(() => check(clientError, { isClientError: true })).not.toThrow();
    expect(() => check(clientError, { isClientError: false })).toThrow(AssertionFailure);
  });

  it('never lets a runner bug satisfy an expected error', () => {
    expect(() => check(new TypeError('x is undefined'), { isError: true })).toThrow(RunnerError);
    expect(() => check(new AssertionFailure('nested'), { isError: true })).toThrow(AssertionFailure);
  });
});

describe('result documents', () => {
  it('leave out the driver null for "no upsert"', () => {
    const doc = updateResultToDocument({
      acknowledged: true,
      matchedCount: 1,
      modifiedCount: 1,
      upsertedCount: 0,
      upsertedId: null,
    });
    expect(doc).toEqual({ acknowledged: true, matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
  });
});
