/**
 * The `expectError` assertion (unified-test-format.md, "expectedError"), including the special cases
 * of the two bulk-write error types: MongoBulkWriteError aggregates write errors and a write concern
 * error (all of their messages and code names count for errorContains/errorCodeName), and
 * MongoClientBulkWriteError keeps its top-level error in `cause` and its partial result in
 * `partialResult`.
 *
 * Only driver errors (MongoError) and BSON errors can satisfy an expectation; anything else means
 * the runner or the driver broke, and is reported as such.
 */
import { BSONError } from 'bson';
import {
  MongoBulkWriteError,
  MongoClientBulkWriteError,
  MongoError,
  MongoOperationTimeoutError,
  MongoServerError,
} from 'mongodb';

import { AssertionFailure, RunnerError, TestTimeoutError } from './errors.js';
import { assertMatches, type MatchEnvironment } from './matcher.js';
import { bulkWriteResultToDocument, clientBulkWriteResultToDocument } from './results.js';
import type { ExpectedError } from './schema.js';
import { asDocumentView, describe, isRecord, numericValue, readProperty } from './values.js';

/** Whether the error came from a server reply (as opposed to the driver itself or the network). */
export function isServerError(error: unknown): boolean {
  if (error instanceof MongoBulkWriteError) {
    const response = readProperty(error, 'errorResponse');
    return !(response instanceof Error) || response instanceof MongoServerError;
  }
  return error instanceof MongoServerError;
}

/** "MongoServerError: msg (code 11000 DuplicateKey) [labels]" for failure messages. */
export function formatError(error: unknown): string {
  if (!(error instanceof Error)) return `non-Error thrown: ${describe(error)}`;
  const parts = [`${error.name}: ${error.message}`];
  const code = readProperty(error, 'code');
  const codeName = readProperty(error, 'codeName');
  if (code !== undefined)
    parts.push(`(code ${String(code)}${typeof codeName === 'string' ? ` ${codeName}` : ''})`);
  if (error instanceof MongoError && error.errorLabels.length > 0)
    parts.push(`labels [${error.errorLabels.join(', ')}]`);
  return parts.join(' ');
}

/** The error whose code/labels/response describe the failed command (MongoClientBulkWriteError: its cause). */
function commandError(error: Error): unknown {
  return error instanceof MongoClientBulkWriteError && error.cause !== undefined ? error.cause : error;
}

/** Every write error and write concern error inside a bulk error. */
function innerErrors(error: Error): unknown[] {
  const inner: unknown[] = [];
  if (error instanceof MongoBulkWriteError) {
    const writeErrors: unknown = readProperty(error, 'writeErrors');
    inner.push(
      ...(Array.isArray(writeErrors) ? writeErrors : writeErrors !== undefined ? [writeErrors] : []),
    );
    const concern = readProperty(error, 'err');
    if (concern !== undefined) inner.push(concern);
  }
  if (error instanceof MongoClientBulkWriteError) {
    inner.push(...error.writeErrors.values(), ...error.writeConcernErrors);
  }
  return inner;
}

function messagesOf(error: Error): string[] {
  const messages = [error.message];
  const cause = commandError(error);
  if (cause !== error && cause instanceof Error) messages.push(cause.message);
  for (const inner of innerErrors(error)) {
    for (const key of ['errmsg', 'message']) {
      const text = readProperty(inner, key);
      if (typeof text === 'string') messages.push(text);
    }
  }
  return messages;
}

function codeNamesOf(error: Error): string[] {
  const candidates = [error, commandError(error), ...innerErrors(error)];
  const names: string[] = [];
  for (const candidate of candidates) {
    for (const source of [
      candidate,
      readProperty(candidate, 'err'),
      readProperty(candidate, 'errorResponse'),
    ]) {
      const name = readProperty(source, 'codeName');
      if (typeof name === 'string') names.push(name);
    }
  }
  return names;
}

function hasLabel(error: Error, label: string): boolean {
  const cause = commandError(error);
  return [error, cause].some((e) => e instanceof MongoError && e.hasErrorLabel(label));
}

function labelsOf(error: Error): string {
  const cause = commandError(error);
  const labels = new Set<string>();
  for (const e of [error, cause]) if (e instanceof MongoError) for (const l of e.errorLabels) labels.add(l);
  return `[${[...labels].join(', ')}]`;
}

function fail(message: string, error: Error): never {
  throw new AssertionFailure(`${message}; the error was ${formatError(error)}`);
}

function partialResultOf(error: Error): unknown {
  if (error instanceof MongoBulkWriteError) return bulkWriteResultToDocument(error.result);
  if (error instanceof MongoClientBulkWriteError) {
    return error.partialResult === undefined
      ? undefined
      : clientBulkWriteResultToDocument(error.partialResult);
  }
  return undefined;
}

/** Throws AssertionFailure unless `error` satisfies `expected`. */
export function assertExpectedError(error: unknown, expected: ExpectedError, env: MatchEnvironment): void {
  if (error instanceof RunnerError || error instanceof AssertionFailure || error instanceof TestTimeoutError)
    throw error;
  if (!(error instanceof MongoError) && !BSONError.isBSONError(error)) {
    throw new RunnerError(
      `the operation threw a non-driver error (runner or driver bug): ${formatError(error)}`,
    );
  }
  const err = error as Error;

  if (expected.isClientError !== undefined && expected.isClientError === isServerError(err)) {
    fail(expected.isClientError ? 'expected a client-side error' : 'expected a server error', err);
  }
  if (
    expected.isTimeoutError !== undefined &&
    expected.isTimeoutError !== err instanceof MongoOperationTimeoutError
  ) {
    fail(expected.isTimeoutError ? 'expected a timeout error' : 'expected no timeout error', err);
  }
  if (expected.errorContains !== undefined) {
    const needle = expected.errorContains.toLowerCase();
    if (!messagesOf(err).some((m) => m.toLowerCase().includes(needle))) {
      fail(`expected the message to contain '${expected.errorContains}'`, err);
    }
  }
  if (expected.errorCode !== undefined) {
    const want = numericValue(expected.errorCode);
    const got = numericValue(readProperty(commandError(err), 'code'));
    if (want === undefined || got === undefined || Number(want) !== Number(got)) {
      fail(`expected error code ${describe(expected.errorCode)}`, err);
    }
  }
  if (expected.errorCodeName !== undefined) {
    const want = expected.errorCodeName.toLowerCase();
    if (!codeNamesOf(err).some((n) => n.toLowerCase() === want))
      fail(`expected codeName ${expected.errorCodeName}`, err);
  }
  for (const label of expected.errorLabelsContain ?? []) {
    if (!hasLabel(err, label)) fail(`expected error label ${label} (labels ${labelsOf(err)})`, err);
  }
  for (const label of expected.errorLabelsOmit ?? []) {
    if (hasLabel(err, label)) fail(`expected no error label ${label}`, err);
  }
  if (expected.errorResponse !== undefined) {
    const target = commandError(err);
    const response = readProperty(target, 'errorResponse') ?? target;
    assertMatches(expected.errorResponse, response, env, { path: 'expectError.errorResponse', root: true });
  }
  if (expected.expectResult !== undefined) {
    assertMatches(expected.expectResult, partialResultOf(err), env, { path: 'expectError.expectResult' });
  }
  if (expected.writeErrors !== undefined) {
    const actual = err instanceof MongoClientBulkWriteError ? asDocumentView(err.writeErrors) : undefined;
    if (!isRecord(actual)) fail('expected writeErrors (client bulkWrite error)', err);
    const expectedKeys = Object.keys(expected.writeErrors);
    const extra = Object.keys(actual).filter((k) => !expectedKeys.includes(k));
    if (extra.length > 0) fail(`unexpected writeErrors at index ${extra.join(', ')}`, err);
    for (const [index, writeError] of Object.entries(expected.writeErrors)) {
      assertMatches(writeError, actual[index], env, { path: `expectError.writeErrors.${index}`, root: true });
    }
  }
  if (expected.writeConcernErrors !== undefined) {
    const actual = err instanceof MongoClientBulkWriteError ? err.writeConcernErrors : undefined;
    if (actual === undefined) fail('expected writeConcernErrors (client bulkWrite error)', err);
    if (actual.length !== expected.writeConcernErrors.length) {
      fail(`expected ${expected.writeConcernErrors.length} writeConcernErrors, got ${actual.length}`, err);
    }
    expected.writeConcernErrors.forEach((wce, i) =>
      assertMatches(wce, actual[i], env, { path: `expectError.writeConcernErrors[${i}]`, root: true }),
    );
  }
}
