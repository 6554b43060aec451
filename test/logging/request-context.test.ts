/**
 * The request-logging middleware over real HTTP: every log line written while a request is being
 * served (also after an await) carries that request's id, lines outside a request do not, and the
 * request line itself is written once with its method, censored URL, status and duration.
 */
import { Logger } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request, Response } from 'express';
import { correlationIdOf } from '../../src/shared/http/correlation-id.js';
import { createJsonLogging } from '../../src/shared/logging/json-logging.js';

describe('request logging context', () => {
  const raw: string[] = [];
  const json = createJsonLogging(
    { logLevel: 'debug' },
    { destination: { write: (s: string) => void raw.push(s) }, secrets: [] },
  );
  const lines = (): Record<string, unknown>[] => raw.map((s) => JSON.parse(s) as Record<string, unknown>);
  let server: Server;
  let base: string;

  beforeAll(async () => {
    Logger.overrideLogger(json.logger);
    const handlerLogger = new Logger('Handler');
    server = createServer((req, res) => {
      correlationIdOf(req);
      json.requestLogging(req as Request, res as Response, () => {
        handlerLogger.log('before await');
        setTimeout(() => {
          handlerLogger.warn('after await');
          res.statusCode = 201;
          res.end('ok');
        }, 5);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('binds reqId to every log of the request, and writes one request line', async () => {
    const res = await fetch(`${base}/things?id=1&token=abc`, { headers: { 'X-Request-Id': 'ctx-test-1' } });
    expect(res.status).toBe(201);
    new Logger('Outside').log('not in a request');
    for (let i = 0; i < 50 && !lines().some((l) => l.msg === 'request completed'); i++)
      await new Promise((r) => setTimeout(r, 10));
    const mine = lines().filter((l) => l.context === 'Handler');
    expect(mine.map((l) => [l.msg, l.level, l.reqId])).toEqual([
      ['before await', 'info', 'ctx-test-1'],
      ['after await', 'warn', 'ctx-test-1'],
    ]);
    expect(lines().find((l) => l.context === 'Outside')?.reqId).toBeUndefined();
    const requestLines = lines().filter((l) => l.msg === 'request completed');
    expect(requestLines).toEqual([
      expect.objectContaining({
        level: 'info',
        reqId: 'ctx-test-1',
        method: 'GET',
        url: '/things?id=1&token=[REDACTED]',
        statusCode: 201,
        responseTime: expect.any(Number),
      }),
    ]);
  });
});
