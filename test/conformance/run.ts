/**
 * Conformance runner for MongoDB's unified test format: runs the spec tests in
 * ../shared/mongo-specs (or $MONGO_SPECS_DIR) through the official driver against the embedded
 * server (or --uri), and reports per file, per suite and in total.
 *
 * Exit code: 0 when every suite reaches its pass-rate threshold (suites.ts) or when the spec files
 * are absent (one line says so); 1 when a suite falls below its threshold or the runner crashes;
 * 2 on bad command-line flags.
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';

import { MongoClient } from 'mongodb';

import { CliError, parseCli, USAGE, type CliOptions } from './cli.js';
import { startEmbeddedServer, type RunningServer } from './embedded-server.js';
import { runFile, type FileRunEnvironment } from './file-runner.js';
import {
  exitCodeFor,
  formatFailureCategory,
  formatFileLine,
  formatSummaryTable,
  jsonSummary,
  summarize,
  topFailureCategories,
  totalLine,
  type TestResult,
} from './report.js';
import { formatVersion } from './requirements.js';
import { probeServer, watchTopologyType } from './server-info.js';
import { SKIP_LIST } from './skip-list.js';
import { listSuiteFiles, listSuites } from './spec-loader.js';
import { locateSpecs } from './spec-location.js';
import { killAllSessions } from './test-executor.js';
import { withTimeout } from './errors.js';

const log = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

/** Lines printed under a file's summary line: failures always, details and skips with --verbose. */
function resultLines(result: TestResult, verbose: boolean, detail?: string): string[] {
  const indent = (text: string): string => `         ${text.replace(/\n/g, '\n         ')}`;
  if (result.status === 'failed') {
    const lines = [`    FAIL ${result.test}`];
    if (verbose) lines.push(indent(`[${result.failureKind ?? 'assertion'}] ${result.reason ?? ''}`));
    if (verbose && detail !== undefined) lines.push(indent(detail));
    return lines;
  }
  if (verbose && result.status !== 'passed') {
    const label = result.status === 'skip-list' ? 'SKIP (skip list)' : 'SKIP (not applicable)';
    return [`    ${label} ${result.test}: ${result.reason ?? ''}`];
  }
  return [];
}

async function runAll(
  options: CliOptions,
  specsDir: string,
  uri: string,
  internalClient: MongoClient,
  topologyType: () => string | undefined,
): Promise<number> {
  const facts = await probeServer(internalClient, topologyType, uri);
  log(
    `server: ${options.uri === undefined ? 'embedded' : uri}, version ${formatVersion(facts.version)}, topology ${facts.topology} (driver: ${facts.driverTopologyType})`,
  );
  await killAllSessions(internalClient).catch((error: unknown) => {
    log(`warning: killAllSessions failed before the run: ${(error as Error).message}`);
  });

  const results: TestResult[] = [];
  const pending: string[] = [];
  const env: FileRunEnvironment = {
    uri,
    internalClient,
    timeoutMs: options.timeoutMs,
    facts,
    testFilter: options.testFilter,
    ignoreSkipList: options.ignoreSkipList,
    onResult: (result, detail) => pending.push(...resultLines(result, options.verbose, detail)),
  };
  for (const suite of options.suites) {
    const files = listSuiteFiles(specsDir, suite).filter(
      (path) => options.fileFilter === undefined || basename(path).includes(options.fileFilter),
    );
    for (const path of files) {
      const fileResults = await runFile(env, suite, path);
      results.push(...fileResults);
      if (fileResults.length > 0) log(formatFileLine(suite, basename(path), fileResults));
      for (const line of pending.splice(0)) log(line);
    }
  }

  const summaries = summarize(options.suites, results);
  log();
  for (const line of formatSummaryTable(summaries)) log(line);
  const runnerErrors = summaries.reduce((n, s) => n + s.runnerErrors, 0);
  if (runnerErrors > 0)
    log(`runner errors among the failures (the runner could not run the test): ${runnerErrors}`);
  for (const s of summaries.filter((x) => x.belowThreshold)) {
    log(
      `${s.suite}: pass rate ${((s.passRate ?? 0) * 100).toFixed(1)}% is below the threshold ${(s.threshold * 100).toFixed(1)}%`,
    );
  }
  const categories = topFailureCategories(results, 15);
  if (categories.length > 0) {
    log();
    log('most frequent failures:');
    for (const category of categories) log(formatFailureCategory(category));
  }
  if (options.fileFilter === undefined && options.testFilter === undefined && !options.ignoreSkipList) {
    // An entry that no longer matches (renamed test, or no longer applicable) should be removed.
    const unused = SKIP_LIST.filter(
      (e) =>
        options.suites.includes(e.suite) &&
        !results.some(
          (r) =>
            r.status === 'skip-list' &&
            r.suite === e.suite &&
            r.file === e.file &&
            (e.test === undefined || r.test === e.test),
        ),
    );
    for (const e of unused)
      log(
        `warning: skip-list entry matched no test: ${e.suite}/${e.file}${e.test === undefined ? '' : `: ${e.test}`}`,
      );
  }
  if (options.jsonPath !== undefined) {
    const meta = {
      server: {
        uri: options.uri === undefined ? 'embedded' : uri,
        version: formatVersion(facts.version),
        topology: facts.topology,
      },
    };
    writeFileSync(options.jsonPath, `${JSON.stringify(jsonSummary(summaries, meta), null, 2)}\n`);
  }
  log();
  log(totalLine(summaries));
  return exitCodeFor(summaries);
}

async function main(): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    log(USAGE);
    return 0;
  }
  const location = locateSpecs();
  if (!location.found) {
    log(`conformance: skipped - no MongoDB spec test files (${location.reason})`);
    return 0;
  }
  const available = listSuites(location.dir);
  const unknown = options.suites.filter((s) => !available.includes(s));
  if (unknown.length > 0) {
    process.stderr.write(`unknown suite(s) ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
    return 2;
  }

  let server: RunningServer | undefined;
  let internalClient: MongoClient | undefined;
  try {
    if (options.uri === undefined) server = await startEmbeddedServer();
    const uri = options.uri ?? server!.uri;
    internalClient = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
    const topologyType = watchTopologyType(internalClient);
    await internalClient.connect();
    log(`conformance: specs from ${location.dir}; suites ${options.suites.join(', ')}`);
    return await runAll(options, location.dir, uri, internalClient, topologyType);
  } finally {
    // Bounded: a server that stopped answering must not keep the run from ending.
    if (internalClient !== undefined)
      await withTimeout(internalClient.close(), 5_000, 'close').catch(() => undefined);
    await server?.stop().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `conformance runner crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
