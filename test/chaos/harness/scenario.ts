/**
 * One chaos run: a database process and 1 or 2 service instances, fixtures, then mixed load while
 * faults are injected at random moments (SIGKILL of a service instance and its restart on the same
 * port, SIGKILL of the database and its restart on the same port and data directory, change-stream
 * connection drops and ChangeStreamHistoryLost through the server's failCommand fail point). Every
 * `checkEvery` faults the load pauses (commands in flight finish with their retries) and the run
 * measures the time until `projections verify` reports 0 differences and checks the write model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { Prng } from '../../../src/seed/prng.js';
import { checkWriteModel } from './checks.js';
import { deadLetterLines, waitForConvergence } from './convergence.js';
import { Ledger } from './ledger.js';
import { createFixtures, LoadGenerator, type LoadOptions } from './load.js';
import { DatabaseProcess, ServiceProcess } from './processes.js';
import { mergeChecks, percentile, type ChaosReport } from './report.js';

export type Fault = 'service' | 'db' | 'stream-close' | 'stream-history-lost';

export interface ScenarioOptions {
  name: string;
  instances: 1 | 2;
  serviceKills: number;
  dbKills: number;
  streamFaults: number;
  /** Random pause before each fault, in ms. */
  faultGapMs: [number, number];
  /** Pause the load, converge and check after this many faults (and always at the end). */
  checkEvery: number;
  workers: number;
  seed: number;
  retryBudgetMs: number;
  convergeTimeoutMs: number;
  log: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function faultPlan(o: ScenarioOptions, rng: Prng): Fault[] {
  const plan: Fault[] = [
    ...Array<Fault>(o.serviceKills).fill('service'),
    ...Array<Fault>(o.dbKills).fill('db'),
  ];
  for (let i = 0; i < o.streamFaults; i++) plan.push(i % 2 === 0 ? 'stream-close' : 'stream-history-lost');
  for (let i = plan.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [plan[i], plan[j]] = [plan[j], plan[i]];
  }
  return plan;
}

/**
 * failCommand on the change streams' getMores (the resync path of every projection). No namespace
 * filter: the embedded server, like mongod, names a getMore by its command namespace (`app.$cmd`),
 * not by the cursor's collection. Change-stream getMores are nearly all the getMores the service
 * sends during load, so they take the faults; the history-lost variant also fails the next
 * aggregate (the stream's reopening; an unrelated aggregate may take it instead: a 5xx that the
 * client retries, or a failed query).
 */
async function streamFault(admin: Db, fault: 'stream-close' | 'stream-history-lost'): Promise<void> {
  const data =
    fault === 'stream-close'
      ? { failCommands: ['getMore'], closeConnection: true }
      : { failCommands: ['getMore', 'aggregate'], errorCode: 286 };
  await admin.command({ configureFailPoint: 'failCommand', mode: { times: 3 }, data });
}

/** Turns the fail point off; answers how often it fired since the server started. */
async function streamFaultOff(admin: Db): Promise<number> {
  const reply = await admin
    .command({ configureFailPoint: 'failCommand', mode: 'off' })
    .catch(() => ({ count: 0 }));
  return typeof reply.count === 'number' ? reply.count : 0;
}

export async function runScenario(options: ScenarioOptions): Promise<ChaosReport> {
  const started = performance.now();
  const o: ScenarioOptions = {
    ...options,
    log: (line) => options.log(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${line}`),
  };
  const rng = new Prng(o.seed);
  const runId = `c${o.seed.toString(36)}${Date.now().toString(36)}`;
  const dir = mkdtempSync(path.join(tmpdir(), `chaos-${o.name}-`));
  const report: ChaosReport = {
    scenario: o.name,
    instances: o.instances,
    serviceKills: 0,
    dbKills: 0,
    streamFaults: 0,
    streamFaultsFired: 0,
    deadLetters: 0,
    unexpectedExits: 0,
    killsSurvived: 0,
    commandsAcknowledged: 0,
    commandsRejected: 0,
    commandsUnresolved: 0,
    commandsRetried: 0,
    commandsLost: 0,
    commandsDuplicated: 0,
    rejectedWithPartialChange: 0,
    inventoryViolations: 0,
    queries: 0,
    convergenceMs: [],
    convergenceP50Ms: 0,
    convergenceMaxMs: 0,
    notConverged: 0,
    restartMs: [],
    durationMs: 0,
    problems: [],
    notes: [],
  };
  const db = await DatabaseProcess.start(path.join(dir, 'db'));
  const services: ServiceProcess[] = [];
  const client = new MongoClient(db.uri, { serverSelectionTimeoutMS: 60_000 });
  let load: LoadGenerator | undefined;
  try {
    for (let i = 0; i < o.instances; i++) services.push(await ServiceProcess.start(`chaos-${i + 1}`, db.uri));
    o.log(`${o.name}: database on ${db.uri}, ${o.instances} service instance(s) ready`);
    await client.connect();
    const writeDb = client.db('app');
    const admin = client.db('admin');
    const endpoints = (): string[] => services.filter((s) => s.running).map((s) => s.baseUrl);
    const loadOptions: LoadOptions = {
      runId,
      workers: o.workers,
      seed: o.seed,
      endpoints,
      retryBudgetMs: o.retryBudgetMs,
    };
    const fixtures = await createFixtures(loadOptions);
    const ledger = new Ledger();
    const plan = faultPlan(o, rng);
    let sinceCheck = 0;
    let firedBefore = 0;
    load = new LoadGenerator(fixtures, ledger, loadOptions);
    load.start();
    for (const [i, fault] of plan.entries()) {
      await sleep(rng.int(o.faultGapMs[0], o.faultGapMs[1]));
      if (fault === 'service') {
        const victim = services[rng.int(0, services.length - 1)];
        await victim.kill();
        report.serviceKills++;
        report.restartMs.push(await victim.restart());
      } else if (fault === 'db') {
        report.restartMs.push(await db.crashAndRestart(rng.int(0, 500)));
        report.dbKills++;
      } else {
        await streamFault(admin, fault);
        report.streamFaults++;
      }
      o.log(
        `${o.name}: fault ${i + 1}/${plan.length} (${fault}) done, ${ledger.entries.length} commands so far`,
      );
      sinceCheck++;
      if (sinceCheck >= o.checkEvery || i === plan.length - 1) {
        sinceCheck = 0;
        await load.stop();
        const fired = await streamFaultOff(admin);
        // The count is per server process (it restarts from 0 after a database kill).
        report.streamFaultsFired += fired >= firedBefore ? fired - firedBefore : fired;
        firedBefore = fired;
        const c = await waitForConvergence(endpoints, o.convergeTimeoutMs);
        report.convergenceMs.push(c.ms);
        if (!c.converged) report.notConverged++;
        report.deadLetters = c.deadLetters;
        const check = await checkWriteModel(writeDb, ledger, fixtures, runId);
        mergeChecks(report, check);
        for (const s of services)
          for (const crash of s.crashes.splice(0)) {
            report.unexpectedExits++;
            check.problems.push(`${s.instanceId} exited by itself: ${crash}`);
            report.problems.push(`${s.instanceId} exited by itself: ${crash}`);
          }
        const ok =
          c.converged &&
          check.lost + check.duplicated + check.rejectedWithChange + check.inventoryViolations === 0;
        if (ok) report.killsSurvived = i + 1;
        o.log(
          `${o.name}: check after ${i + 1} faults: ${check.acknowledged} acknowledged, lost ${check.lost}, ` +
            `duplicated ${check.duplicated}, rejected-with-change ${check.rejectedWithChange}, ` +
            `converged ${c.converged ? 'in ' + Math.round(c.ms) + ' ms' : 'NOT: ' + JSON.stringify({ differences: c.differences, eventsBehind: c.eventsBehind })}` +
            `, dead letters ${c.deadLetters}`,
        );
        if (!c.converged) {
          for (const x of c.samples) o.log(`  difference: ${x}`);
          o.log(`  last failed poll: ${c.lastError || 'none'}`);
          report.problems.push(`not converged; last failed poll: ${c.lastError || 'none'}`);
          for (const s of services) o.log(`  --- ${s.instanceId} log ---\n${s.stderrTail().slice(-4000)}`);
        }
        if (c.deadLetters > 0)
          for (const d of await deadLetterLines(endpoints)) {
            o.log(`  dead letter: ${d}`);
            if (!report.notes.includes(d)) report.notes.push(d);
          }
        for (const p of check.problems) o.log(`  problem: ${p}`);
        for (const n of check.notes.slice(0, 5)) o.log(`  note: ${n}`);
        if (!ok) break;
        if (i < plan.length - 1) load.start();
      }
    }
    report.commandsRetried = ledger.retried();
    report.queries = ledger.queries;
  } catch (e) {
    for (const s of services) o.log(`--- ${s.instanceId} stderr ---\n${s.stderrTail().slice(-3000)}`);
    throw e;
  } finally {
    await load?.stop().catch(() => undefined);
    await client.close().catch(() => undefined);
    for (const s of services) await s.stop().catch(() => undefined);
    await db.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  report.convergenceP50Ms = percentile(report.convergenceMs, 50);
  report.convergenceMaxMs = Math.max(0, ...report.convergenceMs);
  report.durationMs = performance.now() - started;
  return report;
}
