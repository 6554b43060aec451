/**
 * Starts the whole service for e2e tests: in-memory embedded MongoDB, a fixed JWT secret, no demo
 * data, quiet logs. Tokens for any role come from `tokens`.
 */
import type { INestApplication } from '@nestjs/common';
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

export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    EMBEDDED_MONGO_DBPATH: ':memory:',
    JWT_SECRET: TEST_JWT_SECRET,
    SEED_ON_START: 'false',
    LOG_LEVEL: 'error',
    ...env,
  });
  const running = await createApp(config, { logger: false });
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
