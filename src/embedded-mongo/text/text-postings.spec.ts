import type { Document } from '../bson.js';
import { Catalog, type Collection } from '../catalog/catalog.js';
import type { DocRecord } from '../catalog/mvcc.js';
import { createLogger } from '../logger.js';
import { MemoryEngine } from '../storage/memory-engine.js';

async function textCollection(): Promise<{ cat: Catalog; coll: Collection }> {
  const cat = await Catalog.open(new MemoryEngine(), {
    ttlMonitorSleepSecs: 0,
    logger: createLogger('silent'),
  });
  await cat.createIndexes('db', 'c', [{ key: { body: 'text' }, name: 'body_text' }]);
  return { cat, coll: cat.getCollection('db', 'c') as Collection };
}

async function write(cat: Catalog, f: (unit: ReturnType<Catalog['beginWrite']>) => void): Promise<void> {
  const unit = cat.beginWrite();
  f(unit);
  await unit.commit();
}

function ids(coll: Collection, terms: string[]): unknown[] {
  const postings = coll.getIndex('body_text')?.postings;
  if (!postings) throw new Error('no postings');
  const live = (rec: DocRecord): boolean => coll.records.get(rec.key) === rec;
  return postings.candidates(terms, live).map((rec) => rec.id);
}

describe('text index postings', () => {
  it('hold each record under its stemmed terms, in record order, and follow updates and deletes', async () => {
    const { cat, coll } = await textCollection();
    const postings = coll.getIndex('body_text')?.postings;
    await write(cat, (u) => {
      u.insert('db.c', { _id: 1, body: 'running shoes' });
      u.insert('db.c', { _id: 2, body: 'fresh coffee' });
      u.insert('db.c', { _id: 3, body: 'coffee runs' });
    });
    expect(ids(coll, ['run'])).toEqual([1, 3]);
    expect(ids(coll, ['coffe', 'shoe'])).toEqual([1, 2, 3]);
    await write(cat, (u) => {
      u.replace('db.c', 1, { _id: 1, body: 'tea' } as Document);
      u.delete('db.c', 2);
    });
    // Removed at the write (no snapshot keeps the old versions), not only when a lookup meets them.
    expect(postings?.postingCount('shoe')).toBe(0);
    expect(postings?.postingCount('coffe')).toBe(1);
    expect(ids(coll, ['run', 'tea'])).toEqual([1, 3]);
    expect(ids(coll, ['coffe'])).toEqual([3]);
    await cat.close();
  });

  it('keep the terms of a version an open snapshot still reads, and drop them once it closes', async () => {
    const { cat, coll } = await textCollection();
    const postings = coll.getIndex('body_text')?.postings;
    await write(cat, (u) => u.insert('db.c', { _id: 1, body: 'green tea' }));
    const snap = cat.openSnapshot();
    await write(cat, (u) => u.replace('db.c', 1, { _id: 1, body: 'black coffee' } as Document));
    expect(postings?.postingCount('green')).toBe(1);
    expect(postings?.postingCount('coffe')).toBe(1);
    snap.release();
    await new Promise((resolve) => setImmediate(resolve)); // the catalog prunes on the next turn
    expect(postings?.postingCount('green')).toBe(0);
    expect(ids(coll, ['coffe'])).toEqual([1]);
    await cat.close();
  });

  it('forget an insert that is rolled back', async () => {
    const { cat, coll } = await textCollection();
    const postings = coll.getIndex('body_text')?.postings;
    const unit = cat.beginWrite();
    unit.insert('db.c', { _id: 1, body: 'matcha' });
    expect(postings?.postingCount('matcha')).toBe(1);
    unit.abort();
    expect(postings?.postingCount('matcha')).toBe(0);
    await cat.close();
  });
});
