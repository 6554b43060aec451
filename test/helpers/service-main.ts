/**
 * The service as `npm start` runs it, in a child process: `node dist/src/main.js` (or `npm start`
 * itself, without its build step) on the embedded server with a data directory, a test JWT
 * secret, the rate limit and load shedding off, port 0 (the port is read from the "Listening on"
 * line). Its JSON log lines are kept; the time from a signal to the exit is measured.
 *
 * Every child started here is SIGKILLed when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { signToken } from '../../src/shared/auth/jwt.js';

export const SERVICE_JWT_SECRET = 'shutdown-test-secret-shutdown-test-secret-0123';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface LogLine {
  level?: number | string;
  msg?: string;
  context?: string;
  pid?: number;
  [key: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartOptions {
  dataDir: string;
  /** More settings (they override the defaults above). */
  env?: Record<string, string>;
  /** `npm`: `npm start --ignore-scripts` (the start script without the build before it). */
  via?: 'node' | 'npm';
  /** Resolve once a line matching this is logged (default: the "Listening on" line). */
  readyWhen?: (line: LogLine) => boolean;
  startTimeoutMs?: number;
}

function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

export class ServiceMain {
  readonly lines: LogLine[] = [];
  /** Output that is not a JSON line (stderr, npm's banner), for failure messages. */
  private other = '';
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<Exit>;
  /** The port it listens on (from the "Listening on" line). */
  port = 0;

  private constructor(readonly child: ChildProcess) {
    live.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        live.delete(child);
        resolve({ code, signal });
        this.wakeAll();
      }),
    );
    const onLine = (line: string): void => {
      let parsed: LogLine | undefined;
      try {
        parsed = line.startsWith('{') ? (JSON.parse(line) as LogLine) : undefined;
      } catch {
        parsed = undefined;
      }
      if (parsed) this.lines.push(parsed);
      else this.other = (this.other + line + '\n').slice(-16_384);
      const port = /Listening on http:\/\/localhost:(\d+)/.exec(parsed?.msg ?? '');
      if (port) this.port = Number(port[1]);
      this.wakeAll();
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
  }

  static async start(o: StartOptions): Promise<ServiceMain> {
    const root = projectRoot();
    const entry = path.join(root, 'dist', 'src', 'main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(env))
      if (/^(MONGODB_|REDIS_|JWT_|PROJECTION_|SEED|npm_)/.test(name) || name === 'NODE_OPTIONS')
        delete env[name];
    Object.assign(env, {
      NODE_ENV: 'test',
      PORT: '0',
      EMBEDDED_MONGO_DBPATH: o.dataDir,
      JWT_SECRET: SERVICE_JWT_SECRET,
      LOG_LEVEL: 'info',
      SEED_ON_START: 'false',
      RATE_LIMIT_COMMANDS: '0',
      COMMAND_CONCURRENCY: '100000',
      COMMAND_QUEUE_LIMIT: '1000000',
      COMMAND_QUEUE_TIMEOUT_MS: '600000',
      PRODUCT_QUEUE_LIMIT: '1000000',
      ...o.env,
    });
    const child =
      o.via === 'npm'
        ? spawn('npm', ['start', '--ignore-scripts', '--silent'], { cwd: root, env })
        : spawn(process.execPath, ['--enable-source-maps', entry], { cwd: root, env });
    const service = new ServiceMain(child);
    const ready = o.readyWhen ?? ((l: LogLine) => /^Listening on /.test(l.msg ?? ''));
    await service.waitFor('ready', ready, o.startTimeoutMs ?? 120_000);
    return service;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The pid of the service's node process (npm's child when started via npm), from its log lines. */
  get servicePid(): number | undefined {
    return this.lines.find((l) => typeof l.pid === 'number')?.pid;
  }

  /** Resolves with the first line (logged so far or later) matching `match`. */
  async waitFor(what: string, match: (line: LogLine) => boolean, timeoutMs = 60_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find(match);
      if (line) return line;
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`service exited before ${what}:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${this.tail()}`);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(1000, Math.max(1, deadline - Date.now())));
        this.waiters.add(done);
      });
    }
  }

  /** Sends `signal`; resolves with the exit and the ms from the signal to the exit. */
  async terminate(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<Exit & { ms: number }> {
    const started = performance.now();
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      this.exited,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!exit) {
      this.child.kill('SIGKILL');
      throw new Error(`no exit within ${timeoutMs} ms of ${signal}:\n${this.tail()}`);
    }
    return { ...exit, ms: performance.now() - started };
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  messages(): string[] {
    return this.lines.map((l) => l.msg ?? '');
  }

  tail(): string {
    const json = this.lines
      .slice(-30)
      .map((l) => `${l.context ?? ''}: ${l.msg ?? JSON.stringify(l)}`)
      .join('\n');
    return `${json}\n${this.other}`;
  }

  adminToken(): string {
    return signToken({ sub: 'shutdown-admin', role: 'admin' }, SERVICE_JWT_SECRET, 3600);
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}

/** True while a process with this pid exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
