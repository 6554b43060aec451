/**
 * The idle cursor reaper: what it closes (idle longer than the timeout), what it leaves (busy
 * cursors, noCursorTimeout), and the counters serverStatus reports from it.
 */
import { bsonSize, Long, type Document } from '../bson.js';
import { MAX_BSON_INTERNAL_SIZE } from '../wire/constants.js';
import { CursorManager } from './cursor-manager.js';

function docs(n: number): Document[] {
  return Array.from({ length: n }, (_, i) => ({ _id: i }));
}

describe('cursor manager idle reaper', () => {
  let cursors: CursorManager;
  beforeEach(() => {
    // A reaper period far beyond the test: sweeps run only when called with a chosen clock.
    cursors = new CursorManager({ idleTimeoutMs: 1000, reapIntervalMs: 3_600_000 });
  });
  afterEach(() => cursors.stop());

  it('closes cursors idle longer than the timeout, counts them, and getMore then fails with 43', async () => {
    let closed = 0;
    const reply = await cursors.open(docs(10), { ns: 'db.c', onClose: () => closed++ }, 1);
    const id = reply.id as Long;
    expect(cursors.metrics()).toEqual({
      timedOut: 0,
      totalOpened: 1,
      open: { total: 1, noTimeout: 0, pinned: 0 },
    });

    expect(cursors.sweep(Date.now() + 500)).toBe(0);
    expect(cursors.sweep(Date.now() + 1500)).toBe(1);
    await Promise.resolve();
    expect(closed).toBe(1);
    expect(cursors.metrics()).toEqual({
      timedOut: 1,
      totalOpened: 1,
      open: { total: 0, noTimeout: 0, pinned: 0 },
    });
    await expect(cursors.getMore(id, 'db.c', 1, undefined)).rejects.toMatchObject({
      code: 43,
      codeName: 'CursorNotFound',
    });
  });

  it('leaves noCursorTimeout cursors alone until killCursors', async () => {
    const reply = await cursors.open(docs(10), { ns: 'db.c', noTimeout: true }, 1);
    expect(cursors.sweep(Date.now() + 60_000)).toBe(0);
    expect(cursors.metrics().open).toEqual({ total: 1, noTimeout: 1, pinned: 0 });
    const { killed } = await cursors.kill([reply.id as Long]);
    expect(killed).toHaveLength(1);
    expect(cursors.metrics()).toMatchObject({ timedOut: 0, open: { total: 0, noTimeout: 0 } });
  });

  it('does not reap a cursor while a getMore runs on it, and a getMore renews its idle time', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slow(): AsyncGenerator<Document> {
      yield { _id: 0 };
      await gate;
      yield { _id: 1 };
      yield { _id: 2 };
    }
    const reply = await cursors.open(slow(), { ns: 'db.c' }, 1);
    const pending = cursors.getMore(reply.id as Long, 'db.c', 1, undefined);
    expect(cursors.metrics().open.pinned).toBe(1);
    expect(cursors.sweep(Date.now() + 60_000)).toBe(0);
    release();
    const more = await pending;
    expect((more.nextBatch as Document[]).map((d) => d._id)).toEqual([1]);
    // Used just now: not idle yet at +500 ms, idle at +1.5 s.
    expect(cursors.sweep(Date.now() + 500)).toBe(0);
    expect(cursors.sweep(Date.now() + 1500)).toBe(1);
  });

  it('does not register cursors exhausted by their first batch', async () => {
    const reply = await cursors.open(docs(3), { ns: 'db.c' }, 10);
    expect(reply.id).toEqual(Long.ZERO);
    expect(cursors.metrics()).toEqual({
      timedOut: 0,
      totalOpened: 0,
      open: { total: 0, noTimeout: 0, pinned: 0 },
    });
  });

  it('over maxOpenCursors, closes the least recently used idle cursors first', async () => {
    const capped = new CursorManager({ idleTimeoutMs: 60_000, reapIntervalMs: 3_600_000, maxOpenCursors: 3 });
    try {
      const ids: Long[] = [];
      for (let i = 0; i < 3; i++) ids.push((await capped.open(docs(10), { ns: 'db.c' }, 1)).id as Long);
      // A getMore makes the first cursor the most recently used one.
      await capped.getMore(ids[0], 'db.c', 1, undefined);
      const fourth = (await capped.open(docs(10), { ns: 'db.c', noTimeout: true }, 1)).id as Long;
      expect(capped.metrics()).toMatchObject({
        timedOut: 1,
        totalOpened: 4,
        open: { total: 3, noTimeout: 1 },
      });
      await expect(capped.getMore(ids[1], 'db.c', 1, undefined)).rejects.toMatchObject({ code: 43 });
      for (const id of [ids[0], ids[2], fourth]) {
        expect(((await capped.getMore(id, 'db.c', 1, undefined)).nextBatch as Document[]).length).toBe(1);
      }
    } finally {
      capped.stop();
    }
  });
});

describe('cursor manager batch size', () => {
  it('opens with an empty first batch and a live cursor for batchSize 0, as mongod', async () => {
    const cursors = new CursorManager({ idleTimeoutMs: 1000, reapIntervalMs: 3_600_000 });
    try {
      const docs = Array.from({ length: 5 }, (_, i) => ({ _id: i }));
      const reply = await cursors.open(docs, { ns: 'db.c' }, 0);
      expect(reply.firstBatch).toEqual([]);
      expect(String(reply.id)).not.toBe('0');
      const more = await cursors.getMore(reply.id as Long, 'db.c', undefined, undefined);
      expect((more.nextBatch as Document[]).map((d) => d._id)).toEqual([0, 1, 2, 3, 4]);
      expect(String(more.id)).toBe('0');
    } finally {
      cursors.stop();
    }
  });

  it('caps a batch of many small documents so that the encoded reply stays within the wire limit', async () => {
    const cursors = new CursorManager({ idleTimeoutMs: 1000, reapIntervalMs: 3_600_000 });
    try {
      // ~1 KB documents: 17,000 of them are more than a batch may hold; the array's per-element
      // overhead (type byte, decimal index, NUL) is ~8 bytes each, far above the 16 KiB slack.
      const many = Array.from({ length: 17_000 }, (_, i) => ({ _id: i, pad: 'x'.repeat(1000) }));
      const reply = await cursors.open(many, { ns: 'db.c' }, many.length);
      const batch = reply.firstBatch as Document[];
      expect(batch.length).toBeGreaterThan(16_000);
      expect(batch.length).toBeLessThan(many.length);
      expect(bsonSize(reply)).toBeLessThanOrEqual(MAX_BSON_INTERNAL_SIZE);
    } finally {
      cursors.stop();
    }
  });
});
