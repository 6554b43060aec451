/**
 * Which suites run by default and the pass rate each one must reach. The rate is
 * passed / (passed + failed), over applicable tests that are not on the skip list. A suite whose
 * rate falls below its threshold makes the run exit with code 1. The lead raises these as the
 * embedded server grows; nothing else in the runner hard-codes a suite name.
 */
export const DEFAULT_SUITES: readonly string[] = [
  'crud',
  'collection-management',
  'index-management',
  'run-command',
  'change-streams',
  'sessions',
  'transactions',
  'transactions-convenient-api',
];

// Reached on 2026-12-07: crud 99.7 %, collection-management 66.7 % (time-series collections are
// not implemented), index-management 100 %, run-command 94.1 % (capped collections are not),
// change-streams, sessions, transactions and the convenient API 100 %.
export const PASS_THRESHOLDS: Readonly<Record<string, number>> = {
  crud: 0.97,
  'collection-management': 0.6,
  'index-management': 0.97,
  'run-command': 0.9,
  sessions: 0.97,
  transactions: 0.97,
  'transactions-convenient-api': 0.97,
  'change-streams': 0.97,
};

/** Suites not listed above must not fail the run until someone decides on a number. */
export function thresholdFor(suite: string): number {
  return PASS_THRESHOLDS[suite] ?? 0;
}

/** How long one test (setup, operations, assertions) may take before it counts as failed. */
export const DEFAULT_TEST_TIMEOUT_MS = 10_000;
