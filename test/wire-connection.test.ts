/**
 * serveConnection over real TCP with a scripted dispatcher: replies, ordering, moreToCome,
 * error replies, protocol errors, backpressure and lifecycle.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Int32, encodeDocument, type Document } from '../src/embedded-mongo/bson.js';
import type { Logger } from '../src/embedded-mongo/logger.js';
import {
  MAX_BSON_INTERNAL_SIZE,
  MAX_BSON_OBJECT_SIZE,
  OpCode,
  OpMsgFlag,
  OpReplyFlag,
  crc32c,
  encodeOpMsg,
  encodeOpQuery,
  serveConnection,
  type WireCommand,
  type WireConnection,
} from '../src/embedded-mongo/wire/index.js';
import { WireTestClient, okValue } from './helpers/wire-client.js';

interface LogLine {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

function fixture(name: string): Buffer {
  const hex = readFileSync(resolve(process.cwd(), 'test/fixtures/wire', name), 'utf8');
  return Buffer.from(hex.replace(/\s+/g, ''), 'hex');
}

let requestIds = 1;
function msg(body: Document, options: { moreToCome?: boolean; checksum?: boolean } = {}): Buffer {
  return Buffer.concat(encodeOpMsg(body, { requestId: requestIds++, ...options }));
}

type Dispatch = (command: WireCommand) => Promise<Document>;

interface Harness {
  port: number;
  commands: WireCommand[];
  lines: LogLine[];
  connections: WireConnection[];
  closes: number[];
  setDispatch(dispatch: Dispatch): void;
  connect(): Promise<WireTestClient>;
  stop(): Promise<void>;
}

async function startHarness(): Promise<Harness> {
  const commands: WireCommand[] = [];
  const lines: LogLine[] = [];
  const connections: WireConnection[] = [];
  const closes: number[] = [];
  const clients: WireTestClient[] = [];
  let dispatch: Dispatch = async (command) => ({ ok: 1, echo: Object.keys(command.body)[0] });
  const logger: Logger = {
    debug: (msg, fields = {}) => lines.push({ level: 'debug', msg, fields }),
    info: (msg, fields = {}) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields = {}) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields = {}) => lines.push({ level: 'error', msg, fields }),
  };
  let nextId = 1;
  const server = net.createServer((socket) => {
    const connectionId = nextId++;
    connections.push(
      serveConnection(socket, {
        connectionId,
        logger,
        dispatch: (command) => {
          commands.push(command);
          return dispatch(command);
        },
        onClose: () => closes.push(connectionId),
      }),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    commands,
    lines,
    connections,
    closes,
    setDispatch: (d) => {
      dispatch = d;
    },
    connect: async () => {
      const client = await WireTestClient.connect('127.0.0.1', port);
      clients.push(client);
      return client;
    },
    stop: async () => {
      for (const client of clients) client.destroy();
      for (const connection of connections) connection.close();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

describe('serveConnection', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('answers the driver handshake (OP_QUERY) with an OP_REPLY, as a legacy command with $db', async () => {
    const handshake = fixture('handshake-op-query-ismaster.hex');
    const client = await h.connect();
    const reply = await client.request(handshake);
    expect(reply.header.opCode).toBe(OpCode.OP_REPLY);
    expect(reply.header.responseTo).toBe(handshake.readInt32LE(4));
    expect(reply.flags).toBe(0);
    expect(reply.body).toEqual({ ok: new Int32(1), echo: 'ismaster' });
    expect(h.commands[0]).toMatchObject({ legacy: true, moreToCome: false, connectionId: 1 });
    expect(h.commands[0].body.$db).toBe('admin');
  });

  it('merges a kind-1 documents sequence into the command and answers with OP_MSG', async () => {
    const insert = fixture('insert-op-msg-documents-sequence.hex');
    const client = await h.connect();
    const reply = await client.request(insert);
    expect(reply.header.opCode).toBe(OpCode.OP_MSG);
    expect(reply.header.responseTo).toBe(insert.readInt32LE(4));
    expect(reply.flags).toBe(0);
    const { body } = h.commands[0];
    expect(body.insert).toBe('orders');
    expect((body.documents as Document[]).map((d) => d._id)).toEqual(['order-1', 'order-2']);
    expect(h.commands[0].legacy).toBe(false);
  });

  it('runs a moreToCome request but sends nothing back for it', async () => {
    const w0 = fixture('insert-w0-op-msg-more-to-come.hex');
    const ping = msg({ ping: 1, $db: 'admin' });
    const client = await h.connect();
    await client.write(Buffer.concat([w0, ping]));
    const reply = await client.nextReply();
    expect(reply.header.responseTo).toBe(ping.readInt32LE(4));
    await sleep(50);
    expect(client.pendingReplies).toBe(0);
    expect(h.commands.map((c) => [Object.keys(c.body)[0], c.moreToCome])).toEqual([
      ['insert', true],
      ['ping', false],
    ]);
  });

  it('dispatches pipelined requests one at a time and answers in order', async () => {
    let running = 0;
    let maxRunning = 0;
    h.setDispatch(async (command) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await sleep(Math.floor(Math.random() * 3));
      running -= 1;
      return { ok: 1, n: command.body.n };
    });
    const requests = Array.from({ length: 30 }, (_, n) => msg({ ping: 1, n, $db: 'admin' }));
    const client = await h.connect();
    await client.write(Buffer.concat(requests));
    for (let n = 0; n < 30; n++) {
      const reply = await client.nextReply();
      expect(reply.header.responseTo).toBe(requests[n].readInt32LE(4));
      expect(reply.body.n).toEqual(new Int32(n));
    }
    expect(maxRunning).toBe(1);
  });

  it('turns a throwing dispatch into an InternalError reply and keeps serving', async () => {
    h.setDispatch(async (command) => {
      if (command.body.boom) throw new Error('kaput');
      return { ok: 1 };
    });
    const client = await h.connect();
    const failed = await client.request(msg({ boom: 1, $db: 'x' }));
    expect(failed.body).toEqual({
      ok: new Int32(0),
      errmsg: 'kaput',
      code: new Int32(1),
      codeName: 'InternalError',
    });
    const legacy = await client.request(encodeOpQuery('x.$cmd', { boom: 1 }, { requestId: 99 }));
    expect(legacy.header.opCode).toBe(OpCode.OP_REPLY);
    expect(legacy.body.codeName).toBe('InternalError');
    expect(okValue((await client.request(msg({ ping: 1, $db: 'x' }))).body)).toBe(1);
  });

  it('replaces a reply larger than maxBsonObjectSize+16KiB with BSONObjectTooLarge', async () => {
    const sizes = [MAX_BSON_INTERNAL_SIZE - 100, MAX_BSON_INTERNAL_SIZE + 1, 20 * 1024 * 1024];
    h.setDispatch(async (command) => ({ ok: 1, s: 'x'.repeat(Number(command.body.size) - 20) }));
    const client = await h.connect();
    const replies = [];
    for (const size of sizes)
      replies.push((await client.request(msg({ big: 1, size, $db: 'x' }), undefined, 20_000)).body);
    expect(encodeDocument(replies[0]).length).toBeGreaterThan(MAX_BSON_OBJECT_SIZE);
    expect(okValue(replies[0])).toBe(1);
    for (const tooLarge of replies.slice(1)) {
      expect(tooLarge).toMatchObject({
        ok: new Int32(0),
        code: new Int32(10334),
        codeName: 'BSONObjectTooLarge',
      });
      expect(tooLarge.errmsg).toMatch(/^BSONObj size: \d+ .* is invalid/);
    }
    expect(okValue((await client.request(msg({ ping: 1, $db: 'x' }))).body)).toBe(1);
  }, 30_000);

  it('answers a sequence that clashes with a body field with error 40433, without closing', async () => {
    const bytes = Buffer.concat(
      encodeOpMsg(
        { insert: 'c', documents: [], $db: 'x' },
        { requestId: 5, sequences: [['documents', [{ a: 1 }]]] },
      ),
    );
    const client = await h.connect();
    const reply = await client.request(bytes);
    expect(reply.body).toMatchObject({ ok: new Int32(0), code: new Int32(40433), codeName: 'Location40433' });
    expect(h.commands).toHaveLength(0);
    expect(okValue((await client.request(msg({ ping: 1, $db: 'x' }))).body)).toBe(1);
  });

  it('refuses an OP_QUERY outside <db>.$cmd with a QueryFailure OP_REPLY, without dispatching', async () => {
    const client = await h.connect();
    const reply = await client.request(encodeOpQuery('app.orders', { status: 'open' }, { requestId: 8 }));
    expect(reply.header.opCode).toBe(OpCode.OP_REPLY);
    expect(reply.flags & OpReplyFlag.queryFailure).toBe(OpReplyFlag.queryFailure);
    expect(reply.body).toMatchObject({ code: new Int32(5739101), ok: new Int32(0) });
    expect(reply.body.$err).toMatch(/OP_QUERY is no longer supported/);
    expect(h.commands).toHaveLength(0);
    expect(client.isOpen).toBe(true);
  });

  it('adds a checksum to the reply of a request that carried one', async () => {
    const client = await h.connect();
    const reply = await client.request(msg({ ping: 1, $db: 'x' }, { checksum: true }));
    expect(reply.flags & OpMsgFlag.checksumPresent).toBe(OpMsgFlag.checksumPresent);
    const { bytes } = reply;
    expect(bytes.readUInt32LE(bytes.length - 4)).toBe(crc32c(bytes.subarray(0, bytes.length - 4)));
  });

  it('closes a connection on a protocol error with one error line, other connections unaffected', async () => {
    const bystander = await h.connect();
    const bad = await h.connect();
    const valid = msg({ ping: 1, first: true, $db: 'x' });
    const header = Buffer.alloc(16);
    header.writeInt32LE(48_000_001, 0);
    header.writeInt32LE(OpCode.OP_MSG, 12);
    // A valid request completed before the bad header in the same chunk still runs.
    await bad.write(Buffer.concat([valid, header]));
    expect(await bad.waitClosed(2000)).toBe(true);
    expect(bad.closedByPeer).toBe(true);
    const errors = h.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].fields).toMatchObject({ connectionId: 2, reason: 'MessageTooLarge' });
    expect(h.commands.map((c) => c.body.first)).toEqual([true]);
    expect(okValue((await bystander.request(msg({ ping: 1, $db: 'x' }))).body)).toBe(1);
  });

  it.each([
    ['an unknown section kind', Buffer.from([2, 5, 0, 0, 0, 0]), 'UnknownSectionKind'],
    ['a truncated document sequence', Buffer.from([1, 50, 0, 0, 0, 0x61, 0]), 'Truncated'],
  ])('closes a connection that sends %s', async (_label, section, reason) => {
    const body = msg({ ping: 1, $db: 'x' });
    const bad = Buffer.concat([body, section]);
    bad.writeInt32LE(bad.length, 0);
    const client = await h.connect();
    await client.write(bad);
    expect(await client.waitClosed(2000)).toBe(true);
    expect(h.lines.filter((l) => l.level === 'error').map((l) => l.fields.reason)).toEqual([reason]);
    expect(h.commands).toHaveLength(0);
  });

  it('logs a connection reset at debug level only, and calls onClose once', async () => {
    const client = await h.connect();
    await client.request(msg({ ping: 1, $db: 'x' }));
    client.socket.resetAndDestroy();
    await h.connections[0].closed;
    expect(h.closes).toEqual([1]);
    expect(h.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('finishes what was received, then closes, when the client hangs up', async () => {
    let release: () => void = () => undefined;
    h.setDispatch(
      () =>
        new Promise((done) => {
          release = () => done({ ok: 1 });
        }),
    );
    const client = await h.connect();
    await client.write(msg({ slow: 1, $db: 'x' }));
    await sleep(20);
    client.socket.end();
    release();
    await h.connections[0].closed;
    expect(h.commands).toHaveLength(1);
    expect(h.closes).toEqual([1]);
  });

  it('stops reading while the client does not read its replies, and catches up afterwards', async () => {
    const payload = 'y'.repeat(1024 * 1024);
    h.setDispatch(async () => ({ ok: 1, payload }));
    const client = await h.connect();
    client.socket.pause();
    const requests = Array.from({ length: 64 }, (_, n) => msg({ get: n, $db: 'x' }));
    await client.write(Buffer.concat(requests));
    await sleep(300);
    // Socket buffers absorb a few replies; the rest must wait for the client.
    const dispatchedWhileStalled = h.commands.length;
    expect(dispatchedWhileStalled).toBeLessThan(64);
    client.socket.resume();
    for (let n = 0; n < 64; n++) {
      const reply = await client.nextReply(10_000);
      expect(reply.header.responseTo).toBe(requests[n].readInt32LE(4));
    }
    expect(h.commands).toHaveLength(64);
  }, 30_000);
});
