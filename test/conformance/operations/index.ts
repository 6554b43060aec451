/**
 * Executing an operation (unified-test-format.md, "Executing an Operation"): find the entity and
 * the handler for its type, prepare the arguments, run it, then apply ignoreResultAndError,
 * expectError, expectResult and saveResultAsEntity.
 */
import { BSONError } from 'bson';
import { ChangeStream, Collection, Db, MongoError } from 'mongodb';

import { AssertionFailure, RunnerError, TestTimeoutError } from '../errors.js';
import { assertExpectedError, formatError } from '../expect-error.js';
import { assertMatches, assertMatchesRootDocuments } from '../matcher.js';
import type { OperationDescription } from '../schema.js';
import { describe } from '../values.js';
import { prepareArguments } from './arguments.js';
import { clientOperations } from './client.js';
import { collectionOperations } from './collection.js';
import { cursorOperations, isEntityResult } from './cursors.js';
import { databaseOperations } from './database.js';
import { sessionOperations } from './session.js';
import { testRunnerOperations } from './test-runner.js';
import type { OperationContext, OperationTable, ResultShape } from './types.js';

export type { OperationContext, TestState, FailPointRecord } from './types.js';

const TABLES = {
  collection: collectionOperations,
  database: databaseOperations,
  client: clientOperations,
  session: sessionOperations,
  cursor: cursorOperations,
  testRunner: testRunnerOperations,
} as const;

export function isSupportedOperationName(name: string, object: string): boolean {
  if (object === 'testRunner') return Object.hasOwn(testRunnerOperations, name);
  return Object.entries(TABLES).some(([kind, table]) => kind !== 'testRunner' && Object.hasOwn(table, name));
}

const TABLE_BY_ENTITY_KIND: Readonly<Record<string, OperationTable<never>>> = {
  collection: TABLES.collection,
  database: TABLES.database,
  client: TABLES.client,
  session: TABLES.session,
  cursor: TABLES.cursor,
  changeStream: TABLES.cursor,
  testRunner: TABLES.testRunner,
};

/**
 * Static check of an operation against a handler, without running it: why the runner could not
 * run it (unknown operation, missing or unsupported argument), or undefined.
 */
export function operationProblem(kind: string, op: OperationDescription): string | undefined {
  const table = TABLE_BY_ENTITY_KIND[kind];
  const spec = table !== undefined && Object.hasOwn(table, op.name) ? table[op.name] : undefined;
  if (spec === undefined) return `unsupported operation '${op.name}' on a ${kind}`;
  const given = Object.keys(op.arguments ?? {});
  const missing = (spec.required ?? []).filter((name) => !given.includes(name));
  if (missing.length > 0) return `${op.name}: missing argument(s) ${missing.join(', ')}`;
  if (spec.passThrough === true) return undefined;
  const allowed = new Set([...(spec.required ?? []), ...(spec.optional ?? [])]);
  const unsupported = given.filter((name) => !allowed.has(name));
  return unsupported.length > 0 ? `${op.name}: unsupported argument(s) ${unsupported.join(', ')}` : undefined;
}

interface Invocation {
  value: unknown;
  shape: ResultShape;
}

async function call<T>(
  table: OperationTable<T>,
  kind: string,
  target: T,
  op: OperationDescription,
  ctx: OperationContext,
): Promise<Invocation> {
  const spec = Object.hasOwn(table, op.name) ? table[op.name] : undefined;
  if (spec === undefined) throw new RunnerError(`unsupported operation '${op.name}' on a ${kind}`);
  const args = prepareArguments(op.arguments, spec, ctx.entities, op.name);
  return { value: await spec.run(target, args, ctx), shape: spec.result ?? 'value' };
}

function invoke(op: OperationDescription, ctx: OperationContext): Promise<Invocation> {
  if (op.object === 'testRunner') return call(TABLES.testRunner, 'testRunner', null, op, ctx);
  const entity = ctx.entities.get(op.object);
  switch (entity.kind) {
    case 'collection':
      return call(TABLES.collection, entity.kind, entity.value, op, ctx);
    case 'database':
      return call(TABLES.database, entity.kind, entity.value, op, ctx);
    case 'client':
      return call(TABLES.client, entity.kind, entity.value, op, ctx);
    case 'session':
      return call(TABLES.session, entity.kind, entity.value, op, ctx);
    case 'cursor':
    case 'changeStream':
      return call(TABLES.cursor, entity.kind, entity.value, op, ctx);
    case 'value':
      throw new RunnerError(`entity '${op.object}' is a BSON value; it has no operations`);
  }
}

/** Errors raised by the runner itself, which no expectation may absorb. */
function isRunnerSide(error: unknown): boolean {
  return (
    error instanceof RunnerError || error instanceof AssertionFailure || error instanceof TestTimeoutError
  );
}

function isDriverError(error: unknown): boolean {
  return error instanceof MongoError || BSONError.isBSONError(error);
}

function saveResult(op: OperationDescription, name: string, value: unknown, ctx: OperationContext): void {
  if (isEntityResult(value)) {
    ctx.entities.set(
      name,
      value instanceof ChangeStream ? { kind: 'changeStream', value } : { kind: 'cursor', value },
    );
  } else if (value instanceof Collection) {
    ctx.entities.set(name, { kind: 'collection', value });
  } else if (value instanceof Db) {
    ctx.entities.set(name, { kind: 'database', value });
  } else if (value === undefined) {
    throw new RunnerError(`${op.name} returned nothing to save as entity '${name}'`);
  } else {
    ctx.entities.set(name, { kind: 'value', value });
  }
}

function relabel(error: unknown, label: string): unknown {
  if (error instanceof AssertionFailure) return new AssertionFailure(`${label}: ${error.message}`);
  if (error instanceof RunnerError) return new RunnerError(`${label}: ${error.message}`);
  return error;
}

/**
 * Runs one operation and checks it. `nested` (withTransaction callbacks): after its own checks the
 * operation's error is re-thrown so that withTransaction sees it.
 */
export async function executeOperation(
  op: OperationDescription,
  ctx: OperationContext,
  label: string,
  nested = false,
): Promise<void> {
  const where = `${label} ${op.object}.${op.name}`;
  let invocation: Invocation | undefined;
  let error: unknown;
  let failed = false;
  try {
    invocation = await invoke(op, ctx);
  } catch (caught) {
    if (isRunnerSide(caught)) throw relabel(caught, where);
    error = caught;
    failed = true;
  }
  if (op.object === 'testRunner') {
    if (failed) throw new AssertionFailure(`${where}: ${formatError(error)}`);
    return;
  }
  if (op.ignoreResultAndError === true) {
    if (failed && nested) throw error;
    return;
  }
  if (op.expectError !== undefined) {
    if (!failed)
      throw new AssertionFailure(`${where}: expected an error, got result ${describe(invocation?.value)}`);
    try {
      assertExpectedError(error, op.expectError, ctx.entities);
    } catch (assertion) {
      throw relabel(assertion, where);
    }
    if (nested) throw error;
    return;
  }
  if (failed) {
    if (nested) throw error;
    if (!isDriverError(error))
      throw new RunnerError(`${where}: non-driver error (runner or driver bug): ${formatError(error)}`);
    throw new AssertionFailure(`${where}: unexpected error: ${formatError(error)}`);
  }
  const { value, shape } = invocation!;
  try {
    if (op.expectResult !== undefined) {
      if (shape === 'documents')
        assertMatchesRootDocuments(op.expectResult, value, ctx.entities, 'expectResult');
      else assertMatches(op.expectResult, value, ctx.entities, { path: 'expectResult' });
    }
    if (op.saveResultAsEntity !== undefined) saveResult(op, op.saveResultAsEntity, value, ctx);
  } catch (assertion) {
    throw relabel(assertion, where);
  }
}
