/** The figures of a chaos run and their one-line and table renderings. */
import type { CheckResult } from './checks.js';

export interface ChaosReport {
  scenario: string;
  instances: number;
  serviceKills: number;
  dbKills: number;
  streamFaults: number;
  /** How often the fail points actually failed or closed a change-stream command. */
  streamFaultsFired: number;
  /** Events the projections gave up on (dead letters) at the last check. */
  deadLetters: number;
  /** Service processes that died without being killed (must be 0). */
  unexpectedExits: number;
  /** Faults after which the service came back and the checks passed. */
  killsSurvived: number;
  commandsAcknowledged: number;
  commandsRejected: number;
  commandsUnresolved: number;
  commandsRetried: number;
  commandsLost: number;
  commandsDuplicated: number;
  rejectedWithPartialChange: number;
  inventoryViolations: number;
  queries: number;
  convergenceMs: number[];
  convergenceP50Ms: number;
  convergenceMaxMs: number;
  notConverged: number;
  restartMs: number[];
  durationMs: number;
  problems: string[];
  notes: string[];
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function passed(r: ChaosReport): boolean {
  return (
    r.commandsLost === 0 &&
    r.commandsDuplicated === 0 &&
    r.rejectedWithPartialChange === 0 &&
    r.inventoryViolations === 0 &&
    r.notConverged === 0
  );
}

export function mergeChecks(into: ChaosReport, check: CheckResult): void {
  into.commandsAcknowledged = check.acknowledged;
  into.commandsRejected = check.rejected;
  into.commandsUnresolved = check.unresolved;
  into.commandsLost = check.lost;
  into.commandsDuplicated = check.duplicated;
  into.rejectedWithPartialChange = check.rejectedWithChange;
  into.inventoryViolations = check.inventoryViolations;
  into.problems = [...check.problems];
  // Dead-letter lines come from the service, not from the checks: keep them.
  into.notes = [...into.notes.filter((n) => n.includes(' gave up on ')), ...check.notes].slice(0, 30);
}

export function oneLine(r: ChaosReport): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
  return (
    `chaos ${r.scenario}: kills survived ${r.killsSurvived} (service ${r.serviceKills}, db ${r.dbKills}, ` +
    `stream faults ${r.streamFaults} firing ${r.streamFaultsFired} times; ${r.instances} instance(s)), commands acknowledged ${r.commandsAcknowledged}, ` +
    `lost ${r.commandsLost}, duplicated ${r.commandsDuplicated}, rejected ${r.commandsRejected} ` +
    `(with partial change ${r.rejectedWithPartialChange}), unresolved ${r.commandsUnresolved}, ` +
    `retried ${r.commandsRetried}, inventory violations ${r.inventoryViolations}, ` +
    `converge p50 ${s(r.convergenceP50Ms)} max ${s(r.convergenceMaxMs)} (${r.convergenceMs.length} checks, ` +
    `${r.notConverged} not converged, ${r.deadLetters} dead letters), restart p50 ${s(percentile(r.restartMs, 50))}, run ${s(r.durationMs)}`
  );
}

export function table(r: ChaosReport): string {
  const rows: [string, string | number][] = [
    ['scenario', r.scenario],
    ['instances', r.instances],
    ['service kills (SIGKILL)', r.serviceKills],
    ['database kills (SIGKILL)', r.dbKills],
    ['change-stream faults (commands failed)', `${r.streamFaults} (${r.streamFaultsFired})`],
    ['kills survived', r.killsSurvived],
    ['commands acknowledged (2xx)', r.commandsAcknowledged],
    ['commands rejected (4xx)', r.commandsRejected],
    ['commands retried with their key', r.commandsRetried],
    ['commands unresolved (retry budget spent)', r.commandsUnresolved],
    ['acknowledged commands LOST', r.commandsLost],
    ['commands DUPLICATED', r.commandsDuplicated],
    ['rejected with partial change', r.rejectedWithPartialChange],
    ['inventory invariant violations', r.inventoryViolations],
    ['queries', r.queries],
    ['time to converge p50 (ms)', Math.round(r.convergenceP50Ms)],
    ['time to converge max (ms)', Math.round(r.convergenceMaxMs)],
    ['verify checks not converged', r.notConverged],
    ['projection dead letters', r.deadLetters],
    ['service exits not caused by the test', r.unexpectedExits],
    ['service restart p50 (ms)', Math.round(percentile(r.restartMs, 50))],
    ['duration (s)', Math.round(r.durationMs / 1000)],
    ['result', passed(r) ? 'PASS' : 'FAIL'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

/** Everything wrong with a run (empty = it passed with at least `minFaults` faults survived). */
export function failures(r: ChaosReport, minFaults: number): string[] {
  const out = [...r.problems];
  const faults = r.serviceKills + r.dbKills + r.streamFaults;
  if (faults < minFaults) out.push(`only ${faults} faults injected, expected ${minFaults}`);
  if (r.streamFaults > 0 && r.streamFaultsFired === 0) out.push('the change-stream fail points never fired');
  if (r.killsSurvived < faults) out.push(`survived ${r.killsSurvived} of ${faults} faults`);
  if (r.commandsLost > 0) out.push(`${r.commandsLost} acknowledged commands lost`);
  if (r.commandsDuplicated > 0) out.push(`${r.commandsDuplicated} commands duplicated`);
  if (r.rejectedWithPartialChange > 0)
    out.push(`${r.rejectedWithPartialChange} rejected commands left a change`);
  if (r.inventoryViolations > 0) out.push(`${r.inventoryViolations} inventory invariant violations`);
  if (r.notConverged > 0) out.push(`${r.notConverged} verify checks did not reach 0 differences`);
  if (r.commandsAcknowledged === 0) out.push('no command was acknowledged');
  return out;
}
