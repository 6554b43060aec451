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
import { ProjectionsService } from '../../../src/shared/projections/projections.service.js';
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
  /**
   * Resolves once every projection is idle: nothing queued or deferred on the fast path and the
   * resync path checkpointed past the last event. The resync path applies (and invalidates the
   * cache for) every event again shortly after the fast path did; a test that counts cache hits
   * waits for this first.
   */
  settled(timeoutMs?: number): Promise<void>;
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
    settled: (timeoutMs) => settled(running.app.get(ProjectionsService), timeoutMs),
    close: () => running.close(),
  };
}

async function settled(projections: ProjectionsService, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const busy = (await projections.status()).filter((s) => s.eventsBehind > 0 || s.lagMs > 0);
    if (busy.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`projections not settled after ${timeoutMs} ms: ${busy.map((s) => s.name).join(', ')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
