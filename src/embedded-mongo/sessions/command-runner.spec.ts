/**
 * Sessions, transactions, retryable writes and fail points as a client sees them: command
 * documents in, replies out (dispatchCommand on a ServerState over an in-memory or on-disk
 * catalog; no network).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Long, Timestamp, UUID, type Document } from '../bson.js';
import { Catalog } from '../catalog/catalog.js';
import { dispatchCommand } from '../commands/dispatch.js';
import { createLogger } from '../logger.js';
import { ServerState, type ResolvedOptions } from '../server-state.js';
import { FileEngine } from '../storage/file-engine.js';
import { MemoryEngine } from '../storage/memory-engine.js';
import type { StorageEngine } from '../storage/engine.js';
import { CloseConnectionRequest } from '../wire/close-request.js';

const silent = createLogger('silent');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Harness {
  state: ServerState;
  run(body: Document): Promise<Document>;
  close(): Promise<void>;
}

async function serve(
  options: Partial<ResolvedOptions> = {},
  engine: StorageEngine = new MemoryEngine(),
): Promise<Harness> {
  const catalog = await Catalog.open(engine, { ttlMonitorSleepSecs: 0, logger: silent });
  catalog.clock.advanceTo(new Timestamp({ t: Math.floor(Date.now() / 1000), i: 0 }));
  const resolved = {
    port: 0,
    host: '127.0.0.1',
    replSetName: 'rs0',
    logLevel: 'silent',
    enableTestCommands: true,
    cursorTimeoutMillis: 60_000,
    transactionLifetimeLimitSeconds: 60,
    ttlMonitorSleepSecs: 0,
    ...options,
  } as ResolvedOptions;
  const state = new ServerState(resolved, catalog, silent);
  const connection = { id: 1, remote: 'spec', clientMetadata: { application: { name: 'spec-app' } } };
  return {
    state,
    run: (body) => dispatchCommand(state, connection, { ...body, $db: body.$db ?? 'db' }, false),
    close: async () => {
      state.close();
      state.cursors.stop();
      await catalog.close();
    },
  };
}

const session = (): Document => ({ id: new UUID() });
const txn = (lsid: Document, n: number, start = false): Document => ({
  lsid,
  txnNumber: Long.fromNumber(n),
  autocommit: false,
  ...(start ? { startTransaction: true } : {}),
});

async function ids(h: Harness, coll = 'c', fields: Document = {}): Promise<unknown[]> {
  const r = await h.run({ find: coll, sort: { _id: 1 }, ...fields });
  return ((r.cursor as Document).firstBatch as Document[]).map((d) => d._id);
}

describe('multi-document transactions', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await serve();
    await h.run({ insert: 'c', documents: [{ _id: 0 }] });
  });
  afterEach(() => h.close());

  it('writes are visible inside the transaction only, and to everyone after commit', async () => {
    const s = session();
    const first = await h.run({ insert: 'c', documents: [{ _id: 1 }], ...txn(s, 1, true) });
    expect(first).toMatchObject({ ok: 1 });
    expect(await ids(h, 'c', txn(s, 1))).toEqual([0, 1]);
    expect(await ids(h)).toEqual([0]);
    expect(await h.run({ commitTransaction: 1, $db: 'admin', ...txn(s, 1) })).toMatchObject({ ok: 1 });
    expect(await ids(h)).toEqual([0, 1]);
  });

  it('reads one snapshot: a write committed after the start is not seen', async () => {
    const s = session();
    await h.run({ find: 'c', ...txn(s, 1, true) });
    await h.run({ insert: 'c', documents: [{ _id: 2 }] });
    expect(await ids(h, 'c', txn(s, 1))).toEqual([0]);
  });

  it('abort rolls everything back; a later command gets NoSuchTransaction (TransientTransactionError)', async () => {
    const s = session();
    await h.run({ insert: 'c', documents: [{ _id: 1 }], ...txn(s, 1, true) });
    expect(await h.run({ abortTransaction: 1, $db: 'admin', ...txn(s, 1) })).toMatchObject({ ok: 1 });
    expect(await ids(h)).toEqual([0]);
    expect(await h.run({ find: 'c', ...txn(s, 1) })).toMatchObject({
      ok: 0,
      code: 251,
      errorLabels: ['TransientTransactionError'],
    });
    expect(await h.run({ commitTransaction: 1, $db: 'admin', ...txn(s, 1) })).toMatchObject({
      code: 251,
      errorLabels: ['TransientTransactionError'],
    });
  });

  it('a retried commit succeeds again; abort after commit is TransactionCommitted (256)', async () => {
    const s = session();
    await h.run({ insert: 'c', documents: [{ _id: 1 }], ...txn(s, 1, true) });
    await h.run({ commitTransaction: 1, $db: 'admin', ...txn(s, 1) });
    expect(await h.run({ commitTransaction: 1, $db: 'admin', ...txn(s, 1) })).toMatchObject({ ok: 1 });
    expect(await h.run({ abortTransaction: 1, $db: 'admin', ...txn(s, 1) })).toMatchObject({ code: 256 });
  });

  it('transaction numbers: unknown -> NoSuchTransaction, older -> TransactionTooOld, same start -> 117', async () => {
    const s = session();
    await h.run({ find: 'c', ...txn(s, 5, true) });
    expect(await h.run({ find: 'c', ...txn(s, 6) })).toMatchObject({ code: 251 });
    expect(await h.run({ find: 'c', ...txn(s, 4, true) })).toMatchObject({ code: 225 });
    expect(await h.run({ find: 'c', ...txn(s, 5, true) })).toMatchObject({ code: 117 });
  });

  it('a newer transaction number aborts the open transaction', async () => {
    const s = session();
    await h.run({ insert: 'c', documents: [{ _id: 1 }], ...txn(s, 1, true) });
    await h.run({ find: 'c', ...txn(s, 2, true) });
    expect(await h.run({ commitTransaction: 1, $db: 'admin', ...txn(s, 1) })).toMatchObject({ code: 225 });
    expect(await ids(h)).toEqual([0]);
  });

  it('a write conflict between transactions fails the second writer and aborts its transaction', async () => {
    const a = session();
    const b = session();
    await h.run({ update: 'c', updates: [{ q: { _id: 0 }, u: { $set: { by: 'a' } } }], ...txn(a, 1, true) });
    const conflict = await h.run({
      update: 'c',
      updates: [{ q: { _id: 0 }, u: { $set: { by: 'b' } } }],
      ...txn(b, 1, true),
    });
    expect(conflict).toMatchObject({
      ok: 0,
      code: 112,
      codeName: 'WriteConflict',
      errorLabels: ['TransientTransactionError'],
    });
    expect(await h.run({ commitTransaction: 1, $db: 'admin', ...txn(b, 1) })).toMatchObject({ code: 251 });
    expect(await h.run({ commitTransaction: 1, $db: 'admin', ...txn(a, 1) })).toMatchObject({ ok: 1 });
  });

  it('first committer wins against a plain write committed after the snapshot', async () => {
    const s = session();
    await h.run({ find: 'c', ...txn(s, 1, true) });
    await h.run({ update: 'c', updates: [{ q: { _id: 0 }, u: { $set: { plain: true } } }] });
    const r = await h.run({ update: 'c', updates: [{ q: { _id: 0 }, u: { $set: { t: 1 } } }], ...txn(s, 1) });
    expect(r).toMatchObject({ code: 112, errorLabels: ['TransientTransactionError'] });
  });

  it('a plain write on a document the transaction holds waits for the commit instead of failing', async () => {
    const s = session();
    await h.run({ update: 'c', updates: [{ q: { _id: 0 }, u: { $set: { n: 1 } } }], ...txn(s, 1, true) });
    const plain = h.run({ update: 'c', updates: [{ q: { _id: 0 }, u: { $inc: { n: 10 } } }] });
    await new Promise((r) => setTimeout(r, 30));
    await h.run({ commitTransaction: 1, $db: 'admin', ...txn(s, 1) });
    expect(await plain).toMatchObject({ ok: 1, n: 1, nModified: 1 });
    const doc = ((await h.run({ find: 'c', filter: { _id: 0 } })).cursor as Document)
      .firstBatch as Document[];
    expect(doc[0].n).toBe(11);
  });

  it('a write error aborts the transaction (reported as writeErrors, not labelled transient)', async () => {
    const s = session();
    const r = await h.run({ insert: 'c', documents: [{ _id: 0 }], ...txn(s, 1, true) });
    expect(r).toMatchObject({ ok: 1, writeErrors: [expect.objectContaining({ code: 11000 })] });
    expect(r.errorLabels).toBeUndefined();
    expect(await h.run({ commitTransaction: 1, $db: 'admin', ...txn(s, 1) })).toMatchObject({ code: 251 });
  });

  it('refuses what a transaction cannot do', async () => {
    const s = session();
    expect(await h.run({ count: 'c', ...txn(s, 1, true) })).toMatchObject({ code: 263 });
    await h.run({ find: 'c', ...txn(s, 2, true) });
    expect(await h.run({ insert: 'c', documents: [{}], writeConcern: { w: 1 }, ...txn(s, 2) })).toMatchObject(
      {
        code: 72,
      },
    );
    const s2 = session();
    await h.run({ find: 'c', ...txn(s2, 1, true) });
    expect(await h.run({ find: 'c', readConcern: { level: 'local' }, ...txn(s2, 1) })).toMatchObject({
      code: 72,
    });
    const s3 = session();
    expect(
      await h.run({ createIndexes: 'c', indexes: [{ key: { x: 1 }, name: 'x_1' }], ...txn(s3, 1, true) }),
    ).toMatchObject({
      code: 263,
    });
    expect(
      await h.run({ find: 'c', readConcern: { level: 'available' }, ...txn(session(), 1, true) }),
    ).toMatchObject({
      code: 72,
    });
  });

  it('the lifetime limit aborts an abandoned transaction', async () => {
    await h.close();
    h = await serve({ transactionLifetimeLimitSeconds: 0.05 });
    const s = session();
    await h.run({ insert: 'c', documents: [{ _id: 1 }], ...txn(s, 1, true) });
    await new Promise((r) => setTimeout(r, 120));
    expect(await h.run({ commitTransaction: 1, $db: 'admin', ...txn(s, 1) })).toMatchObject({ code: 251 });
    expect(await ids(h)).toEqual([]);
  });

  it('endSessions aborts the session’s transaction', async () => {
    const s = session();
    await h.run({ insert: 'c', documents: [{ _id: 1 }], ...txn(s, 1, true) });
    await h.run({ endSessions: [s], $db: 'admin' });
    // the document is free again: a plain write does not wait
    expect(await h.run({ insert: 'c', documents: [{ _id: 1 }] })).toMatchObject({ ok: 1, n: 1 });
  });

  it('cursors opened in a transaction are closed when it ends', async () => {
    await h.run({ insert: 'c', documents: [{ _id: 1 }, { _id: 2 }] });
    const s = session();
    const r = await h.run({ find: 'c', batchSize: 1, ...txn(s, 1, true) });
    const id = (r.cursor as Document).id as Long;
    expect(id.isZero()).toBe(false);
    await h.run({ commitTransaction: 1, $db: 'admin', ...txn(s, 1) });
    expect(await h.run({ getMore: id, collection: 'c' })).toMatchObject({ code: 43 });
  });
});

describe('retryable writes', () => {
  it('a retry with the same txnNumber returns the first reply and applies nothing again', async () => {
    const h = await serve();
    const s = session();
    const body = { update: 'c', updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } }, upsert: true }], lsid: s };
    const first = await h.run({ ...body, txnNumber: Long.fromNumber(1) });
    const again = await h.run({ ...body, txnNumber: Long.fromNumber(1) });
    expect(again).toMatchObject({ ok: 1, n: first.n, upserted: first.upserted });
    const docs = ((await h.run({ find: 'c' })).cursor as Document).firstBatch as Document[];
    expect(docs).toEqual([{ _id: 1, n: 1 }]);
    expect(await h.run({ ...body, txnNumber: Long.fromNumber(0) })).toMatchObject({ code: 225 });
    expect(await h.run({ find: 'c', lsid: s, txnNumber: Long.fromNumber(5) })).toMatchObject({ code: 50768 });
    await h.close();
  });

  it('is still recognised after a restart (the reply is stored with the write)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'emb-sessions-'));
    dirs.push(dir);
    const s = session();
    const body = {
      insert: 'c',
      documents: [{ _id: 7 }],
      lsid: s,
      txnNumber: Long.fromNumber(3),
      writeConcern: { j: true },
    };
    const h1 = await serve({}, new FileEngine(dir, { logger: silent }));
    expect(await h1.run(body)).toMatchObject({ ok: 1, n: 1 });
    await h1.close();
    const h2 = await serve({}, new FileEngine(dir, { logger: silent }));
    const retry = await h2.run(body);
    expect(retry.ok).toBe(1);
    expect(Number(retry.n)).toBe(1);
    expect(retry.writeErrors).toBeUndefined();
    await h2.close();
  });

  it('a committed transaction is still committed after a restart (commit retry succeeds)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'emb-sessions-'));
    dirs.push(dir);
    const s = session();
    const h1 = await serve({}, new FileEngine(dir, { logger: silent }));
    await h1.run({ insert: 'c', documents: [{ _id: 1 }], ...txn(s, 2, true) });
    await h1.run({ commitTransaction: 1, $db: 'admin', ...txn(s, 2) });
    await h1.close();
    const h2 = await serve({}, new FileEngine(dir, { logger: silent }));
    expect(await h2.run({ commitTransaction: 1, $db: 'admin', ...txn(s, 2) })).toMatchObject({ ok: 1 });
    await h2.close();
  });
});

describe('snapshot reads and causal consistency', () => {
  it('replies atClusterTime and reads that point again later', async () => {
    const h = await serve();
    await h.run({ insert: 'c', documents: [{ _id: 1 }] });
    const first = await h.run({ find: 'c', readConcern: { level: 'snapshot' } });
    const at = (first.cursor as Document).atClusterTime;
    expect(at).toBeDefined();
    await h.run({ insert: 'c', documents: [{ _id: 2 }] });
    expect(await ids(h, 'c', { readConcern: { level: 'snapshot', atClusterTime: at } })).toEqual([1]);
    const distinct = await h.run({
      distinct: 'c',
      key: '_id',
      readConcern: { level: 'snapshot', atClusterTime: at },
    });
    expect(distinct).toMatchObject({ values: [1], atClusterTime: at });
    expect(await h.run({ insert: 'c', documents: [{}], readConcern: { level: 'snapshot' } })).toMatchObject({
      code: 72,
    });
    await h.close();
  });

  it('a transaction can start at a kept point in time', async () => {
    const h = await serve();
    await h.run({ insert: 'c', documents: [{ _id: 1 }] });
    const at = ((await h.run({ find: 'c', readConcern: { level: 'snapshot' } })).cursor as Document)
      .atClusterTime;
    await h.run({ insert: 'c', documents: [{ _id: 2 }] });
    const s = session();
    const r = await h.run({
      find: 'c',
      readConcern: { level: 'snapshot', atClusterTime: at },
      ...txn(s, 1, true),
    });
    expect(((r.cursor as Document).firstBatch as Document[]).map((d) => d._id)).toEqual([1]);
    await h.run({ abortTransaction: 1, $db: 'admin', ...txn(s, 1) });
    // the kept snapshot is still there for other readers
    expect(await ids(h, 'c', { readConcern: { level: 'snapshot', atClusterTime: at } })).toEqual([1]);
    await h.close();
  });

  it('accepts afterClusterTime and gossiped cluster times', async () => {
    const h = await serve();
    const r = await h.run({ ping: 1 });
    expect(await h.run({ find: 'c', readConcern: { afterClusterTime: r.operationTime } })).toMatchObject({
      ok: 1,
    });
    await h.close();
  });
});

describe('sessions', () => {
  it('$listLocalSessions lists live sessions; endSessions removes them', async () => {
    const h = await serve();
    const s = session();
    await h.run({ ping: 1, lsid: s });
    const r = await h.run({ aggregate: 1, pipeline: [{ $listLocalSessions: {} }], cursor: {}, lsid: s });
    const sessions = (r.cursor as Document).firstBatch as Document[];
    expect(sessions).toEqual([{ _id: { id: s.id, uid: expect.anything() }, lastUse: expect.any(Date) }]);
    await h.run({ endSessions: [s], $db: 'admin' });
    expect(h.state.sessions.size).toBe(0);
    await h.close();
  });
});

describe('fail points', () => {
  it('configureFailPoint exists only with enableTestCommands', async () => {
    const h = await serve({ enableTestCommands: false });
    const r = await h.run({ configureFailPoint: 'failCommand', mode: 'alwaysOn', $db: 'admin' });
    expect(r).toMatchObject({ ok: 0, code: 59 });
    await h.close();
  });

  it('failCommand fails the next command with the code and computed labels', async () => {
    const h = await serve();
    const set = await h.run({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: ['insert'], errorCode: 10107 },
      $db: 'admin',
    });
    expect(set).toMatchObject({ ok: 1, count: 0 });
    const r = await h.run({ insert: 'c', documents: [{}], lsid: session(), txnNumber: Long.fromNumber(1) });
    expect(r).toMatchObject({
      ok: 0,
      code: 10107,
      errorLabels: ['RetryableWriteError', 'NoWritesPerformed'],
    });
    expect(await h.run({ insert: 'c', documents: [{}] })).toMatchObject({ ok: 1 });
    expect(await h.run({ configureFailPoint: 'failCommand', mode: 'off', $db: 'admin' })).toMatchObject({
      count: 1,
    });
    await h.close();
  });

  it('closeConnection and onPrimaryTransactionalWrite close the connection without a reply', async () => {
    const h = await serve();
    await h.run({
      configureFailPoint: 'onPrimaryTransactionalWrite',
      mode: { times: 1 },
      data: { closeConnection: true },
      $db: 'admin',
    });
    const s = session();
    const body = {
      update: 'c',
      updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } }, upsert: true }],
      lsid: s,
      txnNumber: Long.fromNumber(1),
    };
    await expect(h.run(body)).rejects.toBeInstanceOf(CloseConnectionRequest);
    // the write committed: the retry is recognised and not applied again
    expect(await h.run(body)).toMatchObject({ ok: 1, n: 1 });
    const docs = ((await h.run({ find: 'c' })).cursor as Document).firstBatch as Document[];
    expect(docs).toEqual([{ _id: 1, n: 1 }]);
    await h.close();
  });

  it('onPrimaryTransactionalWrite failBeforeCommitExceptionCode leaves no trace of the write', async () => {
    const h = await serve();
    await h.run({
      configureFailPoint: 'onPrimaryTransactionalWrite',
      mode: { times: 1 },
      data: { closeConnection: false, failBeforeCommitExceptionCode: 91 },
      $db: 'admin',
    });
    const body = { insert: 'c', documents: [{ _id: 1 }], lsid: session(), txnNumber: Long.fromNumber(1) };
    expect(await h.run(body)).toMatchObject({ ok: 0, code: 91, errorLabels: ['RetryableWriteError'] });
    expect(await ids(h)).toEqual([]);
    expect(await h.run(body)).toMatchObject({ ok: 1, n: 1 });
    await h.close();
  });

  it('a failCommand writeConcernError is attached to the reply with its labels', async () => {
    const h = await serve();
    await h.run({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: ['insert'], writeConcernError: { code: 91, errmsg: 'shutting down' } },
      $db: 'admin',
    });
    const r = await h.run({ insert: 'c', documents: [{}], lsid: session(), txnNumber: Long.fromNumber(1) });
    expect(r).toMatchObject({
      ok: 1,
      n: 1,
      writeConcernError: { code: 91 },
      errorLabels: ['RetryableWriteError'],
    });
    await h.close();
  });
});
