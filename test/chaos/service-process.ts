/**
 * Child-process entry of the chaos suite (run from dist/): one service instance.
 *
 *   node dist/test/chaos/service-process.js --uri <mongodbUri> --port <port> --instance <id>
 *
 * Runs the whole service (createApp) against `uri` on `port` as projection instance `id` (short
 * projection and Idempotency-Key leases, so a killed instance's work moves on quickly), and prints "ready" once it
 * listens. It stops when its stdin closes, so it never outlives the test that started it;
 * SIGKILL is the crash the suite is about.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createApp } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/env.js';
import { CHAOS_JWT_SECRET } from './harness/secret.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      uri: { type: 'string' },
      port: { type: 'string' },
      instance: { type: 'string' },
    },
  });
  if (!values.uri || !values.port || !values.instance)
    throw new Error('usage: service-process --uri <mongodbUri> --port <port> --instance <id>');
  const config = loadConfig({
    PROJECTION_INSTANCE_ID: values.instance,
    PROJECTION_LEASE_TTL_MS: '1500',
    PROJECTION_HEARTBEAT_MS: '300',
    NODE_ENV: 'test',
    MONGODB_URI: values.uri,
    PORT: values.port,
    JWT_SECRET: CHAOS_JWT_SECRET,
    SEED_ON_START: 'false',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_COMMANDS: '0',
    // A killed holder's Idempotency-Key is taken over by the client's retry after 2 s, not 15 s.
    IDEMPOTENCY_LEASE_MS: '2000',
  });
  const { app, close } = await createApp(config);
  await app.listen(config.port, '127.0.0.1');
  const stop = (): void => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
  process.stdout.write('ready\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`service-process: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
