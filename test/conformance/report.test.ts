import { parseCli, CliError } from './cli.js';
import {
  exitCodeFor,
  failureCategory,
  formatFileLine,
  jsonSummary,
  summarize,
  totalLine,
  type TestResult,
} from './report.js';
import { DEFAULT_SUITES, thresholdFor } from './suites.js';

function results(
  suite: string,
  passed: number,
  failed: number,
  notApplicable = 0,
  skipList = 0,
): TestResult[] {
  const make = (status: TestResult['status'], n: number): TestResult[] =>
    Array.from({ length: n }, (_, i) => ({
      suite,
      file: 'f.json',
      test: `${status} ${i}`,
      status,
      ...(status === 'failed' ? { failureKind: 'assertion' as const, reason: 'boom' } : {}),
    }));
  return [
    ...make('passed', passed),
    ...make('failed', failed),
    ...make('not-applicable', notApplicable),
    ...make('skip-list', skipList),
  ];
}

describe('report', () => {
  it('prints the total line in its exact form', () => {
    const summaries = summarize(
      ['crud', 'run-command'],
      [...results('crud', 9, 1, 2, 3), ...results('run-command', 1, 0, 1)],
    );
    expect(totalLine(summaries)).toBe('conformance: 10 passed, 1 failed, 6 skipped');
  });

  it('counts not-applicable and skip-list skips apart', () => {
    const line = formatFileLine('crud', 'f.json', results('crud', 1, 0, 2, 3));
    expect(line).toBe('crud/f.json: 1 passed, 0 failed, 5 skipped (2 not applicable, 3 skip list)');
  });

  it('fails the run only when a suite falls below its threshold', () => {
    expect(thresholdFor('crud')).toBe(0.97);
    expect(exitCodeFor(summarize(['crud'], results('crud', 97, 3)))).toBe(0); // exactly at the threshold
    expect(exitCodeFor(summarize(['crud'], results('crud', 96, 4)))).toBe(1);
    // A suite without a threshold of its own never fails the run.
    expect(thresholdFor('some-new-suite')).toBe(0);
    expect(exitCodeFor(summarize(['some-new-suite'], results('some-new-suite', 0, 5)))).toBe(0);
    expect(exitCodeFor(summarize(['crud'], results('crud', 0, 0, 4, 4)))).toBe(0);
  });

  it('writes a machine-readable summary with failed test names and totals', () => {
    const json = jsonSummary(summarize(['crud'], results('crud', 1, 1)), {}) as {
      suites: Record<string, { failedTests: string[]; passRate: number }>;
      totals: { passed: number; failed: number; skipped: number };
    };
    expect(json.suites['crud']!.failedTests).toEqual(['f.json: failed 0']);
    expect(json.suites['crud']!.passRate).toBe(0.5);
    expect(json.totals).toEqual({ passed: 1, failed: 1, skipped: 0 });
  });

  it('groups failure messages into categories without their values', () => {
    expect(failureCategory("operations[3] collection0.find: expectResult[0].x: expected 1, got 'a'")).toEqual(
      {
        category: "expectResult[N].x: expected N, got '…'",
        operation: 'find',
      },
    );
    expect(
      failureCategory(
        'operations[0] session0.withTransaction: callback[1] collection0.insertOne: unexpected error: E11000',
      ),
    ).toEqual({ category: 'unexpected error: EN', operation: 'insertOne' });
    expect(
      failureCategory('expectEvents[c/command][0].commandStartedEvent.command.x: expected 1, got 2')
        .operation,
    ).toBe(undefined);
    expect(
      failureCategory('expected an error, got result {"acknowledged":true,"insertedId":"x"}').category,
    ).toBe('expected an error, got result {"acknowledged":true,"insertedId":"…"}');
    expect(failureCategory('test timed out after 10000 ms (during operations)')).toEqual({
      category: 'test timed out after N ms (during operations)',
    });
  });
});

describe('command line', () => {
  it('uses the default suites and accepts repeated --suite', () => {
    expect(parseCli([]).suites).toEqual(DEFAULT_SUITES);
    const options = parseCli([
      '--suite',
      'crud',
      '--suite',
      'sessions',
      '--verbose',
      '--test',
      'x',
      '--json',
      'out.json',
    ]);
    expect(options.suites).toEqual(['crud', 'sessions']);
    expect(options.verbose).toBe(true);
    expect(options.testFilter).toBe('x');
    expect(options.jsonPath).toBe('out.json');
  });

  it('rejects unknown flags and bad timeouts', () => {
    expect(() => parseCli(['--nope'])).toThrow(CliError);
    expect(() => parseCli(['--timeout', '0'])).toThrow(CliError);
  });
});
