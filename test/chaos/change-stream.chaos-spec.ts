/**
 * Issue #7: change-stream interruption under load. The server's failCommand fail point closes the
 * connections of the getMores on `domain_events` (a resumable network error) and fails them, and
 * the streams' reopening aggregate, with ChangeStreamHistoryLost (286, not resumable: the resync
 * scans the log from its checkpoint). The read models converge to 0 differences with no manual step.
 */
import { failures, oneLine } from './harness/report.js';
import { runScenario } from './harness/scenario.js';

describe('chaos: change-stream interruption', () => {
  it('converges to 0 differences after dropped stream connections and ChangeStreamHistoryLost', async () => {
    const report = await runScenario({
      name: 'change-stream',
      instances: 1,
      serviceKills: 0,
      dbKills: 0,
      streamFaults: 6,
      faultGapMs: [500, 1500],
      checkEvery: 3,
      workers: 6,
      seed: 7004,
      retryBudgetMs: 45_000,
      convergeTimeoutMs: 60_000,
      log: (line) => process.stdout.write(line + '\n'),
    });
    process.stdout.write(oneLine(report) + '\n');
    expect(failures(report, 6)).toEqual([]);
    expect(report.streamFaults).toBe(6);
  }, 300_000);
});
