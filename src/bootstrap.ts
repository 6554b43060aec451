/**
 * Builds the Nest application for a configuration: starts the embedded MongoDB-compatible server
 * when no MONGODB_URI is given, resolves the JWT secret, applies the global pipes and limits.
 * Used by main.ts, the e2e tests and the CLIs, so they all run the same application.
 */
import { Logger, ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/env.js';
import { startEmbeddedMongo, type EmbeddedMongo } from './embedded-mongo/index.js';
import { resolveJwtSecret } from './shared/auth/jwt-secret.js';
import { validationExceptionFactory } from './shared/errors/validation.js';
import type { DatabaseUris } from './shared/persistence/persistence.module.js';

export interface RunningApp {
  app: INestApplication;
  embedded?: EmbeddedMongo;
  close(): Promise<void>;
}

export async function resolveDatabases(
  config: AppConfig,
  logger: Logger,
): Promise<{ db: DatabaseUris; embedded?: EmbeddedMongo }> {
  let embedded: EmbeddedMongo | undefined;
  let writeUri = config.mongodbUri;
  if (!writeUri) {
    const inMemory = config.embeddedDbPath === ':memory:';
    embedded = await startEmbeddedMongo({
      dbPath: inMemory ? undefined : config.embeddedDbPath,
      logLevel: 'warn',
    });
    writeUri = embedded.uri;
    logger.log(
      `MONGODB_URI is not set: using the embedded MongoDB-compatible server at ${embedded.uri} ` +
        `(data in ${config.embeddedDbPath}). Set MONGODB_URI to a MongoDB replica set to use it instead.`,
    );
  }
  return {
    db: {
      writeUri,
      writeDbName: config.writeDbName,
      readUri: config.mongodbReadUri ?? writeUri,
      readDbName: config.readDbName,
    },
    embedded,
  };
}

export async function createApp(config: AppConfig, options: { logger?: boolean } = {}): Promise<RunningApp> {
  const logger = new Logger('Bootstrap');
  const { db, embedded } = await resolveDatabases(config, logger);
  const { secret, generated } = resolveJwtSecret(config.jwtSecret);
  if (generated) logger.warn('JWT_SECRET is not set: generated a development secret in .data/dev-jwt-secret');
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, db, secret), {
    logger: options.logger === false ? false : undefined,
    bodyParser: false,
  });
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationExceptionFactory,
    }),
  );
  app.enableShutdownHooks();
  await app.init();
  const close = async (): Promise<void> => {
    await app.close();
    await embedded?.stop();
  };
  return { app, embedded, close };
}
