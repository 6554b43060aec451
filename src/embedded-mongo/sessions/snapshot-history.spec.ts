import type { Catalog } from '../catalog/catalog.js';
import { Catalog as CatalogClass } from '../catalog/catalog.js';
import { createLogger } from '../logger.js';
import { MemoryEngine } from '../storage/memory-engine.js';
import { SnapshotHistory } from './snapshot-history.js';

async function insert(cat: Catalog, id: number): Promise<void> {
  const unit = cat.beginWrite();
  unit.insert('db.c', { _id: id });
  await unit.commit();
}

function idsAt(cat: Catalog, history: SnapshotHistory, ts = history.latest().ts): unknown[] {
  const snapshot = history.at(ts);
  return [...(cat.getCollection('db', 'c')?.scan({}, { snapshot }) ?? [])].map((d) => d._id);
}

describe('snapshot history (atClusterTime reads)', () => {
  let cat: Catalog;
  let now = 0;
  beforeEach(async () => {
    cat = await CatalogClass.open(new MemoryEngine(), {
      ttlMonitorSleepSecs: 0,
      logger: createLogger('silent'),
    });
    now = 0;
  });
  afterEach(async () => {
    await cat.close();
  });

  it('a time handed out can be read again after later commits', async () => {
    const history = new SnapshotHistory(cat, 1000, 8, () => now);
    await insert(cat, 1);
    const t1 = history.latest().ts;
    await insert(cat, 2);
    expect(idsAt(cat, history, t1)).toEqual([1]);
    expect(idsAt(cat, history)).toEqual([1, 2]);
    history.close();
  });

  it('reuses the newest snapshot while nothing was committed', async () => {
    const history = new SnapshotHistory(cat, 1000, 8, () => now);
    await insert(cat, 1);
    expect(history.latest()).toBe(history.latest());
    expect(history.size).toBe(1);
    history.close();
  });

  it('a time no longer kept is SnapshotTooOld (239)', async () => {
    const history = new SnapshotHistory(cat, 1000, 8, () => now);
    await insert(cat, 1);
    const t1 = history.latest().ts;
    await insert(cat, 2);
    now = 5000;
    history.latest();
    expect(() => history.at(t1)).toThrow(expect.objectContaining({ code: 239 }));
    history.close();
  });

  it('releases what it keeps (old versions can then be pruned)', async () => {
    const history = new SnapshotHistory(cat, 1000, 2, () => now);
    for (let i = 0; i < 5; i++) {
      await insert(cat, i);
      history.latest();
    }
    expect(history.size).toBe(2);
    expect(cat.openSnapshotCount).toBe(2);
    history.close();
    expect(cat.openSnapshotCount).toBe(0);
  });
});
