/**
 * Run settings of the HTTP fuzzer, from the environment: FUZZ_RUNS (requests per operation and
 * principal; the default keeps the run around a minute on a busy 2-core machine) and FUZZ_SEED
 * (fast-check seed; fixed by default so a run is reproducible).
 */
export const DEFAULT_FUZZ_RUNS = 20;
export const DEFAULT_FUZZ_SEED = 20261126;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error(`${name} must be a non-negative integer, got '${raw}'`);
  return n;
}

export interface FuzzSettings {
  runs: number;
  seed: number;
}

export function fuzzSettings(env: NodeJS.ProcessEnv = process.env): FuzzSettings {
  return {
    runs: positiveInt('FUZZ_RUNS', env.FUZZ_RUNS, DEFAULT_FUZZ_RUNS),
    seed: positiveInt('FUZZ_SEED', env.FUZZ_SEED, DEFAULT_FUZZ_SEED),
  };
}
