/**
 * Service entry point. Without MONGODB_URI it starts the embedded MongoDB-compatible server
 * in-process (data kept in EMBEDDED_MONGO_DBPATH, default ./.data/mongo) and says so in one log line.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { ConfigError, loadConfig } from './config/env.js';
import { startEmbeddedMongo, type EmbeddedMongo } from './embedded-mongo/index.js';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  const config = loadConfig();
  let embedded: EmbeddedMongo | undefined;
  let mongodbUri = config.mongodbUri;
  if (!mongodbUri) {
    embedded = await startEmbeddedMongo({ dbPath: config.embeddedDbPath, logLevel: 'warn' });
    mongodbUri = embedded.uri;
    logger.log(
      `MONGODB_URI is not set: using the embedded MongoDB-compatible server at ${embedded.uri} ` +
        `(data in ${config.embeddedDbPath}). Set MONGODB_URI to use a real MongoDB replica set instead.`,
    );
  }
  const app = await NestFactory.create(AppModule.forRoot({ ...config, mongodbUri }));
  app.enableShutdownHooks();
  if (embedded) {
    const server = embedded;
    process.once('beforeExit', () => void server.stop());
  }
  await app.listen(config.port);
  logger.log(`Listening on http://localhost:${config.port} (health: /health)`);
}

bootstrap().catch((e: unknown) => {
  if (e instanceof ConfigError) {
    process.stderr.write(e.message + '\n');
  } else {
    process.stderr.write(`Start-up failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  }
  process.exit(1);
});
