import type { Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { createLogger } from '../logger.js';
import { MemoryEngine } from '../storage/memory-engine.js';
import { Catalog, type Collection } from './catalog.js';
import { compareTimestamps } from './clock.js';

async function setup(): Promise<{ cat: Catalog; coll: Collection }> {
  const cat = await Catalog.open(new MemoryEngine(), {
    ttlMonitorSleepSecs: 0,
    logger: createLogger('silent'),
  });
  await cat.createIndexes('db', 'c', [
    { key: { k: 1 }, name: 'k_1' },
    { key: { u: 1 }, name: 'u_1', unique: true, sparse: true },
  ]);
  const unit = cat.beginWrite();
  for (let i = 0; i < 5; i++) unit.insert('db.c', { _id: i, k: i, v: 'v0' });
  await unit.commit();
  return { cat, coll: cat.getCollection('db', 'c') as Collection };
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof MongoCommandError) return e.code;
    throw e;
  }
  return undefined;
}

async function write(cat: Catalog, f: (u: ReturnType<Catalog['beginWrite']>) => void): Promise<void> {
  const u = cat.beginWrite();
  f(u);
  await u.commit();
}

const ids = (docs: Document[]): unknown[] => docs.map((d) => d._id);

describe('snapshot reads', () => {
  it('see the state as of the snapshot for findById, scans (collection and index) and count', async () => {
    const { cat, coll } = await setup();
    const snap = cat.openSnapshot();
    await write(cat, (u) => {
      u.replace('db.c', 1, { _id: 1, k: 100, v: 'v1' });
      u.delete('db.c', 2);
      u.insert('db.c', { _id: 9, k: 1 });
    });
    // Latest view.
    expect(coll.findById(1)).toEqual({ _id: 1, k: 100, v: 'v1' });
    expect(coll.findById(2)).toBeNull();
    expect(coll.count()).toBe(5);
    expect(ids(coll.scan({ k: 1 }).take())).toEqual([9]);
    // Snapshot view: same queries, old answers, through the same (now partly stale) index.
    expect(coll.findById(1, { snapshot: snap })).toEqual({ _id: 1, k: 1, v: 'v0' });
    expect(coll.findById(2, { snapshot: snap })).toEqual({ _id: 2, k: 2, v: 'v0' });
    expect(coll.findById(9, { snapshot: snap })).toBeNull();
    expect(coll.count({ snapshot: snap })).toBe(5);
    const viaIndex = coll.scan({ k: { $gte: 0 } }, { snapshot: snap, sort: { k: 1 } });
    expect(viaIndex.indexName).toBe('k_1');
    expect(ids(viaIndex.take())).toEqual([0, 1, 2, 3, 4]);
    expect(ids(coll.scan({ k: 100 }, { snapshot: snap }).take())).toEqual([]);
    expect(ids(coll.scan({}, { snapshot: snap }).take())).toEqual([0, 1, 2, 3, 4]);
    // Sorted by index in the latest view: the updated document moved to the end.
    expect(ids(coll.scan({ k: { $gte: 0 } }, { sort: { k: 1 } }).take())).toEqual([0, 9, 3, 4, 1]);
    snap.release();
    await cat.close();
  });

  it('never shows uncommitted writes to other readers, and shows them to their own unit', async () => {
    const { cat, coll } = await setup();
    const unit = cat.beginWrite();
    unit.replace('db.c', 0, { _id: 0, k: 0, v: 'pending' });
    unit.insert('db.c', { _id: 7, k: 7 });
    expect(coll.findById(0)).toEqual({ _id: 0, k: 0, v: 'v0' });
    expect(coll.findById(7)).toBeNull();
    expect(ids(coll.scan({ k: 7 }).take())).toEqual([]);
    expect(coll.count()).toBe(5);
    expect(unit.findById('db.c', 0)).toEqual({ _id: 0, k: 0, v: 'pending' });
    expect(ids(coll.scan({ k: 7 }, { unit }).take())).toEqual([7]);
    expect(coll.count({ unit })).toBe(6);
    await unit.commit();
    expect(coll.findById(7)).toEqual({ _id: 7, k: 7 });
    await cat.close();
  });

  it('abort leaves no trace: documents, index entries and counters', async () => {
    const { cat, coll } = await setup();
    const keysBefore = coll.getIndex('k_1')?.entries.size;
    const unit = cat.beginWrite();
    unit.replace('db.c', 0, { _id: 0, k: 50 });
    unit.delete('db.c', 1);
    unit.insert('db.c', { _id: 8, k: 8, u: 'x' });
    unit.abort();
    expect(coll.findById(0)).toEqual({ _id: 0, k: 0, v: 'v0' });
    expect(coll.findById(1)).not.toBeNull();
    expect(coll.findById(8)).toBeNull();
    expect(coll.getIndex('k_1')?.entries.size).toBe(keysBefore);
    expect(coll.records.size).toBe(5);
    // The freed unique key is available again.
    await write(cat, (u) => u.insert('db.c', { _id: 8, u: 'x' }));
    await cat.close();
  });
});

describe('write conflicts', () => {
  it('a second writer of a document held by an open unit gets WriteConflict (112)', async () => {
    const { cat } = await setup();
    const a = cat.beginWrite();
    const b = cat.beginWrite();
    a.replace('db.c', 0, { _id: 0, k: 0, by: 'a' });
    expect(codeOf(() => b.replace('db.c', 0, { _id: 0, by: 'b' }))).toBe(112);
    expect(codeOf(() => b.delete('db.c', 0))).toBe(112);
    // Unique keys held by an uncommitted insert conflict too.
    a.insert('db.c', { _id: 20, u: 'same' });
    expect(codeOf(() => b.insert('db.c', { _id: 21, u: 'same' }))).toBe(112);
    await a.commit();
    b.replace('db.c', 0, { _id: 0, by: 'b' });
    await b.commit();
    await cat.close();
  });

  it('a unit on a snapshot conflicts with commits after its snapshot (first committer wins)', async () => {
    const { cat, coll } = await setup();
    const snap = cat.openSnapshot();
    const txn = cat.beginWrite({ snapshot: snap });
    expect(cat.latestWriteTs('db.c', 3)).not.toBeNull();
    const before = cat.latestWriteTs('db.c', 3);
    await write(cat, (u) => u.replace('db.c', 3, { _id: 3, k: 3, v: 'other' }));
    const after = cat.latestWriteTs('db.c', 3);
    expect(compareTimestamps(after ?? snap.ts, snap.ts)).toBe(1);
    expect(compareTimestamps(before ?? snap.ts, snap.ts)).toBeLessThanOrEqual(0);
    // The transaction still reads its snapshot...
    expect(txn.findById('db.c', 3)).toEqual({ _id: 3, k: 3, v: 'v0' });
    // ...and cannot overwrite the newer commit.
    expect(codeOf(() => txn.replace('db.c', 3, { _id: 3, v: 'txn' }))).toBe(112);
    // Untouched documents are fine.
    txn.replace('db.c', 4, { _id: 4, v: 'txn' });
    await txn.commit();
    snap.release();
    expect(coll.findById(4)).toEqual({ _id: 4, v: 'txn' });
    await cat.close();
  });
});

describe('version pruning', () => {
  it('keeps old versions only while a snapshot can see them', async () => {
    const { cat, coll } = await setup();
    await write(cat, (u) => u.replace('db.c', 0, { _id: 0, k: 10 }));
    expect(coll.history.size).toBe(0);
    const keys = (): number | undefined => coll.getIndex('k_1')?.entries.size;
    expect(keys()).toBe(5);

    const snap = cat.openSnapshot();
    await write(cat, (u) => {
      u.replace('db.c', 0, { _id: 0, k: 11 });
      u.delete('db.c', 1);
    });
    await write(cat, (u) => u.replace('db.c', 0, { _id: 0, k: 12 }));
    expect(coll.history.size).toBe(2);
    // k=10 (needed by snap), k=12 (latest); k=11 was never visible to anyone open: pruned.
    expect(
      [...(coll.getIndex('k_1')?.entries ?? [])].filter((e) => e.rec.id === 0).map((e) => e.key[0]),
    ).toEqual([10, 12]);
    expect(coll.findById(1, { snapshot: snap })).not.toBeNull();

    snap.release();
    await new Promise((r) => setImmediate(r));
    expect(coll.history.size).toBe(0);
    expect(coll.records.has('n1')).toBe(false);
    expect(keys()).toBe(4);
    expect(cat.openSnapshotCount).toBe(0);
    await cat.close();
  });

  it('refuses reads through a released snapshot', async () => {
    const { cat, coll } = await setup();
    const snap = cat.openSnapshot();
    snap.release();
    expect(() => coll.findById(0, { snapshot: snap })).toThrow(/released snapshot/);
    await cat.close();
  });
});
