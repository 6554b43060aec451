/**
 * Runs the embedded server on its own thread (worker_threads), so the service and its database use
 * two cores instead of sharing one event loop: in the service benchmark about half of the CPU of the
 * single loop went to the server and to moving documents to and from it. The driver still talks
 * to it over TCP, exactly as to an in-process server or a real mongod.
 *
 * Same contract as startEmbeddedMongo: resolves once it accepts connections; `stop()` closes
 * client connections and flushes storage. If the thread dies unexpectedly, `onCrash` is called
 * (the service exits: it cannot work without its database). The compiled entry must exist, so
 * this is for the compiled service and CLIs (dist/), not for ts-jest (tests use the in-process
 * server).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EmbeddedMongo, EmbeddedMongoOptions } from './index.js';

type FromWorker =
  | { type: 'ready'; uri: string; host: string; port: number }
  | { type: 'failed'; message: string }
  | { type: 'stopped'; error?: string };

const ENTRY = new URL('./worker-entry.js', import.meta.url);

/** True when the compiled worker entry is there (dist/), i.e. a thread can be started. */
export function canRunOnThread(): boolean {
  return existsSync(fileURLToPath(ENTRY));
}

export interface ThreadLimits {
  /**
   * The thread's heap limit in MiB (V8's old generation). The server keeps every document in
   * memory as objects, so its heap is several times the data's BSON size; unset = Node's default.
   */
  heapMb?: number;
}

export function startEmbeddedMongoOnThread(
  options: EmbeddedMongoOptions,
  onCrash: (reason: string) => void,
  limits: ThreadLimits = {},
): Promise<EmbeddedMongo> {
  const worker = new Worker(ENTRY, {
    workerData: options,
    ...(limits.heapMb ? { resourceLimits: { maxOldGenerationSizeMb: limits.heapMb } } : {}),
  });
  let stopping = false;
  let stopped: ((error?: string) => void) | undefined;
  return new Promise<EmbeddedMongo>((resolve, reject) => {
    let ready = false;
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        ready = true;
        resolve({
          uri: m.uri,
          host: m.host,
          port: m.port,
          stop: () =>
            new Promise<void>((done, fail) => {
              stopping = true;
              stopped = (error) => (error ? fail(new Error(error)) : done());
              worker.postMessage('stop');
            }).finally(() => worker.terminate()),
        });
      } else if (m.type === 'failed') {
        reject(new Error(m.message));
      } else {
        stopped?.(m.error);
      }
    });
    worker.on('error', (e) => {
      if (!ready) reject(e);
      else if (!stopping) onCrash(`embedded MongoDB thread failed: ${e.stack ?? e.message}`);
    });
    worker.on('exit', (code) => {
      if (!ready) reject(new Error(`embedded MongoDB thread exited with code ${code} before it was ready`));
      else if (!stopping) onCrash(`embedded MongoDB thread exited with code ${code}`);
    });
  });
}
