/** CPU time of processes, for the per-operation CPU columns of bench:mongo (Linux /proc). */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Nanoseconds of CPU that process `pid` has used so far, summed over its threads (the first
 * field of /proc/<pid>/task/<tid>/schedstat). NaN where /proc is not available.
 */
export function processCpuNs(pid: number): number {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const fields = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
        total += Number(fields[0]);
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return total;
  } catch {
    return NaN;
  }
}

/** This process's CPU time in nanoseconds (user + system, all threads). */
export function ownCpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}
