import { UUID, type Document } from '../bson.js';
import { Catalog } from '../catalog/catalog.js';
import { CursorManager } from '../cursors/cursor-manager.js';
import { createLogger } from '../logger.js';
import { MemoryEngine } from '../storage/memory-engine.js';
import { keyString } from '../values/keystring.js';
import { ReleaseSignal } from './release-signal.js';
import { SessionCatalog } from './session-catalog.js';
import { SESSION_RECORDS_NS, writeSessionRecord } from './session-records.js';
import { serverLsid } from './lsid.js';
import { Transaction } from './transaction.js';

describe('session catalog', () => {
  let catalog: Catalog;
  let cursors: CursorManager;
  let release: ReleaseSignal;
  let sessions: SessionCatalog;
  let now = 1_000_000;
  beforeEach(async () => {
    catalog = await Catalog.open(new MemoryEngine(), {
      ttlMonitorSleepSecs: 0,
      logger: createLogger('silent'),
    });
    cursors = new CursorManager({ idleTimeoutMs: 60_000 });
    release = new ReleaseSignal(catalog);
    sessions = new SessionCatalog(
      { catalog, cursors, release, logger: createLogger('silent') },
      1000,
      () => now,
    );
  });
  afterEach(async () => {
    sessions.close();
    cursors.stop();
    await catalog.close();
  });

  function startTxn(id: UUID): Transaction {
    const s = sessions.touch(keyString(id), id);
    const snapshot = catalog.openSnapshot();
    const unit = catalog.beginWrite({ snapshot });
    unit.insert('db.c', { _id: 1 });
    const txn = Transaction.start(1, unit, snapshot, undefined, {
      onEnd: (t) => sessions.onTransactionEnd(t),
    });
    s.txn = txn;
    s.kind = 'transaction';
    s.activeTxnNumber = 1;
    return txn;
  }

  it('a session idle for longer than the timeout is ended, its transaction aborted', async () => {
    const id = new UUID();
    const txn = startTxn(id);
    now += 500;
    sessions.expireIdle();
    expect(sessions.size).toBe(1);
    now += 600;
    sessions.expireIdle();
    await new Promise((r) => setImmediate(r));
    expect(sessions.size).toBe(0);
    expect(txn.state).toBe('aborted');
    expect(catalog.getCollection('db', 'c')?.count() ?? 0).toBe(0);
  });

  it('restores a session from its durable record', async () => {
    const id = new UUID();
    const unit = catalog.beginWrite();
    writeSessionRecord(unit, serverLsid(id), { txnNumber: 9, committed: false, reply: { n: 1, ok: 1 } });
    await unit.commit();
    const s = sessions.touch(keyString(id), id);
    expect(s).toMatchObject({ activeTxnNumber: 9, kind: 'retryableWrite', retryReply: { n: 1, ok: 1 } });
  });

  it('forgets old records of sessions that are not live, and records of ended sessions', async () => {
    const old = new UUID();
    const live = new UUID();
    const unit = catalog.beginWrite();
    writeSessionRecord(unit, serverLsid(old), { txnNumber: 1, committed: true });
    writeSessionRecord(unit, serverLsid(live), { txnNumber: 1, committed: true });
    await unit.commit();
    const records = (): Document[] => [...(catalog.getCollectionByNs(SESSION_RECORDS_NS)?.scan({}) ?? [])];
    now = Date.now() + 10_000;
    sessions.touch(keyString(live), live);
    sessions.expireIdle();
    await new Promise((r) => setImmediate(r));
    expect(records().map((r) => (r._id as Document).id)).toEqual([live]);
    await sessions.end(keyString(live));
    await new Promise((r) => setImmediate(r));
    expect(records()).toEqual([]);
  });

  it('refuses a new session over maxSessions with TooManyLogicalSessions, and accepts one once a slot is free', async () => {
    const capped = new SessionCatalog(
      { catalog, cursors, release, logger: createLogger('silent') },
      1000,
      () => now,
      2,
    );
    try {
      const [a, b, c] = [new UUID(), new UUID(), new UUID()];
      capped.touch(keyString(a), a);
      capped.touch(keyString(b), b);
      expect(() => capped.touch(keyString(c), c)).toThrow(
        expect.objectContaining({ code: 261, codeName: 'TooManyLogicalSessions' }),
      );
      // Existing sessions keep working.
      expect(capped.touch(keyString(a), a).key).toBe(keyString(a));
      await capped.end(keyString(b));
      expect(capped.touch(keyString(c), c).key).toBe(keyString(c));
      expect(capped.size).toBe(2);
    } finally {
      capped.close();
    }
  });

  it('lists live sessions with the server form of their lsid', () => {
    const id = new UUID();
    sessions.touch(keyString(id), id);
    expect(sessions.listLocal()).toEqual([{ _id: serverLsid(id), lastUse: new Date(now) }]);
  });
});
