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
 * Groups failure reasons into coarse categories, to show which server gaps cost the most tests:
 * the operation label and name are cut off (kept apart, as examples) and values are blanked out,
 * so "collation 'en_US' is not supported" from aggregate and from find count as one category.
 */
export function failureCategory(reason: string): { category: string; operation?: string } {
  const firstLine = reason.split('\n')[0] ?? '';
  const labelled = /^operations\[\d+\]\s+\S+?\.(\w+):\s+(?:callback\[\d+\]\s+\S+?\.(\w+):\s+)?(.*)$/.exec(
    firstLine,
  );
  const operation = labelled === null ? undefined : (labelled[2] ?? labelled[1]);
  const message = labelled === null ? firstLine : (labelled[3] ?? '');
  const category = message
    .replace(/\b[0-9a-f]{24}\b/g, '<oid>')
    .replace(/"(?:[^"\\]|\\.)*"(:?)/g, (text: string, colon: string) => (colon === ':' ? text : '"…"'))
    .replace(/'(?:[^'\\]|\\.)*'/g, "'…'")
    .replace(/\d+(\.\d+)?/g, 'N')
    .slice(0, 160);
  return operation === undefined ? { category } : { category, operation };
}

export interface FailureCategory {
  readonly suite: string;
  readonly category: string;
  readonly count: number;
  /** Operations the failures came from (first few). */
  readonly operations: readonly string[];
}

export function topFailureCategories(results: readonly TestResult[], limit: number): FailureCategory[] {
  const groups = new Map<
    string,
    { suite: string; category: string; count: number; operations: Set<string> }
  >();
  for (const r of results) {
    if (r.status !== 'failed') continue;
    const { category, operation } = failureCategory(r.reason ?? '');
    const key = `${r.suite}\u0000${category}`;
    const group = groups.get(key) ?? { suite: r.suite, category, count: 0, operations: new Set<string>() };
    group.count += 1;
    if (operation !== undefined) group.operations.add(operation);
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category))
    .slice(0, limit)
    .map((g) => ({
      suite: g.suite,
      category: g.category,
      count: g.count,
      operations: [...g.operations].slice(0, 4),
    }));
}

export function formatFailureCategory(c: FailureCategory): string {
  const ops = c.operations.length === 0 ? '' : ` (${c.operations.join(', ')})`;
  return `${String(c.count).padStart(4)}  [${c.suite}] ${c.category}${ops}`;
}
