/**
 * Runs the tests of one file and classifies each: filtered out (not counted), not applicable
 * (runOnRequirements, skipReason), skipped on purpose (skip list), passed or failed. The file's
 * databases are dropped before its first test runs (see dropFileDatabases).
 *
 * After a timeout the runner pings the server; when it no longer answers, the remaining tests fail
 * at once ("server unresponsive") instead of each waiting out its own timeout.
 */
import { basename } from 'node:path';

import { withTimeout } from './errors.js';
import { checkRequirements, type ServerFacts } from './requirements.js';
import type { TestResult } from './report.js';
import { findSkip } from './skip-list.js';
import type { TestFile } from './schema.js';
import { loadTestFile, schemaVersionProblem } from './spec-loader.js';
import { executeTest, type ExecutionEnvironment } from './test-executor.js';
import { isRecord } from './values.js';

export interface FileRunEnvironment extends ExecutionEnvironment {
  readonly facts: ServerFacts;
  /** Case-insensitive substring of test descriptions to run. */
  readonly testFilter?: string;
  /** Run skip-listed tests too (to check whether an entry is still needed). */
  readonly ignoreSkipList?: boolean;
  /** Set once the server stopped answering. */
  serverDownReason?: string;
  /** Called as each test finishes (progress output). */
  readonly onResult?: (result: TestResult, detail?: string) => void;
}

const SHORT_COMMAND_TIMEOUT_MS = 3_000;

async function serverAnswers(env: ExecutionEnvironment): Promise<boolean> {
  try {
    await withTimeout(env.internalClient.db('admin').command({ ping: 1 }), SHORT_COMMAND_TIMEOUT_MS, 'ping');
    return true;
  } catch {
    return false;
  }
}

const SYSTEM_DATABASES = new Set(['admin', 'local', 'config']);

/**
 * Drops the databases a file works in before its first test runs. The unified format forbids
 * sharing state between files, but a few files have tests without initialData that would
 * otherwise see what earlier files left behind (insertMany-rawdata.json inserts an _id that
 * insertMany-comment.json already inserted), making results depend on which files ran before.
 * Best effort: a failure here shows up in the tests themselves.
 */
async function dropFileDatabases(env: ExecutionEnvironment, file: TestFile): Promise<void> {
  const names = new Set<string>();
  for (const entity of file.createEntities ?? []) {
    const name: unknown = isRecord(entity['database']) ? entity['database']['databaseName'] : undefined;
    if (typeof name === 'string') names.add(name);
  }
  for (const data of file.initialData ?? []) names.add(data.databaseName);
  for (const name of names) {
    if (SYSTEM_DATABASES.has(name)) continue;
    await withTimeout(
      env.internalClient.db(name).dropDatabase({ writeConcern: { w: 'majority' } }),
      SHORT_COMMAND_TIMEOUT_MS,
      'dropDatabase',
    ).catch(() => undefined);
  }
}

export async function runFile(env: FileRunEnvironment, suite: string, path: string): Promise<TestResult[]> {
  const file = basename(path);
  const results: TestResult[] = [];
  const emit = (result: TestResult, detail?: string): void => {
    results.push(result);
    env.onResult?.(result, detail);
  };

  let parsed;
  try {
    parsed = loadTestFile(path);
  } catch (error) {
    emit({
      suite,
      file,
      test: '<file>',
      status: 'failed',
      failureKind: 'runner',
      reason: (error as Error).message,
    });
    return results;
  }

  let isolated = false;
  const filter = env.testFilter?.toLowerCase();
  const tests = parsed.tests.filter(
    (t) => filter === undefined || t.description.toLowerCase().includes(filter),
  );
  const schemaProblem = schemaVersionProblem(parsed.schemaVersion);
  const fileApplicability = checkRequirements(parsed.runOnRequirements, env.facts);

  for (const test of tests) {
    const base = { suite, file, test: test.description };
    if (schemaProblem !== undefined) {
      emit({ ...base, status: 'failed', failureKind: 'runner', reason: schemaProblem });
      continue;
    }
    if (!fileApplicability.applicable) {
      emit({ ...base, status: 'not-applicable', reason: `file: ${fileApplicability.reason}` });
      continue;
    }
    if (test.skipReason !== undefined) {
      emit({ ...base, status: 'not-applicable', reason: `skipReason: ${test.skipReason}` });
      continue;
    }
    const testApplicability = checkRequirements(test.runOnRequirements, env.facts);
    if (!testApplicability.applicable) {
      emit({ ...base, status: 'not-applicable', reason: testApplicability.reason });
      continue;
    }
    const skip = env.ignoreSkipList === true ? undefined : findSkip(suite, file, parsed, test);
    if (skip !== undefined) {
      emit({ ...base, status: 'skip-list', reason: `${skip.reason} [${skip.source}]` });
      continue;
    }
    if (env.serverDownReason !== undefined) {
      emit({ ...base, status: 'failed', failureKind: 'timeout', reason: `not run: ${env.serverDownReason}` });
      continue;
    }
    if (!isolated) {
      isolated = true;
      await dropFileDatabases(env, parsed);
    }
    const outcome = await executeTest(env, parsed, test);
    if (outcome.ok) {
      emit({ ...base, status: 'passed', durationMs: outcome.durationMs });
      continue;
    }
    emit(
      {
        ...base,
        status: 'failed',
        failureKind: outcome.kind,
        reason: outcome.reason,
        durationMs: outcome.durationMs,
      },
      outcome.detail,
    );
    if (outcome.kind === 'timeout' && !(await serverAnswers(env))) {
      env.serverDownReason = `server unresponsive since ${file}: ${test.description}`;
    }
  }
  return results;
}
