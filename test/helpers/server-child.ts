/**
 * Runs the embedded server in a CHILD PROCESS (compiled `dist/test/helpers/server-process.js`), so
 * that a test can SIGKILL it like a crashed mongod and restart it on the same data directory.
 * Free of jest globals so the benchmark can use it too.
 *
 * Every child started here is tracked and SIGKILLed when this process exits, and each child also
 * stops by itself when its stdin (a pipe from us) closes, so no server outlives its test run.
 */
import { defaultEmbeddedHeapMb } from '../../src/config/env.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ServerChildOptions {
  /** Data directory; omitted = in memory. */
  readonly dbPath?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Enables configureFailPoint (fail points for fault injection). */
  readonly enableTestCommands?: boolean;
  /** Open transactions older than this are aborted (default 60, as mongod). */
  readonly transactionLifetimeLimitSeconds?: number;
  /** How long startup (including recovery of dbPath) may take; default 60 s. */
  readonly startTimeoutMs?: number;
  /** The server's maxIncomingConnections (default: the server's). */
  readonly maxIncomingConnections?: number;
  /** The server's cursorTimeoutMillis (default: the server's). */
  readonly cursorTimeoutMillis?: number;
  /** Runs node with --expose-gc so that `gc()` works. */
  readonly exposeGc?: boolean;
}

/** Memory of the child right after a full garbage collection, in bytes. */
export interface ChildMemory {
  readonly rss: number;
  readonly heapUsed: number;
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServerChild {
  readonly uri: string;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** Milliseconds from spawn to the ready line (includes node startup and recovery of dbPath). */
  readonly startupMs: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ChildExit>;
  /** The last 64 KiB the server wrote to stderr (its log), for failure messages. */
  stderrTail(): string;
  /** Runs a full GC in the child (needs `exposeGc`) and returns its memory afterwards. */
  gc(timeoutMs?: number): Promise<ChildMemory>;
  /** Sends SIGKILL (a crash: no flush, no cleanup) and waits for the exit. */
  crash(): Promise<ChildExit>;
  /** Sends SIGTERM (clean stop) and waits; SIGKILLs and throws if it takes longer than timeoutMs. */
  stop(timeoutMs?: number): Promise<ChildExit>;
}

const STDERR_TAIL_BYTES = 64 * 1024;
const liveChildren = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/** The repository root: the nearest ancestor of this file holding package.json (works from src and dist). */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtimeMs(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

let staleWarningShown = false;

/**
 * Path of the compiled child entry. Throws a clear error when it is missing; warns (once) when the
 * server's sources are newer than the build, since the child would then run old code.
 */
export function serverProcessEntry(): string {
  const root = projectRoot();
  const entry = path.join(root, 'dist', 'test', 'helpers', 'server-process.js');
  const server = path.join(root, 'dist', 'src', 'embedded-mongo', 'index.js');
  if (!existsSync(entry) || !existsSync(server)) {
    throw new Error(
      `${path.relative(root, entry)} is missing: run \`npm run build\` first ` +
        '(tests that crash the server start it as a child process from the compiled output)',
    );
  }
  if (!staleWarningShown) {
    const sources = path.join(root, 'src', 'embedded-mongo');
    if (existsSync(sources) && newestMtimeMs(sources) > statSync(server).mtimeMs) {
      staleWarningShown = true;
      process.stderr.write(
        'warning: src/embedded-mongo is newer than dist/: the child server runs the last build; run `npm run build`\n',
      );
    }
  }
  return entry;
}

interface ReadyLine {
  uri: string;
  host: string;
  port: number;
  pid: number;
}

function isReadyLine(value: unknown): value is ReadyLine {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.uri === 'string' && typeof v.port === 'number' && typeof v.pid === 'number';
}

function parseGcLine(line: string): ChildMemory | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const gc = (parsed as Record<string, unknown>).gc;
    if (typeof gc !== 'object' || gc === null) return undefined;
    const { rss, heapUsed } = gc as Record<string, unknown>;
    return typeof rss === 'number' && typeof heapUsed === 'number' ? { rss, heapUsed } : undefined;
  } catch {
    return undefined;
  }
}

export async function startServerChild(options: ServerChildOptions = {}): Promise<ServerChild> {
  const entry = serverProcessEntry();
  const args = [
    '--enable-source-maps',
    // The service's thread gets this heap too (EMBEDDED_MONGO_HEAP_MB): Node's default 4 GiB did
    // not load a data directory of 100k orders after a rebuild in time.
    `--max-old-space-size=${defaultEmbeddedHeapMb()}`,
    ...(options.exposeGc ? ['--expose-gc'] : []),
    entry,
    '--port',
    String(options.port ?? 0),
    '--host',
    options.host ?? '127.0.0.1',
    '--log-level',
    options.logLevel ?? 'warn',
  ];
  if (options.dbPath !== undefined) args.push('--dbpath', options.dbPath);
  if (options.enableTestCommands) args.push('--enable-test-commands');
  if (options.transactionLifetimeLimitSeconds !== undefined)
    args.push('--transaction-lifetime-limit-seconds', String(options.transactionLifetimeLimitSeconds));
  if (options.maxIncomingConnections !== undefined)
    args.push('--max-conns', String(options.maxIncomingConnections));
  if (options.cursorTimeoutMillis !== undefined)
    args.push('--cursor-timeout-ms', String(options.cursorTimeoutMillis));
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  liveChildren.add(child);

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
  });
  // Our end of the stdin pipe breaks when the child dies; that is expected.
  child.stdin.on('error', () => undefined);

  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
    });
  });

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const lines = createInterface({ input: child.stdout });
  let ready: ReadyLine;
  try {
    ready = await new Promise<ReadyLine>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server child did not become ready within ${timeoutMs} ms`)),
        timeoutMs,
      );
      lines.once('line', (line) => {
        clearTimeout(timer);
        try {
          const parsed: unknown = JSON.parse(line);
          if (isReadyLine(parsed)) resolve(parsed);
          else reject(new Error(`unexpected ready line: ${line}`));
        } catch {
          reject(new Error(`unexpected ready line: ${line}`));
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      void exited.then((exit) => {
        clearTimeout(timer);
        reject(
          new Error(`server child exited before it was ready (code ${exit.code}, signal ${exit.signal})`),
        );
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message}\n--- server stderr ---\n${stderr}`);
  }
  const startupMs = performance.now() - started;
  // Lines after the ready line answer gc() requests, in order.
  const gcWaiters: ((memory: ChildMemory) => void)[] = [];
  lines.on('line', (line) => {
    const parsed = parseGcLine(line);
    if (parsed) gcWaiters.shift()?.(parsed);
  });

  return {
    uri: ready.uri,
    host: ready.host,
    port: ready.port,
    pid: ready.pid,
    startupMs,
    exited,
    stderrTail: () => stderr,
    gc: async (gcTimeoutMs = 30_000) => {
      if (!options.exposeGc) throw new Error('gc() needs the child started with exposeGc: true');
      let timer: NodeJS.Timeout | undefined;
      const answered = new Promise<ChildMemory>((resolve) => gcWaiters.push(resolve));
      const failed = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no gc reply within ${gcTimeoutMs} ms`)), gcTimeoutMs);
        void exited.then(() => reject(new Error('server child exited before its gc reply')));
      });
      failed.catch(() => undefined); // settles after the race when the reply came first
      child.kill('SIGUSR2');
      try {
        return await Promise.race([answered, failed]);
      } finally {
        clearTimeout(timer);
      }
    },
    crash: async () => {
      child.kill('SIGKILL');
      return exited;
    },
    stop: async (stopTimeoutMs = 30_000) => {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), stopTimeoutMs);
      });
      const result = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        await exited;
        throw new Error(`server child did not stop within ${stopTimeoutMs} ms after SIGTERM\n${stderr}`);
      }
      return result;
    },
  };
}

/** SIGKILLs every child still running (for afterAll hooks: cleanup even when a test failed midway). */
export async function killAllServerChildren(): Promise<void> {
  const pending = [...liveChildren].map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  );
  await Promise.all(pending);
}
