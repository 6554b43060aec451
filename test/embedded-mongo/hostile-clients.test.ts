/**
 * The embedded server (a child process, so its memory can be read) under hostile clients:
 * (a) 1,000 simultaneous raw connections (idle, half a frame, garbage, oversized frames) while a
 *     driver keeps doing CRUD: every good request is answered, bad frames close only their own
 *     connection, and connections.current drops back once they close;
 * (b) 1,000 cursors left open by clients that vanished: the idle reaper closes them
 *     (metrics.cursor.timedOut), getMore then fails with CursorNotFound, noCursorTimeout cursors
 *     stay, and memory after reaping and a GC is back near the baseline;
 * (c) connections over maxIncomingConnections are closed at once while existing clients keep
 *     working, and the refusal burst is logged once.
 * Memory bounds are generous on purpose: they catch a leak, not a regression of a few MB.
 */
import type { Collection, Document, MongoClient } from 'mongodb';
import { withServerChildren, type ServerChild } from '../helpers/embedded-server.js';
import { destroyAll, num, openRawClients, opMsg, pollUntil } from '../helpers/hostile-sockets.js';
import { okValue, type WireTestClient } from '../helpers/wire-client.js';

const children = withServerChildren();
const MB = 1024 * 1024;
/** How much the server may grow over its baseline while 1,000 hostile clients/cursors exist. */
const MEMORY_BOUND = 200 * MB;

interface CrudLoop {
  stop(): Promise<{ ops: number; errors: string[] }>;
}

/** A well-behaved client: insert, read back, update, in a loop, until stopped. */
function startCrudLoop(coll: Collection<{ _id: number; n: number }>, firstId: number): CrudLoop {
  let running = true;
  let ops = 0;
  const errors: string[] = [];
  const loop = (async () => {
    for (let i = firstId; running; i++) {
      try {
        await coll.insertOne({ _id: i, n: i });
        const doc = await coll.findOne({ _id: i });
        if (doc?.n !== i) errors.push(`read back ${JSON.stringify(doc)} for ${i}`);
        await coll.updateOne({ _id: i }, { $inc: { n: 1 } });
        ops += 3;
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
        if (errors.length > 10) return;
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { ops, errors };
    },
  };
}

async function serverStatus(client: MongoClient): Promise<Document> {
  return client.db('admin').command({ serverStatus: 1 });
}

function connections(status: Document): { current: number; available: number; rejected: number } {
  const c = status.connections as Document;
  return { current: num(c.current), available: num(c.available), rejected: num(c.rejected) };
}

function cursorMetrics(status: Document): {
  open: number;
  noTimeout: number;
  timedOut: number;
  opened: number;
} {
  const c = (status.metrics as Document).cursor as Document;
  const open = c.open as Document;
  return {
    open: num(open.total),
    noTimeout: num(open.noTimeout),
    timedOut: num(c.timedOut),
    opened: num(c.totalOpened),
  };
}

function watchExit(server: ServerChild): () => unknown {
  let exit: unknown;
  void server.exited.then((e) => {
    exit = { ...e, stderr: server.stderrTail().slice(-4000) };
  });
  return () => exit;
}

/** The j-th command of a client that will abandon its cursor (see the cursor test). */
function abandonedCursorCommand(k: number, j: number): Document {
  if (j === 5 && k % 10 === 0) {
    return {
      aggregate: 'big',
      pipeline: [{ $group: { _id: '$r', s: { $push: '$s' } } }],
      cursor: { batchSize: 1 },
      $db: 'hostile',
    };
  }
  return { find: 'big', batchSize: 1, $db: 'hostile', ...(j % 20 === 0 ? { sort: { r: 1 } } : {}) };
}

const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;

describe('embedded server under hostile clients', () => {
  it('keeps serving a driver through 1,000 simultaneous idle, half-frame, garbage and oversized connections', async () => {
    const server = await children.start({ logLevel: 'silent', exposeGc: true });
    const exitOf = watchExit(server);
    // One pooled connection, so that connections.current has a fixed baseline.
    const client = await children.client(server.uri, { maxPoolSize: 1 });
    const coll = client.db('hostile').collection<{ _id: number; n: number }>('flood');
    await coll.insertOne({ _id: -1, n: -1 });
    const before = connections(await serverStatus(client));
    const baseline = await server.gc();

    const crud = startCrudLoop(coll, 0);
    const flood = await openRawClients(server.host, server.port, 1000);
    const idle: WireTestClient[] = [];
    const halfFrame: WireTestClient[] = [];
    const garbage: WireTestClient[] = [];
    flood.forEach((c, i) => [idle, halfFrame, garbage][i % 3].push(c));
    // Half a frame: a valid header announcing a 1 KiB OP_MSG, and only part of its body.
    const ping = opMsg({ ping: 1, $db: 'admin', pad: 'x'.repeat(1000) });
    for (const c of halfFrame) await c.write(ping.subarray(0, ping.length >> 1));
    // Garbage: bytes no header can be made of (negative messageLength); or, every other one, a
    // header announcing a 64 MB OP_MSG (over maxMessageSizeBytes) followed by 256 KiB of body,
    // which must be refused on the header, before the body is buffered.
    const junk = Buffer.alloc(256, 0xff);
    const oversized = Buffer.alloc(16 + 256 * 1024);
    oversized.writeInt32LE(64 * MB, 0);
    oversized.writeInt32LE(1, 4);
    oversized.writeInt32LE(2013, 12);
    for (const [i, c] of garbage.entries()) await c.write(i % 2 === 0 ? junk : oversized);

    const garbageClosed = await Promise.all(garbage.map((c) => c.waitClosed(20_000)));
    // Accepting 1,000 sockets takes the server a moment after the clients see them connected.
    const held = await pollUntil(
      async () => connections(await serverStatus(client)),
      (c) => c.current >= before.current + idle.length + halfFrame.length,
      10_000,
    );
    const heldMemory = await server.gc();
    // The ones still open must still be open (nobody was dropped for being slow).
    const stillOpen = [...idle, ...halfFrame].filter((c) => c.isOpen).length;
    // A raw client with a full request in the middle of the flood is answered too.
    const [good] = await openRawClients(server.host, server.port, 1);
    const goodReply = await good.request(opMsg({ ping: 1, $db: 'admin' }), undefined, 20_000);
    await destroyAll([good]);

    await destroyAll(flood);
    const result = await crud.stop();
    const after = await pollUntil(
      async () => connections(await serverStatus(client)),
      (c) => c.current <= before.current,
    );
    console.log(
      `flood: ${flood.length} raw connections; connections.current ${before.current} -> ${held.current} ` +
        `-> ${after.current}; ${result.ops} driver CRUD ops; memory after GC: baseline rss ` +
        `${mb(baseline.rss)} heap ${mb(baseline.heapUsed)}, flood held rss ${mb(heldMemory.rss)} heap ` +
        `${mb(heldMemory.heapUsed)} (${((heldMemory.heapUsed - baseline.heapUsed) / (idle.length + halfFrame.length) / 1024).toFixed(1)} KiB heap per open connection)`,
    );

    expect(exitOf()).toBeUndefined();
    expect(garbageClosed.every(Boolean)).toBe(true);
    expect(stillOpen).toBe(idle.length + halfFrame.length);
    expect(held.current).toBeGreaterThanOrEqual(before.current + idle.length + halfFrame.length);
    expect(okValue(goodReply.body)).toBe(1);
    expect(result.errors).toEqual([]);
    expect(result.ops).toBeGreaterThan(0);
    expect(after.current).toBeLessThanOrEqual(before.current);
    expect(heldMemory.rss).toBeLessThan(baseline.rss + MEMORY_BOUND);
    expect(await coll.countDocuments()).toBe(result.ops / 3 + 1);
  }, 120_000);

  it('reaps 1,000 abandoned cursors after cursorTimeoutMillis and returns to its memory baseline', async () => {
    const server = await children.start({ logLevel: 'silent', exposeGc: true, cursorTimeoutMillis: 10_000 });
    const exitOf = watchExit(server);
    const client = await children.client(server.uri);
    const coll = client.db('hostile').collection<{ _id: number; r: number; s: string }>('big');
    const DOCS = 10_000;
    for (let i = 0; i < DOCS; i += 1000) {
      await coll.insertMany(
        Array.from({ length: 1000 }, (_, k) => ({
          _id: i + k,
          r: ((i + k) * 7919) % DOCS,
          s: 'v'.repeat(200),
        })),
      );
    }
    const start = cursorMetrics(await serverStatus(client));
    const baseline = await server.gc();

    // 50 clients each open 20 cursors, read one document of each, then vanish without killCursors
    // or endSessions. Most are plain finds (lazy); 1 in 20 is sorted in memory on an unindexed
    // field (holds references to all matches), and 5 are aggregates whose whole $group result
    // (about 1.3 MB each) waits in the cursor: all must be released by the reaper.
    const CURSORS = 1000;
    const owners = await openRawClients(server.host, server.port, 50, 50);
    const ids: unknown[] = [];
    await Promise.all(
      owners.map(async (c, k) => {
        for (let j = 0; j < CURSORS / owners.length; j++) {
          const reply = await c.request(opMsg(abandonedCursorCommand(k, j)), undefined, 20_000);
          const cursor = reply.body.cursor as Document;
          if (okValue(reply.body) !== 1) throw new Error(`find failed: ${JSON.stringify(reply.body)}`);
          if (k === 0) ids.push(cursor.id);
        }
      }),
    );
    // One cursor that must outlive the reaper.
    const keeper = (await openRawClients(server.host, server.port, 1))[0];
    const kept = await keeper.request(
      opMsg({ find: 'big', batchSize: 1, noCursorTimeout: true, $db: 'hostile' }),
      undefined,
      20_000,
    );
    const keptId = (kept.body.cursor as Document).id;
    const peakMemory = await server.gc();
    const peak = cursorMetrics(await serverStatus(client));
    await destroyAll(owners);

    const reaped = await pollUntil(
      async () => cursorMetrics(await serverStatus(client)),
      (m) => m.timedOut - start.timedOut >= CURSORS,
      60_000,
      500,
    );
    const afterMemory = await server.gc();
    // A vanished client's cursor is gone for good; the noCursorTimeout one still answers.
    const lost = await keeper.request(
      opMsg({ getMore: ids[0], collection: 'big', batchSize: 1, $db: 'hostile' }),
      undefined,
      20_000,
    );
    const keptMore = await keeper.request(
      opMsg({ getMore: keptId, collection: 'big', batchSize: 1, $db: 'hostile' }),
      undefined,
      20_000,
    );
    const killed = await keeper.request(
      opMsg({ killCursors: 'big', cursors: [keptId], $db: 'hostile' }),
      undefined,
      20_000,
    );
    const end = cursorMetrics(await serverStatus(client));
    keeper.destroy();
    console.log(
      `cursors: ${reaped.opened - start.opened} opened, ${reaped.timedOut - start.timedOut} timed out, ` +
        `${peak.open} open at the peak, ${end.open} open at the end; memory after GC: baseline rss ${mb(baseline.rss)} heap ${mb(baseline.heapUsed)}, ` +
        `1,000 cursors open rss ${mb(peakMemory.rss)} heap ${mb(peakMemory.heapUsed)} ` +
        `(${((peakMemory.heapUsed - baseline.heapUsed) / CURSORS / 1024).toFixed(1)} KiB heap per cursor), ` +
        `after reaping rss ${mb(afterMemory.rss)} heap ${mb(afterMemory.heapUsed)}`,
    );

    expect(exitOf()).toBeUndefined();
    expect(reaped.opened - start.opened).toBe(CURSORS + 1);
    expect(reaped.timedOut - start.timedOut).toBe(CURSORS);
    expect(reaped.open).toBe(1);
    expect(reaped.noTimeout).toBe(1);
    expect({ ok: okValue(lost.body), code: num(lost.body.code), codeName: lost.body.codeName }).toEqual({
      ok: 0,
      code: 43,
      codeName: 'CursorNotFound',
    });
    expect(okValue(keptMore.body)).toBe(1);
    expect(((keptMore.body.cursor as Document).nextBatch as Document[]).length).toBe(1);
    expect(killed.body.cursorsKilled).toHaveLength(1);
    expect(end.open).toBe(0);
    expect(peakMemory.rss).toBeLessThan(baseline.rss + MEMORY_BOUND);
    expect(afterMemory.rss).toBeLessThan(baseline.rss + MEMORY_BOUND);
    // Reaping gives the cursors' memory back: at least half of what the open cursors held.
    const heldByCursors = peakMemory.heapUsed - baseline.heapUsed;
    expect(heldByCursors).toBeGreaterThan(0);
    expect(afterMemory.heapUsed - baseline.heapUsed).toBeLessThan(heldByCursors / 2);
  }, 120_000);

  it('closes connections over maxIncomingConnections at once while existing clients keep working', async () => {
    const LIMIT = 20;
    const server = await children.start({ logLevel: 'warn', maxIncomingConnections: LIMIT });
    const exitOf = watchExit(server);
    // One pooled connection and one monitoring connection (no RTT pinger) that exist before the
    // limit is reached: the driver needs no new connection while the server is full.
    const client = await children.client(server.uri, { maxPoolSize: 1, serverMonitoringMode: 'poll' });
    const coll = client.db('hostile').collection<{ _id: number; n: number }>('limit');
    await coll.insertOne({ _id: -1, n: -1 });
    const before = connections(await serverStatus(client));

    // Fill every free slot with a raw client that has been served (so it was accepted).
    const fillers = await openRawClients(server.host, server.port, LIMIT - before.current);
    for (const c of fillers)
      expect(okValue((await c.request(opMsg({ ping: 1, $db: 'admin' }))).body)).toBe(1);
    const full = connections(await serverStatus(client));

    const crud = startCrudLoop(coll, 0);
    const refused = await openRawClients(server.host, server.port, 10, 10);
    for (const c of refused) await c.write(opMsg({ ping: 1, $db: 'admin' }));
    const refusedClosed = await Promise.all(refused.map((c) => c.waitClosed(10_000)));
    const refusedReplies = refused.reduce((n, c) => n + c.pendingReplies, 0);
    const result = await crud.stop();
    const atLimit = connections(await serverStatus(client));

    // Freeing a slot lets a new client in again.
    await destroyAll(fillers.splice(0, 1));
    await pollUntil(
      async () => connections(await serverStatus(client)),
      (c) => c.current < LIMIT,
    );
    const [late] = await openRawClients(server.host, server.port, 1);
    const lateReply = await late.request(opMsg({ ping: 1, $db: 'admin' }), undefined, 10_000);
    await destroyAll([late, ...fillers]);
    // The burst log's summary line is written once no connection was refused for 2 s.
    const log = await pollUntil(
      () => Promise.resolve(server.stderrTail()),
      (text) => text.includes('refused connections over the limit'),
      10_000,
    );
    console.log(
      `limit ${LIMIT}: ${before.current} driver connections, full at ${full.current}, ` +
        `${atLimit.rejected} refused, ${result.ops} driver CRUD ops meanwhile`,
    );

    expect(exitOf()).toBeUndefined();
    expect(full).toMatchObject({ current: LIMIT, available: 0 });
    expect(refusedClosed.every(Boolean)).toBe(true);
    expect(refusedReplies).toBe(0);
    expect(atLimit.rejected).toBe(refused.length);
    expect(atLimit.current).toBe(LIMIT);
    expect(result.errors).toEqual([]);
    expect(result.ops).toBeGreaterThan(0);
    expect(okValue(lateReply.body)).toBe(1);
    expect(log.split('connection refused because too many open connections').length - 1).toBe(1);
    expect(log).toMatch(/"refused":10\b/);
  }, 120_000);
});
