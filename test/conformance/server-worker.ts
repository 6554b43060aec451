/**
 * Worker-thread entry that runs the embedded server for the conformance runner (see
 * embedded-server.ts for why it lives in a worker). Protocol with the parent:
 *   -> { type: 'started', uri } | { type: 'failed', message }
 *   <- { type: 'stop' }  ->  { type: 'stopped' }
 */
import { parentPort } from 'node:worker_threads';

import { startEmbeddedMongo } from '../../src/embedded-mongo/index.js';

const port = parentPort;
if (port === null) throw new Error('server-worker.js must run in a worker thread');

try {
  const server = await startEmbeddedMongo({ enableTestCommands: true, logLevel: 'error' });
  port.on('message', (message: unknown) => {
    if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== 'stop')
      return;
    server
      .stop()
      .catch(() => undefined)
      .finally(() => {
        port.postMessage({ type: 'stopped' });
        port.close();
      });
  });
  port.postMessage({ type: 'started', uri: server.uri });
} catch (error) {
  port.postMessage({
    type: 'failed',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
}
