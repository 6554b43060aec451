/**
 * HttpDrain (src/shared/http/http-drain.ts) on a real HTTP server and sockets: after
 * stopAccepting() new connections are refused, idle keep-alive connections are closed, a request
 * in flight is answered (with `Connection: close`), drained() follows it, and closeAll() cuts what
 * is left.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpDrain } from '../src/shared/http/http-drain.js';

interface Reply {
  status?: number;
  connection?: string;
  body?: string;
  error?: string;
}

function get(port: number, path: string, agent: http.Agent): Promise<Reply> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection, body }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}

describe('HttpDrain', () => {
  let server: http.Server;
  let drain: HttpDrain;
  let port: number;
  const held: ServerResponse[] = [];
  let received = 0;

  beforeEach(async () => {
    received = 0;
    server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
      received++;
      if (req.url === '/hold')
        held.push(res); // answered by the test
      else res.end('fast');
    });
    drain = new HttpDrain(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    held.splice(0);
    drain.closeAll();
    await new Promise((resolve) => server.close(resolve));
  });

  async function until(probe: () => boolean): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  it('refuses new connections, closes idle ones, answers the request in flight with Connection: close', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    try {
      expect(await get(port, '/fast', agent)).toMatchObject({ status: 200, connection: 'keep-alive' });
      const inFlight = get(port, '/hold', agent);
      await until(() => held.length === 1);
      expect(drain.pending).toBe(1);

      drain.stopAccepting();
      expect(await get(port, '/fast', new http.Agent())).toEqual({ error: 'ECONNREFUSED' });
      expect(await drain.drained(50)).toBe(false);

      const answered = drain.drained(5_000);
      held[0]!.end('held');
      expect(await inFlight).toEqual({ status: 200, connection: 'close', body: 'held' });
      expect(await answered).toBe(true);
      expect(drain.pending).toBe(0);
      // Every connection is gone: the idle one at once, the busy one after its answer.
      let open = -1;
      await until(() => {
        server.getConnections((_e, n) => (open = n));
        return open === 0;
      });
      expect(received).toBe(2);
    } finally {
      agent.destroy();
    }
  });

  it('closeAll cuts a request that does not finish within the grace period', async () => {
    const agent = new http.Agent({ keepAlive: true });
    try {
      const stuck = get(port, '/hold', agent);
      await until(() => held.length === 1);
      drain.stopAccepting();
      expect(await drain.drained(30)).toBe(false);
      drain.closeAll();
      expect((await stuck).error).toMatch(/ECONNRESET|socket hang up/);
      expect(await drain.drained(1_000)).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});
