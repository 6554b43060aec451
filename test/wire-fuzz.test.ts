/**
 * Connection-level fuzz of the wire layer: thousands of malformed frames against serveConnection
 * (with a stub dispatcher) while well-behaved clients, raw and the official driver, keep working.
 */
import net from 'node:net';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Int32, type Document } from '../src/embedded-mongo/bson.js';
import type { Logger } from '../src/embedded-mongo/logger.js';
import { MAX_BSON_OBJECT_SIZE, serveConnection, type WireCommand } from '../src/embedded-mongo/wire/index.js';
import { runWireFuzz } from './helpers/wire-fuzz.js';

interface LogLine {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

function capturingLogger(lines: LogLine[]): Logger {
  const at =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}): void => {
      lines.push({ level, msg, fields });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Minimal hello for the legacy handshake and the driver's monitor; {ok: 1} for anything else. */
async function stubDispatch(command: WireCommand): Promise<Document> {
  await yieldToLoop();
  const name = Object.keys(command.body)[0];
  if (name === 'ismaster' || name === 'isMaster' || name === 'hello') {
    return {
      ismaster: true,
      isWritablePrimary: true,
      helloOk: true,
      maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      maxWireVersion: 21,
      minWireVersion: 0,
      connectionId: new Int32(command.connectionId),
      localTime: new Date(),
      ok: 1,
    };
  }
  return { ok: 1 };
}

describe('wire fuzz', () => {
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => {
    uncaught.push(err);
  };
  beforeAll(() => {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
  });
  afterAll(() => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  });

  it('survives 10,000 malformed frames while good clients get every answer', async () => {
    const lines: LogLine[] = [];
    const logger = capturingLogger(lines);
    const inFlight = new Map<number, number>();
    let overlapping = 0;
    let connections = 0;
    let closes = 0;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      connections += 1;
      sockets.add(socket);
      serveConnection(socket, {
        connectionId: connections,
        logger,
        dispatch: async (command) => {
          const running = (inFlight.get(command.connectionId) ?? 0) + 1;
          inFlight.set(command.connectionId, running);
          if (running > 1) overlapping += 1;
          try {
            return await stubDispatch(command);
          } finally {
            inFlight.set(command.connectionId, running - 1);
          }
        },
        onClose: () => {
          closes += 1;
          sockets.delete(socket);
        },
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;

    try {
      const report = await runWireFuzz({ host: '127.0.0.1', port, count: 10_000 });
      const context = `seed ${report.seed}`;

      expect({ context, failures: report.failures.slice(0, 5) }).toEqual({ context, failures: [] });
      expect({ context, goodFailures: report.goodFailures }).toEqual({ context, goodFailures: [] });
      expect(report.framesSent).toBeGreaterThanOrEqual(10_000);
      expect(report.mustReject).toBeGreaterThan(5_000);
      expect(report.rejectedByServer).toBe(report.mustReject);
      expect(report.goodReplies).toBe(report.goodRequests);
      expect(report.goodRequests).toBeGreaterThan(100);
      expect(report.driverPings).toBeGreaterThan(10);
      expect(Object.keys(report.casesByKind).length).toBeGreaterThanOrEqual(16);

      // The server never crashed, dispatched one request at a time per connection, and closed
      // every bad connection with exactly one error line naming the connection and the reason.
      expect(uncaught).toEqual([]);
      expect(server.listening).toBe(true);
      expect(overlapping).toBe(0);
      const protocolErrors = lines.filter(
        (l) => l.level === 'error' && l.msg.startsWith('wire protocol error'),
      );
      expect(protocolErrors.length).toBeGreaterThanOrEqual(report.mustReject);
      const perConnection = new Map<unknown, number>();
      for (const line of protocolErrors) {
        expect(line.fields).toEqual(
          expect.objectContaining({ connectionId: expect.any(Number), reason: expect.any(String) }),
        );
        perConnection.set(line.fields.connectionId, (perConnection.get(line.fields.connectionId) ?? 0) + 1);
      }
      expect(Math.max(...perConnection.values())).toBe(1);
      expect(lines.filter((l) => l.level === 'error' && !l.msg.startsWith('wire protocol error'))).toEqual(
        [],
      );

      // Every connection the fuzz opened is gone (the driver's and good clients' too).
      const deadline = Date.now() + 3000;
      while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(sockets.size).toBe(0);
      expect(closes).toBe(connections);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 60_000);
});
