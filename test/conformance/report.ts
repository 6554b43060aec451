/**
 * Counting and reporting: one line per file, a table per suite with pass rate against threshold,
 * the exact total line `conformance: N passed, N failed, N skipped`, an optional JSON summary, and
 * the exit-code rule (a suite below its threshold fails the run).
 */
import { thresholdFor } from './suites.js';

export type TestStatus = 'passed' | 'failed' | 'not-applicable' | 'skip-list';

/** What kind of failure: the server/driver behaved unexpectedly, the runner could not run it, or time ran out. */
export type FailureKind = 'assertion' | 'runner' | 'timeout';

export interface TestResult {
  readonly suite: string;
  readonly file: string;
  readonly test: string;
  readonly status: TestStatus;
  readonly reason?: string;
  readonly failureKind?: FailureKind;
  readonly durationMs?: number;
}

export interface FailedTest {
  readonly file: string;
  readonly test: string;
  readonly kind: FailureKind;
  readonly reason: string;
}

export interface SuiteSummary {
  readonly suite: string;
  readonly passed: number;
  readonly failed: number;
  readonly skippedNotApplicable: number;
  readonly skippedSkipList: number;
  readonly skipped: number;
  readonly runnerErrors: number;
  /** passed / (passed + failed); null when nothing ran. */
  readonly passRate: number | null;
  readonly threshold: number;
  readonly belowThreshold: boolean;
  readonly failedTests: readonly FailedTest[];
}

export function summarizeSuite(suite: string, results: readonly TestResult[]): SuiteSummary {
  const mine = results.filter((r) => r.suite === suite);
  const count = (status: TestStatus): number => mine.filter((r) => r.status === status).length;
  const passed = count('passed');
  const failed = count('failed');
  const skippedNotApplicable = count('not-applicable');
  const skippedSkipList = count('skip-list');
  const ran = passed + failed;
  const passRate = ran === 0 ? null : passed / ran;
  const threshold = thresholdFor(suite);
  const failures = mine.filter((r) => r.status === 'failed');
  return {
    suite,
    passed,
    failed,
    skippedNotApplicable,
    skippedSkipList,
    skipped: skippedNotApplicable + skippedSkipList,
    runnerErrors: failures.filter((r) => r.failureKind === 'runner').length,
    passRate,
    threshold,
    belowThreshold: passRate !== null && passRate < threshold,
    failedTests: failures.map((r) => ({
      file: r.file,
      test: r.test,
      kind: r.failureKind ?? 'assertion',
      reason: r.reason ?? '',
    })),
  };
}

export function summarize(suites: readonly string[], results: readonly TestResult[]): SuiteSummary[] {
  return suites.map((suite) => summarizeSuite(suite, results));
}

export function formatFileLine(suite: string, file: string, results: readonly TestResult[]): string {
  const s = summarizeSuite(suite, results);
  const skipDetail =
    s.skipped === 0 ? '' : ` (${s.skippedNotApplicable} not applicable, ${s.skippedSkipList} skip list)`;
  return `${suite}/${file}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped${skipDetail}`;
}

function percent(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}

export function formatSummaryTable(summaries: readonly SuiteSummary[]): string[] {
  const header = [
    'suite',
    'passed',
    'failed',
    'skipped (not applicable)',
    'skipped (skip list)',
    'pass rate',
    'threshold',
    '',
  ];
  const rows = summaries.map((s) => [
    s.suite,
    String(s.passed),
    String(s.failed),
    String(s.skippedNotApplicable),
    String(s.skippedSkipList),
    percent(s.passRate),
    percent(s.threshold),
    s.passRate === null ? 'not run' : s.belowThreshold ? 'BELOW THRESHOLD' : 'ok',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export interface Totals {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

export function totals(summaries: readonly SuiteSummary[]): Totals {
  return summaries.reduce(
    (t, s) => ({ passed: t.passed + s.passed, failed: t.failed + s.failed, skipped: t.skipped + s.skipped }),
    { passed: 0, failed: 0, skipped: 0 },
  );
}

/** The one line CI greps for; its exact form is part of the runner's contract. */
export function totalLine(summaries: readonly SuiteSummary[]): string {
  const t = totals(summaries);
  return `conformance: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`;
}

export function exitCodeFor(summaries: readonly SuiteSummary[]): 0 | 1 {
  return summaries.some((s) => s.belowThreshold) ? 1 : 0;
}

export function jsonSummary(
  summaries: readonly SuiteSummary[],
  meta: Readonly<Record<string, unknown>>,
): unknown {
  const t = totals(summaries);
  return {
    ...meta,
    suites: Object.fromEntries(
      summaries.map((s) => [
        s.suite,
        {
          passed: s.passed,
          failed: s.failed,
          skipped: s.skipped,
          skippedNotApplicable: s.skippedNotApplicable,
          skippedSkipList: s.skippedSkipList,
          runnerErrors: s.runnerErrors,
          passRate: s.passRate,
          threshold: s.threshold,
          belowThreshold: s.belowThreshold,
          failedTests: s.failedTests.map((f) => `${f.file}: ${f.test}`),
          failures: s.failedTests,
        },
      ]),
    ),
    totals: t,
    exitCode: exitCodeFor(summaries),
  };
}

/**
 * Groups failure reasons into coarse categories (operation + message with values blanked out), to
 * show which server gaps cost the most tests.
 */
export function failureCategory(reason: string): string {
  const firstLine = reason.split('\n')[0] ?? '';
  const withoutLabel = firstLine.replace(/^operations\[[^\]]*\](?:\.callback\[\d+\])*\s+/, '');
  return withoutLabel
    .replace(/\b[0-9a-f]{24}\b/g, '<oid>')
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/'(?:[^'\\]|\\.)*'/g, "'…'")
    .replace(/\d+(\.\d+)?/g, 'N')
    .slice(0, 160);
}

export function topFailureCategories(results: readonly TestResult[], limit: number): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const r of results) {
    if (r.status !== 'failed') continue;
    const key = `[${r.suite}] ${failureCategory(r.reason ?? '')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limit);
}
