/**
 * Service entry point. Without MONGODB_URI it starts the embedded MongoDB-compatible server
 * in-process (data kept in EMBEDDED_MONGO_DBPATH, default ./.data/mongo) and says so in one log line.
 * Logs are JSON lines on stdout (pino, level LOG_LEVEL, written asynchronously and flushed before
 * every exit: log-destination.ts); a bad configuration is reported on stderr as plain lines before
 * any logger exists.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from './config/env.js';
import { createApp } from './bootstrap.js';
import { asyncStdout, exitOnFatal } from './shared/logging/log-destination.js';
import { isEmptyDatabase, seedDemoData } from './seed/seed-runner.js';

const logs = asyncStdout();

function exit(code: number): never {
  logs.flush();
  process.exit(code);
}

async function main(): Promise<void> {
  const config = loadConfig();
  exitOnFatal(logs);
  const { app, close } = await createApp(config, { jsonLogs: logs.stream });
  const logger = new Logger('Bootstrap');
  const shutdown = (signal: string): void => {
    logger.log(`${signal} received, shutting down`);
    close().then(
      () => exit(0),
      () => exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  const seed = config.seedOnStart && (await isEmptyDatabase(app));
  await app.listen(config.port);
  logger.log(`Listening on http://localhost:${config.port} (health: /health)`);
  if (seed) {
    // The API serves while the demo data is added (through the same commands), so a first start
    // is usable at once; progress lines follow.
    logger.log(
      `Empty database: adding demo data in the background (SEED=${config.seedValue}; SEED_ON_START=false skips this)`,
    );
    seedDemoData(app, { seed: config.seedValue }).then(
      () => logger.log('Demo data complete'),
      (e: unknown) => logger.error(`Adding demo data failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  }
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) process.stderr.write(e.message + '\n');
  else process.stderr.write(`Start-up failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  exit(1);
});
