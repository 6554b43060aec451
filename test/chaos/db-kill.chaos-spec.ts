/**
 * Issue #7: the database process SIGKILLed under load (3 times) and restarted on the same port and
 * data directory (journal replay). The service is not restarted: its driver reconnects and its
 * projections' resync resumes by themselves; the same checks as for service kills.
 */
import { failures, oneLine } from './harness/report.js';
import { runScenario } from './harness/scenario.js';

describe('chaos: database SIGKILL under load', () => {
  it('reconnects by itself and loses no acknowledged command over 3 database kills', async () => {
    const report = await runScenario({
      name: 'db-kill',
      instances: 1,
      serviceKills: 0,
      dbKills: 3,
      streamFaults: 0,
      faultGapMs: [1000, 3000],
      checkEvery: 3,
      workers: 6,
      seed: 7002,
      retryBudgetMs: 60_000,
      convergeTimeoutMs: 60_000,
      log: (line) => process.stdout.write(line + '\n'),
    });
    process.stdout.write(oneLine(report) + '\n');
    expect(failures(report, 3)).toEqual([]);
    expect(report.dbKills).toBe(3);
  }, 300_000);
});
