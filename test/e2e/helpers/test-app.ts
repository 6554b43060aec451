/**
 * Starts the whole service for e2e tests: in-memory embedded MongoDB, a fixed JWT secret, no demo
 * data, no command rate limit (tests send many commands from one token; a test of the limiter sets
 * RATE_LIMIT_COMMANDS itself), no load shedding (tests fire hundreds of commands at once on a shared
 * machine and assert exact outcomes; the overload test sets the COMMAND_* / PRODUCT_* limits
 * itself), quiet logs unless `options.logs` asks for the JSON lines.
 * Tokens for any role come from `adminToken` / `customerToken`, minted by `options.tokens` (default:
 * HS256 with TEST_JWT_SECRET; helpers/token-factory.ts has the JWKS mode).
 */
import type { INestApplication } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import type { App } from 'supertest/types.js';
import { loadConfig, type AppConfig } from '../../../src/config/env.js';
import { createApp, type RunningApp } from '../../../src/bootstrap.js';
import { hs256Factory, TEST_JWT_SECRET, type TokenFactory } from './token-factory.js';

export { TEST_JWT_SECRET };

export interface TestApp {
  running: RunningApp;
  app: INestApplication;
  http: App;
  config: AppConfig;
  /** Mints tokens the service accepts (and, with `sign`, tokens with any claims). */
  tokens: TokenFactory;
  adminToken: string;
  customerToken(customerId: string): string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Receives the service's structured JSON log lines (else the app logs nothing). */
  logs?: DestinationStream;
  /** How tokens are minted and verified (its `env` configures the service); default HS256. */
  tokens?: TokenFactory;
}

export async function startTestApp(
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const tokens = options.tokens ?? hs256Factory();
  const config = loadConfig({
    NODE_ENV: 'test',
    EMBEDDED_MONGO_DBPATH: ':memory:',
    JWT_SECRET: TEST_JWT_SECRET,
    SEED_ON_START: 'false',
    LOG_LEVEL: 'error',
    RATE_LIMIT_COMMANDS: '0',
    COMMAND_CONCURRENCY: '100000',
    COMMAND_QUEUE_LIMIT: '1000000',
    COMMAND_QUEUE_TIMEOUT_MS: '600000',
    PRODUCT_QUEUE_LIMIT: '1000000',
    ...tokens.env,
    ...env,
  });
  const running = await createApp(config, options.logs ? { jsonLogs: options.logs } : { logger: false });
  const http = running.app.getHttpServer() as App;
  return {
    running,
    app: running.app,
    http,
    config,
    tokens,
    adminToken: tokens.principal({ sub: 'e2e-admin', role: 'admin' }),
    customerToken: (customerId) => tokens.principal({ sub: customerId, role: 'customer', customerId }),
    close: () => running.close(),
  };
}
