/**
 * The long chaos run (`npm run chaos`): the checks of the jest chaos specs over many more faults.
 *
 *   npm run chaos -- [--kills 50] [--instances 1|2] [--db-kills 0] [--stream-faults 0]
 *                    [--check-every 10] [--workers 6] [--seed 1] [--duration-min 0]
 *
 * Each flag may also come from the environment (CHAOS_KILLS, CHAOS_INSTANCES, CHAOS_DB_KILLS,
 * CHAOS_STREAM_FAULTS, CHAOS_CHECK_EVERY, CHAOS_WORKERS, CHAOS_SEED, CHAOS_DURATION_MIN).
 * `--duration-min N` repeats runs (new seed each) until N minutes have passed. Progress lines go
 * to stdout; the final report is printed as a table and written as JSON to
 * test/chaos/results/<timestamp>.json. Exit code 1 when any run lost, duplicated or half-applied a
 * command, broke the inventory invariant or did not converge.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { failures, table, type ChaosReport } from './harness/report.js';
import { runScenario } from './harness/scenario.js';

function setting(flag: string | undefined, env: string, dflt: number, min: number, max: number): number {
  const raw = flag ?? process.env[env];
  const n = raw === undefined || raw === '' ? dflt : Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(
      `${env} / --${env.slice(6).toLowerCase().replace(/_/g, '-')} must be an integer from ${min} to ${max}, got '${raw}'`,
    );
  return n;
}

function resultsDir(): string {
  // dist/test/chaos/soak.js -> <root>/test/chaos/results
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', '..', 'test', 'chaos', 'results');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kills: { type: 'string' },
      instances: { type: 'string' },
      'db-kills': { type: 'string' },
      'stream-faults': { type: 'string' },
      'check-every': { type: 'string' },
      workers: { type: 'string' },
      seed: { type: 'string' },
      'duration-min': { type: 'string' },
    },
  });
  const kills = setting(values.kills, 'CHAOS_KILLS', 50, 0, 100_000);
  const instances = setting(values.instances, 'CHAOS_INSTANCES', 1, 1, 2) as 1 | 2;
  const dbKills = setting(values['db-kills'], 'CHAOS_DB_KILLS', 0, 0, 10_000);
  const streamFaults = setting(values['stream-faults'], 'CHAOS_STREAM_FAULTS', 0, 0, 10_000);
  const checkEvery = setting(values['check-every'], 'CHAOS_CHECK_EVERY', 10, 1, 100_000);
  const workers = setting(values.workers, 'CHAOS_WORKERS', 6, 1, 64);
  const seed = setting(values.seed, 'CHAOS_SEED', 1, 0, 2 ** 31 - 1);
  const durationMin = setting(values['duration-min'], 'CHAOS_DURATION_MIN', 0, 0, 24 * 60);
  const started = Date.now();
  const reports: ChaosReport[] = [];
  for (let run = 0; ; run++) {
    const name = `soak${durationMin > 0 ? `-${run + 1}` : ''}`;
    console.log(
      `${name}: ${kills} service kills, ${dbKills} database kills, ${streamFaults} change-stream faults, ` +
        `${instances} instance(s), ${workers} workers, seed ${seed + run}`,
    );
    const report = await runScenario({
      name,
      instances,
      serviceKills: kills,
      dbKills,
      streamFaults,
      faultGapMs: [300, 3000],
      checkEvery,
      workers,
      seed: seed + run,
      retryBudgetMs: 60_000,
      convergeTimeoutMs: 120_000,
      log: (line) => console.log(line),
    });
    reports.push(report);
    console.log(`\n${table(report)}\n`);
    const elapsedMin = (Date.now() - started) / 60_000;
    if (failures(report, kills + dbKills + streamFaults).length > 0 || elapsedMin >= durationMin) break;
  }
  const failed = reports.flatMap((r) => failures(r, r.serviceKills + r.dbKills + r.streamFaults));
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        settings: { kills, instances, dbKills, streamFaults, checkEvery, workers, seed, durationMin },
        reports,
        failures: failed,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`report written to ${path.relative(process.cwd(), file)}`);
  if (failed.length > 0) {
    console.log(`FAIL:\n  ${failed.join('\n  ')}`);
    process.exit(1);
  }
  console.log('PASS: no acknowledged command lost or duplicated, no partial change, read models converged');
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(`chaos soak: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
