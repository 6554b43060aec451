/**
 * Starts the embedded server (in memory, test commands enabled, log level 'error') inside this
 * process, on a worker thread. Why a worker: a server bug that spins synchronously would freeze a
 * server sharing the runner's event loop, and with it the per-test timeouts meant to catch it. On
 * its own thread it can hang without taking the runner along, and `stop()` can always end it.
 */
import { Worker } from 'node:worker_threads';

export interface RunningServer {
  readonly uri: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

function messageType(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const type = (message as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

function messageField(message: unknown, key: string): string {
  const value = (message as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : String(value);
}

export async function startEmbeddedServer(): Promise<RunningServer> {
  const worker = new Worker(new URL('./server-worker.js', import.meta.url));
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`embedded server did not start within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    const done = (): void => clearTimeout(timer);
    worker.on('message', (message: unknown) => {
      const type = messageType(message);
      if (type === 'started') {
        done();
        resolve(messageField(message, 'uri'));
      } else if (type === 'failed') {
        done();
        reject(new Error(`embedded server failed to start: ${messageField(message, 'message')}`));
      }
    });
    worker.once('error', (error) => {
      done();
      reject(new Error(`embedded server failed to load: ${error.stack ?? error.message}`));
    });
    worker.once('exit', (code) => {
      done();
      reject(new Error(`embedded server thread exited with code ${code} before starting`));
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });

  return {
    uri,
    async stop() {
      const stopped = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, STOP_TIMEOUT_MS);
        worker.on('message', (message: unknown) => {
          if (messageType(message) === 'stopped') {
            clearTimeout(timer);
            resolve();
          }
        });
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      worker.postMessage({ type: 'stop' });
      await stopped;
      await worker.terminate();
    },
  };
}
