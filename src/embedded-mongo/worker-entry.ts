/**
 * Entry of the embedded server's own thread (see worker-host.ts): starts the server with the
 * options in workerData, reports `{ type: 'ready', uri, host, port }`, stops on a 'stop' message
 * and reports `{ type: 'stopped' }`. A start-up failure is reported as `{ type: 'failed', message }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EmbeddedMongoOptions } from './index.js';
import { startEmbeddedMongo } from './server.js';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker-entry must run as a worker thread');
  try {
    const server = await startEmbeddedMongo(workerData as EmbeddedMongoOptions);
    port.on('message', (message: unknown) => {
      if (message !== 'stop') return;
      server.stop().then(
        () => port.postMessage({ type: 'stopped' }),
        (e: unknown) =>
          port.postMessage({ type: 'stopped', error: e instanceof Error ? e.message : String(e) }),
      );
    });
    port.postMessage({ type: 'ready', uri: server.uri, host: server.host, port: server.port });
  } catch (e) {
    port.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
  }
}

void main();
