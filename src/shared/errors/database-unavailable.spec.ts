import { MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { AppError } from './app-error.js';
import { databaseUnavailableError, isDatabaseUnavailable } from './database-unavailable.js';
import { toErrorBody } from './http-exception.filter.js';

function serverError(code: number, labels: string[] = []): MongoServerError {
  const e = new MongoServerError({ ok: 0, code, errmsg: `code ${code}`, errorLabels: labels });
  return e;
}

describe('database-unavailable', () => {
  it('maps network, selection, write-conflict, shutdown and transient-label errors to 503', () => {
    const cases: unknown[] = [
      new MongoNetworkError('connection reset'),
      new MongoServerSelectionError('no primary', { type: 'Unknown', servers: new Map() } as never),
      serverError(112),
      serverError(91),
      serverError(10107),
      serverError(251, ['TransientTransactionError']),
      serverError(50, ['UnknownTransactionCommitResult']),
    ];
    for (const e of cases) {
      expect(isDatabaseUnavailable(e)).toBe(true);
      const body = toErrorBody(e);
      expect(body).toEqual({
        statusCode: 503,
        code: 'SERVICE.UNAVAILABLE',
        message: expect.stringContaining('retry') as unknown,
      });
    }
  });

  it('leaves other errors alone: a duplicate key stays a 500, an AppError keeps its code', () => {
    expect(isDatabaseUnavailable(serverError(11000))).toBe(false);
    expect(toErrorBody(serverError(11000)).statusCode).toBe(500);
    expect(databaseUnavailableError(new Error('boom'))).toBeUndefined();
    const conflict = new AppError('ORDERS.VERSION_CONFLICT', 409, 'stale');
    expect(databaseUnavailableError(conflict)).toBeUndefined();
    expect(toErrorBody(conflict).statusCode).toBe(409);
  });
});
