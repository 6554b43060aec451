/**
 * The command rate limit with REDIS_URL: counters shared by every instance (two services on one
 * Redis get one budget per caller between them), and the store failing open when Redis is
 * unreachable (commands pass). Uses REDIS_URL when set, else starts a throwaway redis-server when one is
 * installed, else says so and skips.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect } from 'node:net';
import request from 'supertest';
import { RedisWindowStore } from '../../src/shared/rate-limit/redis-window.store.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const LIMIT = 4;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.end(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not listen on ${port}`);
}

const haveRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!process.env.REDIS_URL && !haveRedisServer)
  throw new Error('rate-limit-redis.e2e needs Redis: set REDIS_URL or install redis-server');

describe('command rate limit on Redis', () => {
  let redis: ChildProcess | undefined;
  let redisUrl = process.env.REDIS_URL ?? '';
  const apps: TestApp[] = [];

  beforeAll(async () => {
    if (!redisUrl) {
      const port = await freePort();
      redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      await waitForPort(port);
      redisUrl = `redis://127.0.0.1:${port}`;
    }
  }, 30_000);
  afterAll(async () => {
    for (const a of apps) await a.close();
    redis?.kill();
  }, 60_000);

  const create = (t: TestApp, sku: string) =>
    request(t.http)
      .post('/api/products')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .send({ sku, name: 'Shared limit', brand: 'B', category: ['C'], price: '1.00' });

  it('two instances share one budget per caller', async () => {
    // One deployment = one read database name (the key prefix); unique per run.
    const env = {
      REDIS_URL: redisUrl,
      RATE_LIMIT_COMMANDS: String(LIMIT),
      RATE_LIMIT_WINDOW_MS: '60000',
      MONGODB_READ_DB: `rl_${randomBytes(4).toString('hex')}`,
    };
    const a = await startTestApp(env);
    apps.push(a);
    const b = await startTestApp(env);
    apps.push(b);
    for (let i = 0; i < LIMIT; i++) {
      const res = await create(i % 2 === 0 ? a : b, `RLR-${i}`).expect(202);
      expect(res.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1 - i));
    }
    for (const t of [a, b]) {
      const refused = await create(t, 'RLR-OVER').expect(429);
      expect(refused.body.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    }
    // Another caller has its own budget.
    const other = await request(a.http)
      .post('/api/customers')
      .set('Authorization', `Bearer ${a.customerToken('cus_rlr')}`)
      .send({});
    expect(other.status).not.toBe(429);
  }, 120_000);

  it('fails open: with Redis unreachable, the store lets commands through at once', async () => {
    // The store alone: an application on an unreachable REDIS_URL also waits on its query cache's
    // reconnects when closing, which is not what this checks.
    const store = new RedisWindowStore({ url: `redis://127.0.0.1:${await freePort()}`, prefix: 'rl-down:' });
    store.onModuleInit();
    try {
      for (let i = 0; i < 3; i++) {
        const record = await store.increment('commands:principal:x', 60_000, 1);
        expect(record.isBlocked).toBe(false);
      }
      expect(store.failedOpen).toBe(3);
    } finally {
      await store.onApplicationShutdown();
    }
  });
});
