// Four tiers, each runnable alone: `unit` (*.spec.ts beside the code, no I/O but promtool on the
// alerting rules),
// `integration` (test/**/*.test.ts: real TCP, real driver, child processes) and
// `e2e` (test/e2e/**/*.e2e-spec.ts: the whole service over HTTP with supertest) and
// `chaos` (test/chaos/**/*.chaos-spec.ts: service and database processes killed under load).
const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
};
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform,
  testEnvironment: 'node',
  // Generous: the machine is shared (2 cores); speed is measured by benchmarks, never by test timeouts.
  testTimeout: 30_000,
};
export default {
  // Jest reads testTimeout from the global configuration only (a project's own is ignored: tests
  // fell back to 5 s and timed out on a busy machine); the chaos project's longer one is set in
  // its specs.
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    { ...common, displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/**/*.chaos-spec.ts'], testTimeout: 600_000 },
  ],
};
