/**
 * Child process of projections-runtime.e2e-spec.ts (run from dist/):
 *
 *   node dist/test/e2e/helpers/projection-instance.js <mongodbUri> <instanceId>
 *
 * Runs the whole service against `mongodbUri` with the test projection registered, as instance
 * `instanceId` (short lease TTL), until it is killed. Prints "ready" once started.
 */
import { loadConfig } from '../../../src/config/env.js';
import { createApp } from '../../../src/bootstrap.js';
import { ProjectionRegistry } from '../../../src/shared/projections/projection-registry.js';
import { ThingsProjection } from './things-projection.js';

async function main(): Promise<void> {
  const [uri, id] = process.argv.slice(2);
  if (!uri || !id) throw new Error('usage: projection-instance <mongodbUri> <instanceId>');
  const config = loadConfig({
    PROJECTION_INSTANCE_ID: id,
    PROJECTION_LEASE_TTL_MS: '1500',
    PROJECTION_HEARTBEAT_MS: '300',
    NODE_ENV: 'test',
    MONGODB_URI: uri,
    JWT_SECRET: 'child-test-secret-child-test-secret-0123456789',
    SEED_ON_START: 'false',
    LOG_LEVEL: 'error',
  });
  const running = await createApp(config, { logger: false });
  running.app.get(ProjectionRegistry).register(new ThingsProjection());
  process.stdout.write('ready\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`projection-instance: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
