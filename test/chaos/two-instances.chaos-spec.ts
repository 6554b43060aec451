/**
 * Issue #7: two service instances on one database, the load spread over both (a client retries on
 * either), one of them SIGKILLed at random 6 times and restarted; the projection lease moves to
 * the survivor. The same checks as with one instance.
 */
import { failures, oneLine } from './harness/report.js';
import { runScenario } from './harness/scenario.js';

describe('chaos: two service instances, either one SIGKILLed', () => {
  it('survives 6 kills of either instance without losing or duplicating an acknowledged command', async () => {
    const report = await runScenario({
      name: 'two-instances',
      instances: 2,
      serviceKills: 6,
      dbKills: 0,
      streamFaults: 0,
      faultGapMs: [300, 2000],
      checkEvery: 6,
      workers: 6,
      seed: 7003,
      retryBudgetMs: 45_000,
      convergeTimeoutMs: 60_000,
      log: (line) => process.stdout.write(line + '\n'),
    });
    process.stdout.write(oneLine(report) + '\n');
    expect(failures(report, 6)).toEqual([]);
    expect(report.serviceKills).toBe(6);
  }, 300_000);
});
