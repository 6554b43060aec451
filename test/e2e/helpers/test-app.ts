/**
 * Starts the whole service for e2e tests: in-memory embedded MongoDB, a fixed JWT secret, no demo
 * data, no command rate limit (tests send many commands from one token; a test of the limiter sets
 * RATE_LIMIT_COMMANDS itself), no load shedding (tests fire hundreds of commands at once on a shared
 * machine and assert exact outcomes; the overload test sets the COMMAND_* / PRODUCT_* limits
 * itself), quiet logs unless `options.logs` asks for the JSON lines.
 * Tokens for any role come from `adminToken` / `customerToken`.
 */
import type { INestApplication } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import type { App } from 'supertest/types.js';
import { loadConfig, type AppConfig } from '../../../src/config/env.js';
import { createApp, type RunningApp } from '../../../src/bootstrap.js';
import { signToken } from '../../../src/shared/auth/jwt.js';

export const TEST_JWT_SECRET = 'e2e-test-secret-e2e-test-secret-0123456789';

export interface TestApp {
  running: RunningApp;
  app: INestApplication;
  http: App;
  config: AppConfig;
  adminToken: string;
  customerToken(customerId: string): string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Receives the service's structured JSON log lines (else the app logs nothing). */
  logs?: DestinationStream;
}

export async function startTestApp(
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
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
    ...env,
  });
  const running = await createApp(config, options.logs ? { jsonLogs: options.logs } : { logger: false });
  const http = running.app.getHttpServer() as App;
  return {
    running,
    app: running.app,
    http,
    config,
    adminToken: signToken({ sub: 'e2e-admin', role: 'admin' }, TEST_JWT_SECRET, 3600),
    customerToken: (customerId) =>
      signToken({ sub: customerId, role: 'customer', customerId }, TEST_JWT_SECRET, 3600),
    close: () => running.close(),
  };
}
