/**
 * Child processes of the service benchmark (the service itself, the baseline HTTP servers, the
 * CLIs): spawn with a given environment, keep the tail of their output for error messages, wait
 * until an HTTP endpoint answers, stop them (SIGTERM, then SIGKILL). Every child is killed when the
 * benchmark exits, whatever happens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

const TAIL_BYTES = 32 * 1024;
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface Child {
  readonly pid: number;
  readonly exited: Promise<number | null>;
  /** The last 32 KiB of stdout + stderr. */
  tail(): string;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Called with every complete output line (stdout and stderr). */
  onLine?: (line: string) => void;
}

export function spawnNode({ args, env, onLine }: SpawnOptions): Child {
  const child = spawn(process.execPath, ['--enable-source-maps', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let tail = '';
  let partial = '';
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-TAIL_BYTES);
    if (!onLine) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      if (onLine && partial) onLine(partial);
      resolve(code);
    });
  });
  return {
    pid: child.pid ?? -1,
    exited,
    tail: () => tail,
    async stop(timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs a node script to completion; rejects with its output tail when the exit code is not 0. */
export async function runNode(options: SpawnOptions): Promise<void> {
  const child = spawnNode(options);
  const code = await child.exited;
  if (code !== 0) throw new Error(`${options.args.join(' ')} exited with ${code}:\n${child.tail()}`);
}

/** A TCP port that was free a moment ago (bound to 0, read, released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers `status` (default 200); rejects when the child exits first or on timeout. */
export async function waitForHttp(
  url: string,
  child: Child,
  timeoutMs = 120_000,
  status = 200,
): Promise<void> {
  let exitCode: number | null | undefined;
  void child.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined)
      throw new Error(`process exited (${exitCode}) before ${url} answered:\n${child.tail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === status) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms:\n${child.tail()}`);
}
