/**
 * Builds the Nest application for a configuration: starts the embedded MongoDB-compatible server
 * when no MONGODB_URI is given, resolves the JWT secret, sets up logging, applies the global pipes
 * and limits. Used by main.ts, the e2e tests and the CLIs, so they all run the same application.
 *
 * Express middleware order (every request, before any route): request id (X-Request-Id) ->
 * security headers -> request log line -> JSON body parser -> API docs / Nest routes.
 * In front of Express, the fast lane answers cached GETs of registered routes (fast-lane.ts).
 */
import { Logger, ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import express from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import { documentValidatedClasses } from './shared/http/api-docs-validation.js';
import { rejectDeepJson } from './shared/http/json-depth.js';
import { rejectLoneSurrogates } from './shared/http/well-formed-unicode.js';
import { rejectPrototypeKeys } from './shared/http/prototype-keys.js';
import type { AppConfig } from './config/env.js';
import { startEmbeddedMongo, type EmbeddedMongo } from './embedded-mongo/index.js';
import { canRunOnThread, startEmbeddedMongoOnThread } from './embedded-mongo/worker-host.js';
import { resolveHs256Secret } from './shared/auth/jwt-secret.js';
import { validationExceptionFactory } from './shared/errors/validation.js';
import type { DatabaseUris } from './shared/persistence/persistence.module.js';
import { assignRequestId } from './shared/http/correlation-id.js';
import { recordSecurityHeaders, securityHeaders } from './shared/http/security-headers.js';
import { installFastLane } from './shared/http/fast-lane.js';
import { CachedRoutes } from './shared/cache/cached-routes.js';
import { TokenVerifier } from './shared/auth/token-verifier.js';
import { createJsonLogging, type JsonLogging } from './shared/logging/json-logging.js';
import { documentRateLimit } from './shared/rate-limit/rate-limit.openapi.js';
import type { DestinationStream } from 'pino';
import type { Server } from 'node:http';
import { HttpDrain } from './shared/http/http-drain.js';

export interface CloseOptions {
  /**
   * Background work to stop before the application closes (main.ts: the demo data, which stops
   * between two commands). Runs while the requests in flight finish, within the same grace period.
   */
  stopBackground?: () => Promise<void>;
}

export interface RunningApp {
  app: INestApplication;
  embedded?: EmbeddedMongo;
  /**
   * Shuts the service down, once (a second call gets the same promise):
   * 1. stops accepting connections (http-drain.ts);
   * 2. lets the requests in flight and `stopBackground` finish, for at most SHUTDOWN_GRACE_MS,
   *    then closes the connections left;
   * 3. closes the application: view counts flushed, rebuilds and verifies stopped, projections
   *    stopped with their checkpoints saved, leases released, database connections closed;
   * 4. stops the embedded server (journal flushed, data directory released).
   */
  close(options?: CloseOptions): Promise<void>;
  /** The step close() is at (for the forced-exit line); undefined before it starts. */
  readonly closing: string | undefined;
}

export async function resolveDatabases(
  config: AppConfig,
  logger: Logger,
): Promise<{ db: DatabaseUris; embedded?: EmbeddedMongo }> {
  let embedded: EmbeddedMongo | undefined;
  let writeUri = config.mongodbUri;
  if (!writeUri) {
    const inMemory = config.embeddedDbPath === ':memory:';
    const options = { dbPath: inMemory ? undefined : config.embeddedDbPath, logLevel: 'warn' as const };
    // Its own thread (a second core) unless in memory (tests) or EMBEDDED_MONGO_THREAD=false.
    const onThread = config.embeddedThread && !inMemory && canRunOnThread();
    embedded = onThread
      ? await startEmbeddedMongoOnThread(
          options,
          (reason) => {
            logger.error(`${reason}; exiting (the service cannot work without its database)`);
            process.exit(1);
          },
          { heapMb: config.embeddedHeapMb },
        )
      : await startEmbeddedMongo(options);
    writeUri = embedded.uri;
    logger.log(
      `MONGODB_URI is not set: using the embedded MongoDB-compatible server at ${embedded.uri} ` +
        `(data in ${config.embeddedDbPath}${onThread ? ', on its own thread' : ''}). ` +
        `Set MONGODB_URI to a MongoDB replica set to use it instead.`,
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

export interface CreateAppOptions {
  /** false: no log output (e2e tests, the projections CLI), unless `jsonLogs` is given. */
  logger?: boolean;
  /**
   * Structured JSON log lines (pino; the service: stdout, a test: a stream it reads). Unset: Nest's
   * human-readable console lines (the CLIs, whose output is for people).
   */
  jsonLogs?: DestinationStream;
}

export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<RunningApp> {
  const { secret, generated } = resolveHs256Secret(config);
  let json: JsonLogging | undefined;
  if (options.jsonLogs) {
    json = createJsonLogging(config, { destination: options.jsonLogs, secrets: secret ? [secret] : [] });
    // From here on every Nest Logger writes JSON, the lines before the app exists included.
    Logger.overrideLogger(json.logger);
  } else if (options.logger === false) {
    Logger.overrideLogger(false); // quiet from the first line, not only once Nest exists
  }
  const logger = new Logger('Bootstrap');
  if (generated) logger.warn('JWT_SECRET is not set: generated a development secret in .data/dev-jwt-secret');
  const { db, embedded } = await resolveDatabases(config, logger);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, db, secret), {
    ...(json ? { bufferLogs: true } : { logger: options.logger === false ? false : undefined }),
    bodyParser: false,
  });
  if (json) app.useLogger(json.logger);
  app.disable('x-powered-by');
  const headers = recordSecurityHeaders();
  app.use(assignRequestId);
  app.use(securityHeaders(headers));
  if (json) app.use(json.requestLogging);
  // express.json directly: Nest's useBodyParser reserves `verify` (the depth check) for rawBody.
  app.use(express.json({ limit: config.bodyLimit, verify: rejectDeepJson }));
  app.use(rejectLoneSurrogates);
  app.use(rejectPrototypeKeys);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationExceptionFactory,
    }),
  );
  // No app.enableShutdownHooks(): Nest's handler closes the application and then kills the process
  // with the signal again, before the embedded server is stopped (exit 143). The entry points
  // handle SIGTERM/SIGINT themselves and call close() (shutdown.ts).
  setupApiDocs(app, config);
  await app.init();
  installFastLane(app.getHttpServer(), {
    routes: app.get(CachedRoutes, { strict: false }),
    verifier: app.get(TokenVerifier, { strict: false }),
    headers,
    log: json?.root,
  });
  const drain = new HttpDrain(app.getHttpServer() as Server);
  let closing: string | undefined;
  let closed: Promise<void> | undefined;
  const shutdown = async (options: CloseOptions): Promise<void> => {
    closing = 'stopping to accept connections';
    drain.stopAccepting();
    closing = 'finishing the requests in flight';
    const finished = await within(
      config.shutdownGraceMs,
      Promise.all([drain.drained(config.shutdownGraceMs), options.stopBackground?.()]),
    );
    if (!finished || drain.pending > 0)
      logger.warn(
        `shutdown: ${drain.pending} request(s) or background work still running after ` +
          `SHUTDOWN_GRACE_MS (${config.shutdownGraceMs} ms); their connections are closed`,
      );
    drain.closeAll();
    closing = 'closing the application';
    await app.close();
    closing = 'stopping the embedded database';
    await embedded?.stop();
    closing = 'done';
  };
  return {
    app,
    embedded,
    close: (options = {}) => (closed ??= shutdown(options)),
    get closing() {
      return closing;
    },
  };
}

/** True when `work` settles within `ms` (a failure counts as settled), false otherwise. */
async function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export const API_DOCS_PATH = 'docs';
export const BEARER_AUTH = 'bearer';

/**
 * OpenAPI: the UI at /docs and the document at /docs-json. SwaggerModule registers plain express
 * routes, outside the global JWT guard, so both are public. Set up before init(), so the routes come
 * before Nest's 404 handler.
 */
export function setupApiDocs(app: INestApplication, config: AppConfig): void {
  documentValidatedClasses();
  const document = new DocumentBuilder()
    .setTitle('CQRS order service')
    .setDescription(
      [
        'Orders, customers and catalog as a CQRS service: commands answer **202 Accepted** with',
        '`{ id, version, consistencyToken }` and a `Location` header; queries read asynchronous',
        'projections (send `X-Consistency-Token: <consistencyToken>` to read your own write).',
        '',
        '**Auth**: every route except `/health`, the public catalog queries and these docs needs',
        '`Authorization: Bearer <JWT>`. For development, `npm run token -- --role admin` (or',
        '`npm run token -- --customer <customerId>`) prints a token; paste it under *Authorize*.',
        '',
        '**Errors** all have one shape, `ErrorResponseDto`: `{ statusCode, code, message, details? }`.',
        '',
        'Every response carries `X-Request-Id` (yours, when you send a safe `X-Request-Id`, or a new',
        'UUID): the correlation id of the events the command appends and of the log lines. Commands',
        'are rate limited per caller (429 `RATE_LIMITED` with `Retry-After`); queries are not.',
      ].join('\n'),
    )
    .setVersion(process.env.npm_package_version ?? '1.0.0')
    .addServer(`http://localhost:${config.port}`, 'Local development')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_AUTH)
    .build();
  SwaggerModule.setup(
    API_DOCS_PATH,
    app,
    () =>
      documentRateLimit(
        SwaggerModule.createDocument(app, document),
        config.rateLimitCommands,
        config.rateLimitWindowMs,
      ),
    {
      jsonDocumentUrl: `${API_DOCS_PATH}-json`,
      customSiteTitle: 'CQRS order service API',
    },
  );
}
