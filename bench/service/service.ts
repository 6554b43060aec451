/**
 * The service under test, as a child process: `node dist/src/main.js` on the embedded default
 * (MONGODB_URI unset, data in a fresh directory), production mode, warnings only, the command rate
 * limiter off, Redis only when REDIS_URL is set. Ready when GET /health/live answers 200 (not
 * /health: after a restart it reports the lag of the last event applied before, which on seeded
 * data stays above the threshold until new events arrive). Its output is captured (service-log.ts):
 * the first lines shown, every line counted by level and written to `logFile` when given.
 */
import { signToken } from '../../src/shared/auth/jwt.js';
import { freePort, spawnNode, waitForHttp, type Child } from './child-process.js';
import { distEntry } from './paths.js';
import { projectionStates } from './projection-status.js';
import { ServiceLog } from './service-log.js';

export interface RunningService {
  origin: string;
  port: number;
  child: Child;
  /** Query cache store the service uses: `redis` when REDIS_URL is set, else `memory`. */
  cacheStore: 'redis' | 'memory';
  adminToken: string;
  customerToken(customerId: string): string;
  startupMs: number;
  /** Its output so far, counted by level. */
  log: ServiceLog;
}

export interface ServiceOptions {
  dataDir: string;
  jwtSecret: string;
  redisUrl?: string;
  /** Where the service's output is written (one file per start, appended). */
  logFile?: string;
  /** More environment for the service (e.g. PROJECTION_RESYNC=false). */
  env?: Record<string, string>;
}

/** Environment of every service-side process of the benchmark (the service, the seed and projections CLIs). */
export function serviceEnv(o: ServiceOptions, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['MONGODB_URI', 'MONGODB_READ_URI', 'REDIS_URL', 'SEED', 'NODE_OPTIONS'])
    delete env[name];
  return {
    ...env,
    NODE_ENV: 'production',
    EMBEDDED_MONGO_DBPATH: o.dataDir,
    JWT_SECRET: o.jwtSecret,
    // The bench signs its own development tokens (HS256), which production refuses by default.
    JWT_ALLOW_HS256: 'true',
    LOG_LEVEL: 'warn',
    SEED_ON_START: 'false',
    RATE_LIMIT_COMMANDS: '0',
    ...(o.redisUrl ? { REDIS_URL: o.redisUrl } : {}),
    ...extra,
  };
}

export async function startService(o: ServiceOptions, log: (line: string) => void): Promise<RunningService> {
  const port = await freePort();
  const started = performance.now();
  const serviceLog = new ServiceLog(log, o.logFile);
  // BENCH_CPU_PROF_DIR=<dir>: the service writes a V8 CPU profile there when it stops (README).
  const profile = process.env.BENCH_CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
    : [];
  const child = spawnNode({
    args: [...profile, distEntry('src/main.js')],
    env: serviceEnv(o, { ...o.env, PORT: String(port) }),
    onLine: serviceLog.onLine,
  });
  void child.exited.then(() => serviceLog.close());
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/health/live`, child, 180_000);
  return {
    origin,
    port,
    child,
    cacheStore: o.redisUrl ? 'redis' : 'memory',
    adminToken: signToken({ sub: 'bench-admin', role: 'admin' }, o.jwtSecret, 3600),
    customerToken: (customerId) =>
      signToken({ sub: customerId, role: 'customer', customerId }, o.jwtSecret, 3600),
    startupMs: performance.now() - started,
    log: serviceLog,
  };
}

/**
 * Waits until every projection has no handled event after its checkpoint (a restarted service
 * first re-scans the recent event log), so that a measurement does not include the catch-up.
 */
export async function waitCaughtUp(service: RunningService, timeoutMs = 180_000): Promise<number> {
  const started = performance.now();
  const deadline = Date.now() + timeoutMs;
  let behind: Record<string, number> = {};
  while (Date.now() < deadline) {
    behind = Object.fromEntries((await projectionStates(service)).map((p) => [p.name, p.eventsBehind]));
    if (Object.values(behind).every((n) => n === 0)) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`projections still behind after ${timeoutMs} ms: ${JSON.stringify(behind)}`);
}
