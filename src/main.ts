/**
 * Service entry point. Without MONGODB_URI it starts the embedded MongoDB-compatible server
 * in-process (data kept in EMBEDDED_MONGO_DBPATH, default ./.data/mongo) and says so in one log line.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from './config/env.js';
import { createApp } from './bootstrap.js';
import { isEmptyDatabase, seedDemoData } from './seed/seed-runner.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const { app, close } = await createApp(config);
  const logger = new Logger('Bootstrap');
  const shutdown = (signal: string): void => {
    logger.log(`${signal} received, shutting down`);
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  if (config.seedOnStart && (await isEmptyDatabase(app))) {
    logger.log(`Empty database: adding demo data (SEED=${config.seedValue}; SEED_ON_START=false skips this)`);
    await seedDemoData(app, { seed: config.seedValue });
  }
  await app.listen(config.port);
  logger.log(`Listening on http://localhost:${config.port} (health: /health)`);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) process.stderr.write(e.message + '\n');
  else process.stderr.write(`Start-up failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
