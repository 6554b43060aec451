/**
 * Runs one test (unified-test-format.md, "Executing a Test"): initialData, entities, operations,
 * then - with event capture stopped and fail points turned off - expectEvents and outcome.
 * Whatever happens, teardown follows: fail points off, cursors/streams closed, sessions ended,
 * clients closed, and killAllSessions when a transaction may be left open.
 *
 * The whole test runs under a time budget, so a server that never answers fails one test instead
 * of hanging the run. A timed-out body may still be running in the background; the entity map
 * closes anything it creates after teardown began.
 */
import { MongoError, type ClusterTime, type MongoClient } from 'mongodb';

import { EntityMap } from './entities.js';
import { AssertionFailure, RunnerError, TestTimeoutError, withTimeout } from './errors.js';
import { assertExpectedEvents } from './events.js';
import { formatError } from './expect-error.js';
import { executeOperation, type OperationContext, type TestState } from './operations/index.js';
import { assertOutcome, prepareInitialData } from './outcome.js';
import type { FailureKind } from './report.js';
import type { TestCase, TestFile } from './schema.js';
import { isRecord } from './values.js';

export interface ExecutionEnvironment {
  readonly uri: string;
  readonly internalClient: MongoClient;
  readonly timeoutMs: number;
}

export type ExecutionResult =
  | { readonly ok: true; readonly durationMs: number }
  | {
      readonly ok: false;
      readonly durationMs: number;
      readonly kind: FailureKind;
      readonly reason: string;
      readonly detail?: string;
    };

const TEARDOWN_TIMEOUT_MS = 10_000;
const INTERRUPTED = 11601;
const UNAUTHORIZED = 13;
const COMMAND_NOT_FOUND = 59;

type Phase = 'initialData' | 'createEntities' | 'operations' | 'expectEvents' | 'outcome';

async function disableFailPoints(client: MongoClient, state: TestState): Promise<void> {
  const names = [...new Set(state.failPoints.map((f) => f.name))];
  state.failPoints.length = 0;
  for (const name of names) {
    await client.db('admin').command({ configureFailPoint: name, mode: 'off' });
  }
}

/** "Terminating Open Transactions": errors the spec allows to ignore are ignored. */
export async function killAllSessions(client: MongoClient): Promise<void> {
  try {
    await client.db('admin').command({ killAllSessions: [] });
  } catch (error) {
    const code = error instanceof MongoError ? error.code : undefined;
    if (code !== INTERRUPTED && code !== UNAUTHORIZED && code !== COMMAND_NOT_FOUND) throw error;
  }
}

function classify(error: unknown, phase: Phase): { kind: FailureKind; reason: string; detail?: string } {
  if (error instanceof TestTimeoutError)
    return { kind: 'timeout', reason: `${error.message} (during ${phase})` };
  if (error instanceof AssertionFailure) return { kind: 'assertion', reason: error.message };
  if (error instanceof RunnerError) return { kind: 'runner', reason: error.message, detail: error.stack };
  if (error instanceof MongoError)
    return { kind: 'assertion', reason: `${phase} failed: ${formatError(error)}` };
  const stack = error instanceof Error ? error.stack : undefined;
  return { kind: 'runner', reason: `${phase}: runner crashed: ${formatError(error)}`, detail: stack };
}

export async function executeTest(
  env: ExecutionEnvironment,
  file: TestFile,
  test: TestCase,
): Promise<ExecutionResult> {
  const started = Date.now();
  const entities = new EntityMap(env.uri);
  const state: TestState = { startedTransaction: false, failPoints: [] };
  const ctx: OperationContext = {
    entities,
    internalClient: env.internalClient,
    state,
    runNested: (op, index) => executeOperation(op, ctx, `callback[${index}]`, true),
  };
  let phase: Phase = 'initialData';
  const abandoned = new AbortController();

  const body = async (): Promise<void> => {
    await prepareInitialData(env.internalClient, file.initialData, abandoned.signal);
    phase = 'createEntities';
    const ping = await env.internalClient.db('admin').command({ ping: 1 });
    const clusterTime: unknown = ping['$clusterTime'];
    if (isRecord(clusterTime)) entities.initialClusterTime = clusterTime as unknown as ClusterTime;
    await entities.createAll(file.createEntities);
    phase = 'operations';
    for (const [index, op] of test.operations.entries()) {
      if (abandoned.signal.aborted) return;
      await executeOperation(op, ctx, `operations[${index}]`);
    }
    for (const client of entities.clients()) client.recorder.stop();
    await disableFailPoints(env.internalClient, state);
    phase = 'expectEvents';
    if (test.expectEvents !== undefined) {
      assertExpectedEvents(test.expectEvents, (id) => entities.getAs(id, 'client').recorder, entities);
    }
    phase = 'outcome';
    await assertOutcome(env.internalClient, test.outcome);
  };

  let failure: { kind: FailureKind; reason: string; detail?: string } | undefined;
  try {
    await withTimeout(body(), env.timeoutMs, 'test');
  } catch (error) {
    failure = classify(error, phase);
  }

  abandoned.abort();
  const teardown = async (): Promise<void> => {
    try {
      await disableFailPoints(env.internalClient, state);
    } finally {
      await entities.closeAll();
      if (state.startedTransaction || failure !== undefined) {
        // Best effort: a server without killAllSessions must not fail a test that passed.
        await killAllSessions(env.internalClient).catch(() => undefined);
      }
    }
  };
  try {
    await withTimeout(teardown(), TEARDOWN_TIMEOUT_MS, 'teardown');
  } catch (error) {
    failure ??= {
      kind: error instanceof TestTimeoutError ? 'timeout' : 'assertion',
      reason: `teardown: ${formatError(error)}`,
    };
  }

  const durationMs = Date.now() - started;
  return failure === undefined ? { ok: true, durationMs } : { ok: false, durationMs, ...failure };
}
