/**
 * The processes a chaos run kills: the database (the embedded server as its own process, on disk,
 * so a SIGKILL is a real crash with journal replay) and the service instances. Both restart on
 * the same port (and the database on the same data directory), so clients and the service find
 * them again exactly as after a crash of a real deployment. Free of jest globals (soak.ts uses it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startServerChild, type ServerChild } from '../../helpers/server-child.js';

const STDERR_TAIL = 16 * 1024;
const START_TIMEOUT_MS = 90_000;
export const TRANSACTION_LIFETIME_LIMIT_SECONDS = 5;
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A free TCP port on 127.0.0.1 (bound, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The database process: restarted on the same port and data directory after each kill. */
export class DatabaseProcess {
  private child: ServerChild | undefined;
  private firstUri = '';
  restarts = 0;

  private constructor(
    readonly dbPath: string,
    readonly port: number,
  ) {}

  static async start(dbPath: string): Promise<DatabaseProcess> {
    const db = new DatabaseProcess(dbPath, await freePort());
    await db.launch();
    return db;
  }

  /** The same on every restart (same host and port). */
  get uri(): string {
    return this.firstUri;
  }

  private async launch(): Promise<void> {
    this.child = await startServerChild({
      dbPath: this.dbPath,
      port: this.port,
      logLevel: 'error',
      enableTestCommands: true,
      // The transactions a killed service left open hold their documents until this limit (mongod's
      // default is 60 s); the suite's database uses 5 s so a kill stalls hot products less long.
      transactionLifetimeLimitSeconds: TRANSACTION_LIFETIME_LIMIT_SECONDS,
    });
    if (!this.firstUri) this.firstUri = this.child.uri;
  }

  /** SIGKILL, then start again on the same port and dbpath; resolves once it accepts connections. */
  async crashAndRestart(downMs = 0): Promise<number> {
    await this.child?.crash();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    const started = performance.now();
    // The port may stay in use for a moment after the kill.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.launch();
        break;
      } catch (e) {
        if (attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    this.restarts++;
    return performance.now() - started;
  }

  async stop(): Promise<void> {
    await this.child?.stop().catch(() => this.child?.crash());
    this.child = undefined;
  }
}

function serviceEntry(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  const entry = path.join(dir, 'dist', 'test', 'chaos', 'service-process.js');
  if (!existsSync(entry))
    throw new Error(
      `${entry} is missing: run \`npm run build\` first (the chaos suite runs compiled services)`,
    );
  return entry;
}

/** One service instance: a child process on a fixed port, restarted there after each SIGKILL. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private stderr = '';
  kills = 0;
  /** Exits we did not cause (with the end of stderr): each one is a finding. */
  readonly crashes: string[] = [];

  private constructor(
    readonly instanceId: string,
    readonly port: number,
    private readonly dbUri: string,
  ) {}

  static async start(instanceId: string, dbUri: string): Promise<ServiceProcess> {
    const service = new ServiceProcess(instanceId, await freePort(), dbUri);
    await service.launch();
    return service;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  stderrTail(): string {
    return this.stderr;
  }

  private async launch(): Promise<void> {
    const args = [
      '--enable-source-maps',
      serviceEntry(),
      '--uri',
      this.dbUri,
      '--port',
      String(this.port),
      '--instance',
      this.instanceId,
    ];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(child);
    child.stdin.on('error', () => undefined);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL);
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    void exited.then(() => {
      live.delete(child);
      if (this.child !== child) return;
      // Not a kill of ours: the service died by itself.
      this.child = undefined;
      this.crashes.push(`exit ${child.exitCode ?? child.signalCode}: ${this.stderr.slice(-1500)}`);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.instanceId} not ready in time`)),
        START_TIMEOUT_MS,
      );
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        // The service logs (warn and up) to stdout: keep them with stderr for the report.
        if (line.trim() !== 'ready') {
          this.stderr = (this.stderr + line + '\n').slice(-STDERR_TAIL);
          return;
        }
        clearTimeout(timer);
        resolve();
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${this.instanceId} exited before it was ready:\n${this.stderr}`));
      });
    });
    this.child = child;
  }

  /** SIGKILL (no shutdown hook runs) and wait until the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.child = undefined;
    child.kill('SIGKILL');
    await gone;
    this.kills++;
  }

  /** Starts the instance again on the same port; resolves with the start time in ms. */
  async restart(): Promise<number> {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.launch();
        return performance.now() - started;
      } catch (e) {
        if (attempt >= 3) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.child = undefined;
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
}
