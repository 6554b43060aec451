/**
 * Issue #7: one service instance SIGKILLed at random moments (10 times) under mixed load, restarted
 * on the same port each time; every acknowledged command is in the write model exactly once,
 * rejected ones left nothing, the inventory invariant holds and the read models converge.
 */
import { failures, oneLine } from './harness/report.js';
import { runScenario } from './harness/scenario.js';

describe('chaos: service SIGKILL under load (1 instance)', () => {
  it('survives 10 kills without losing or duplicating an acknowledged command', async () => {
    const report = await runScenario({
      name: 'service-kill',
      instances: 1,
      serviceKills: 10,
      dbKills: 0,
      streamFaults: 0,
      faultGapMs: [300, 2500],
      checkEvery: 5,
      workers: 6,
      seed: 7001,
      retryBudgetMs: 45_000,
      convergeTimeoutMs: 60_000,
      log: (line) => process.stdout.write(line + '\n'),
    });
    process.stdout.write(oneLine(report) + '\n');
    expect(failures(report, 10)).toEqual([]);
    expect(report.serviceKills).toBe(10);
    expect(report.commandsRejected).toBeGreaterThan(0);
  }, 300_000);
});
