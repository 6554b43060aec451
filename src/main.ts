/**
 * Service entry point. Without MONGODB_URI it starts the embedded MongoDB-compatible server
 * in-process (data kept in EMBEDDED_MONGO_DBPATH, default ./.data/mongo) and says so in one log line.
 * Logs are JSON lines on stdout (pino, level LOG_LEVEL, written asynchronously and flushed before
 * every exit: log-destination.ts); a bad configuration is reported on stderr as plain lines before
 * any logger exists.
 *
 * SIGTERM/SIGINT (shutdown.ts): the demo data stops between two commands, then RunningApp.close()
 * (bootstrap.ts) stops accepting connections, finishes the requests in flight, closes the
 * application and the embedded server; exit code 0, or 1 when SHUTDOWN_TIMEOUT_MS forces it.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from './config/env.js';
import { createApp } from './bootstrap.js';
import { asyncStdout, exitOnFatal } from './shared/logging/log-destination.js';
import { isEmptyDatabase, seedDemoData, SeedStopped } from './seed/seed-runner.js';
import { onShutdownSignals } from './shutdown.js';

const logs = asyncStdout();

function exit(code: number): never {
  logs.flush();
  process.exit(code);
}

async function main(): Promise<void> {
  const config = loadConfig();
  exitOnFatal(logs);
  const logger = new Logger('Bootstrap');
  const seeding = new AbortController();
  let seeded: Promise<void> = Promise.resolve();
  let stopping = false;
  let step = (): string | undefined => 'starting';
  const starting = createApp(config, { jsonLogs: logs.stream });
  // Installed before the start-up completes: a signal during it closes the service once it is up.
  onShutdownSignals({
    timeoutMs: config.shutdownTimeoutMs,
    exit,
    logger,
    step: () => step(),
    shutdown: async () => {
      stopping = true;
      const service = await starting;
      const stopSeeding = async (): Promise<void> => {
        seeding.abort();
        await seeded;
      };
      await service.close({ stopBackground: stopSeeding });
      return 0;
    },
  });
  const running = await starting;
  step = () => running.closing;
  const { app } = running;
  const seed = config.seedOnStart && (await isEmptyDatabase(app));
  if (stopping) return;
  await app.listen(config.port);
  const port = (app.getHttpServer().address() as AddressInfo | null)?.port ?? config.port;
  logger.log(`Listening on http://localhost:${port} (health: /health)`);
  if (seed && !stopping) {
    // The API serves while the demo data is added (through the same commands), so a first start
    // is usable at once; progress lines follow. A shutdown stops it between two commands.
    logger.log(
      `Empty database: adding demo data in the background (SEED=${config.seedValue}; SEED_ON_START=false skips this)`,
    );
    seeded = seedDemoData(app, { seed: config.seedValue, signal: seeding.signal }).then(
      () => logger.log('Demo data complete'),
      (e: unknown) => {
        if (e instanceof SeedStopped)
          logger.warn(
            `Demo data stopped by the shutdown after ${e.done} of ${e.total} commands: the database keeps ` +
              `what was added and the next start does not add more (npm run seed -- --reset starts over)`,
          );
        else logger.error(`Adding demo data failed: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  }
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) process.stderr.write(e.message + '\n');
  else process.stderr.write(`Start-up failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  exit(1);
});
