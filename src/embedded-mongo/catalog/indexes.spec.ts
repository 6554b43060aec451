import { Double, Int32, Long, type Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { createLogger } from '../logger.js';
import { MemoryEngine } from '../storage/memory-engine.js';
import { Catalog } from './catalog.js';

async function setup(): Promise<Catalog> {
  return Catalog.open(new MemoryEngine(), { ttlMonitorSleepSecs: 0, logger: createLogger('silent') });
}

function errorOf(fn: () => unknown): MongoCommandError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MongoCommandError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

async function insertAll(cat: Catalog, ns: string, docs: Document[]): Promise<void> {
  const unit = cat.beginWrite();
  for (const d of docs) unit.insert(ns, d);
  await unit.commit();
}

describe('createIndexes', () => {
  it('names indexes like mongod and lists them in listIndexes shape', async () => {
    const cat = await setup();
    const r = await cat.createIndexes('a', 'c', [
      { key: { a: 1, b: -1 } },
      { key: { s: 1 }, name: 's_sparse', sparse: true, unique: true },
      { key: { p: 1 }, name: 'p_partial', partialFilterExpression: { p: { $exists: true } } },
      { key: { at: 1 }, name: 'ttl', expireAfterSeconds: 3600 },
      { key: { title: 'text', body: 'text' }, weights: { title: 5 } },
    ]);
    expect(r).toEqual({ numIndexesBefore: 1, numIndexesAfter: 6, createdCollectionAutomatically: true });
    expect(cat.listIndexes('a', 'c')).toEqual([
      { v: 2, key: { _id: 1 }, name: '_id_' },
      { v: 2, key: { a: 1, b: -1 }, name: 'a_1_b_-1' },
      { v: 2, key: { s: 1 }, name: 's_sparse', unique: true, sparse: true },
      { v: 2, key: { p: 1 }, name: 'p_partial', partialFilterExpression: { p: { $exists: true } } },
      { v: 2, key: { at: 1 }, name: 'ttl', expireAfterSeconds: 3600 },
      {
        v: 2,
        key: { _fts: 'text', _ftsx: 1 },
        name: 'title_text_body_text',
        weights: { body: 1, title: 5 },
        default_language: 'english',
        language_override: 'language',
        textIndexVersion: 3,
      },
    ]);
    await cat.close();
  });

  it('treats an identical re-create as a no-op and conflicts like mongod otherwise', async () => {
    const cat = await setup();
    await cat.createIndexes('a', 'c', [{ key: { a: 1 }, name: 'a_1', unique: true }]);
    const again = await cat.createIndexes('a', 'c', [
      { key: { a: new Double(1) }, name: 'a_1', unique: true },
    ]);
    expect(again).toMatchObject({
      numIndexesBefore: 2,
      numIndexesAfter: 2,
      note: 'all indexes already exist',
    });
    expect(errorOf(() => cat.createIndexes('a', 'c', [{ key: { b: 1 }, name: 'a_1' }])).code).toBe(86);
    expect(errorOf(() => cat.createIndexes('a', 'c', [{ key: { a: 1 }, name: 'a_1' }])).code).toBe(85);
    expect(
      errorOf(() => cat.createIndexes('a', 'c', [{ key: { a: 1 }, name: 'other', unique: true }])).code,
    ).toBe(85);
    // A different partial filter makes it a different index.
    await cat.createIndexes('a', 'c', [
      { key: { a: 1 }, name: 'a_partial', partialFilterExpression: { a: { $gt: 5 } } },
    ]);
    await cat.createIndexes('a', 'c', [{ key: { t: 'text' } }]);
    expect(errorOf(() => cat.createIndexes('a', 'c', [{ key: { u: 'text' } }])).code).toBe(85);
    await cat.close();
  });

  it('rejects unsupported and malformed specs with clear errors', async () => {
    const cat = await setup();
    const bad: [Document, number, RegExp?][] = [
      [{ key: { g: '2dsphere' } }, 67, /not supported/],
      [{ key: { h: 'hashed' } }, 67, /not supported/],
      [{ key: { '$**': 1 } }, 67, /wildcard/],
      [{ key: { a: 'bogus' } }, 67, /Unknown index plugin/],
      [{ key: { a: 0 } }, 67],
      [{ key: {} }, 67],
      [{ key: { a: 1 }, collation: { locale: 'fr' } }, 67, /simple/],
      [{ key: { a: 1 }, sparse: true, partialFilterExpression: { a: 1 } }, 67],
      [{ key: { a: 1, b: 1 }, expireAfterSeconds: 5 }, 67],
      [{ key: { a: 1 }, colour: 'red' }, 197],
      [{ key: { _id: 1 }, name: '_id_', unique: true }, 197],
    ];
    for (const [spec, code, msg] of bad) {
      const e = errorOf(() => cat.createIndexes('a', 'c', [spec]));
      expect([JSON.stringify(spec), e.code]).toEqual([JSON.stringify(spec), code]);
      if (msg) expect(e.message).toMatch(msg);
    }
    await cat.createIndexes('a', 'c', [{ key: { a: 1 }, collation: { locale: 'simple' } }]);
    expect(cat.getCollection('a', 'c')?.indexes.size).toBe(2);
    await cat.close();
  });

  it('fails a unique index over existing duplicates and leaves no index', async () => {
    const cat = await setup();
    await insertAll(cat, 'a.c', [
      { _id: 1, e: 'x' },
      { _id: 2, e: 'x' },
    ]);
    const e = errorOf(() => cat.createIndexes('a', 'c', [{ key: { e: 1 }, unique: true }]));
    expect(e.code).toBe(11000);
    expect(cat.listIndexes('a', 'c').map((i) => i.name)).toEqual(['_id_']);
    await cat.close();
  });
});

describe('unique enforcement', () => {
  it('rejects duplicate inserts with mongod’s message, keyPattern and keyValue', async () => {
    const cat = await setup();
    await cat.createIndexes('db', 'users', [{ key: { name: 1 }, name: 'name_1', unique: true }]);
    await insertAll(cat, 'db.users', [{ _id: 1, name: 'x' }]);
    const e = errorOf(() => cat.beginWrite().insert('db.users', { _id: 2, name: 'x' }));
    expect(e.code).toBe(11000);
    expect(e.codeName).toBe('DuplicateKey');
    expect(e.message).toBe(
      'E11000 duplicate key error collection: db.users index: name_1 dup key: { name: "x" }',
    );
    expect(e.extra).toEqual({ keyPattern: { name: 1 }, keyValue: { name: 'x' } });
    // _id duplicates too, numerically equal ids included.
    expect(errorOf(() => cat.beginWrite().insert('db.users', { _id: new Long(1), name: 'y' })).extra).toEqual(
      {
        keyPattern: { _id: 1 },
        keyValue: { _id: new Long(1) },
      },
    );
    await cat.close();
  });

  it('treats numerically equal values of different types as the same key', async () => {
    const cat = await setup();
    await cat.createIndexes('a', 'c', [{ key: { n: 1 }, unique: true }]);
    await insertAll(cat, 'a.c', [{ _id: 1, n: new Int32(5) }]);
    expect(errorOf(() => cat.beginWrite().insert('a.c', { _id: 2, n: new Double(5) })).code).toBe(11000);
    await cat.close();
  });

  it('checks replacements (updates) and upsert-shaped inserts, allowing a document to keep its own key', async () => {
    const cat = await setup();
    await cat.createIndexes('a', 'c', [{ key: { email: 1 }, unique: true }]);
    await insertAll(cat, 'a.c', [
      { _id: 1, email: 'a@x' },
      { _id: 2, email: 'b@x' },
    ]);
    const unit = cat.beginWrite();
    unit.replace('a.c', 1, { _id: 1, email: 'a@x', seen: true });
    expect(errorOf(() => unit.replace('a.c', 2, { _id: 2, email: 'a@x' })).code).toBe(11000);
    // Upsert: no match → insert, still unique-checked.
    expect(errorOf(() => unit.insert('a.c', { _id: 3, email: 'b@x' })).code).toBe(11000);
    // Swapping keys inside one unit: free one, then take it.
    unit.replace('a.c', 2, { _id: 2, email: 'c@x' });
    unit.replace('a.c', 1, { _id: 1, email: 'b@x' });
    await unit.commit();
    const c = cat.getCollection('a', 'c');
    expect(c?.findById(1)).toEqual({ _id: 1, email: 'b@x' });
    expect(c?.findById(2)).toEqual({ _id: 2, email: 'c@x' });
    // A deleted document frees its key.
    const u2 = cat.beginWrite();
    u2.delete('a.c', 2);
    u2.insert('a.c', { _id: 4, email: 'c@x' });
    await u2.commit();
    expect(c?.count()).toBe(2);
    await cat.close();
  });

  it('enforces compound unique keys on the whole tuple, including missing fields as null', async () => {
    const cat = await setup();
    await cat.createIndexes('a', 'c', [{ key: { a: 1, b: 1 }, unique: true }]);
    await insertAll(cat, 'a.c', [
      { _id: 1, a: 1, b: 1 },
      { _id: 2, a: 1, b: 2 },
      { _id: 3, a: 2 },
    ]);
    expect(errorOf(() => cat.beginWrite().insert('a.c', { _id: 4, a: 1, b: 2 })).extra.keyValue).toEqual({
      a: 1,
      b: 2,
    });
    expect(errorOf(() => cat.beginWrite().insert('a.c', { _id: 5, a: 2, b: null })).code).toBe(11000);
    await insertAll(cat, 'a.c', [{ _id: 6, a: 2, b: 3 }]);
    await cat.close();
  });

  it('skips documents a sparse or partial unique index does not hold', async () => {
    const cat = await setup();
    await cat.createIndexes('a', 'c', [
      { key: { s: 1 }, unique: true, sparse: true },
      { key: { p: 1 }, unique: true, partialFilterExpression: { active: true } },
    ]);
    await insertAll(cat, 'a.c', [
      { _id: 1 },
      { _id: 2 },
      { _id: 3, s: 1, p: 'x', active: true },
      { _id: 4, p: 'x', active: false },
    ]);
    expect(errorOf(() => cat.beginWrite().insert('a.c', { _id: 5, s: 1 })).code).toBe(11000);
    expect(errorOf(() => cat.beginWrite().insert('a.c', { _id: 6, p: 'x', active: true })).code).toBe(11000);
    // Leaving the partial filter frees the key.
    const u = cat.beginWrite();
    u.replace('a.c', 3, { _id: 3, s: 1, p: 'x', active: false });
    u.insert('a.c', { _id: 7, p: 'x', active: true });
    await u.commit();
    await cat.close();
  });

  it('without sparse, two documents missing the field collide on null', async () => {
    const cat = await setup();
    await cat.createIndexes('a', 'c', [{ key: { u: 1 }, unique: true }]);
    await insertAll(cat, 'a.c', [{ _id: 1 }]);
    expect(errorOf(() => cat.beginWrite().insert('a.c', { _id: 2 })).extra.keyValue).toEqual({ u: null });
    await cat.close();
  });
});

describe('multikey indexes', () => {
  it('indexes each array element, marks the index multikey, and enforces uniqueness across documents', async () => {
    const cat = await setup();
    await cat.createIndexes('a', 'c', [{ key: { tags: 1 }, unique: true }]);
    await insertAll(cat, 'a.c', [{ _id: 1, tags: ['a', 'b', 'b'] }]);
    const ix = cat.getCollection('a', 'c')?.getIndex('tags_1');
    expect(ix?.multikey).toBe(true);
    expect(ix?.entries.size).toBe(2);
    expect(
      errorOf(() => cat.beginWrite().insert('a.c', { _id: 2, tags: ['c', 'b'] })).extra.keyValue,
    ).toEqual({
      tags: 'b',
    });
    await cat.close();
  });

  it('refuses parallel arrays in a compound index (171), on insert and on index build', async () => {
    const cat = await setup();
    await cat.createIndexes('a', 'c', [{ key: { x: 1, y: 1 } }]);
    const e = errorOf(() => cat.beginWrite().insert('a.c', { _id: 1, x: [1, 2], y: [3, 4] }));
    expect([e.code, e.codeName]).toEqual([171, 'CannotIndexParallelArrays']);
    expect(cat.getCollection('a', 'c')?.count()).toBe(0);
    // Arrays of one array (same prefix) are fine.
    await cat.createIndexes('a', 'c', [{ key: { 'o.p': 1, 'o.q': 1 } }]);
    await insertAll(cat, 'a.c', [{ _id: 2, o: [{ p: 1, q: 2 }], x: [1], y: 3 }]);
    await insertAll(cat, 'a.d', [{ _id: 1, m: [1], n: [2] }]);
    expect(errorOf(() => cat.createIndexes('a', 'd', [{ key: { m: 1, n: 1 } }])).code).toBe(171);
    await cat.close();
  });
});

describe('dropIndexes', () => {
  it('drops by name, key pattern, list and *, never _id_', async () => {
    const cat = await setup();
    await cat.createIndexes('a', 'c', [
      { key: { a: 1 } },
      { key: { b: 1 } },
      { key: { c: 1 } },
      { key: { d: 1 } },
    ]);
    expect(await cat.dropIndexes('a', 'c', 'a_1')).toEqual({ nIndexesWas: 5 });
    await cat.dropIndexes('a', 'c', { b: 1 });
    expect(errorOf(() => cat.dropIndexes('a', 'c', '_id_')).code).toBe(72);
    expect(errorOf(() => cat.dropIndexes('a', 'c', { _id: 1 })).code).toBe(72);
    expect(errorOf(() => cat.dropIndexes('a', 'c', 'nope')).code).toBe(27);
    expect(errorOf(() => cat.dropIndexes('a', 'c', { zz: 1 })).code).toBe(27);
    expect(errorOf(() => cat.dropIndexes('a', 'c', ['c_1', 'nope'])).code).toBe(27);
    expect(cat.listIndexes('a', 'c').length).toBe(3);
    await cat.dropIndexes('a', 'c', '*');
    expect(cat.listIndexes('a', 'c').map((i) => i.name)).toEqual(['_id_']);
    expect(errorOf(() => cat.dropIndexes('a', 'missing', '*')).code).toBe(26);
    await cat.close();
  });
});

describe('TTL', () => {
  it('deletes expired documents (dates and arrays of dates) through normal commits', async () => {
    const cat = await setup();
    await cat.createIndexes('a', 'sessions', [{ key: { at: 1 }, expireAfterSeconds: 60 }]);
    const now = new Date('2030-01-01T00:00:00Z');
    const ago = (s: number): Date => new Date(now.getTime() - s * 1000);
    await insertAll(cat, 'a.sessions', [
      { _id: 1, at: ago(61) },
      { _id: 2, at: ago(59) },
      { _id: 3, at: [ago(10), ago(3600)] },
      { _id: 4, at: 'not a date' },
      { _id: 5 },
    ]);
    const deletes: unknown[] = [];
    cat.onCommit((b) => b.mutations.forEach((m) => m.op === 'delete' && deletes.push(m.id)));
    expect(await cat.runTtlPass(now)).toBe(2);
    expect(deletes.sort()).toEqual([1, 3]);
    const c = cat.getCollection('a', 'sessions');
    expect(c?.count()).toBe(3);
    expect(await cat.runTtlPass(now)).toBe(0);
    await cat.close();
  });

  it('runs on its own timer', async () => {
    const cat = await Catalog.open(new MemoryEngine(), {
      ttlMonitorSleepSecs: 0.05,
      logger: createLogger('silent'),
    });
    await cat.createIndexes('a', 's', [{ key: { at: 1 }, expireAfterSeconds: 0 }]);
    await insertAll(cat, 'a.s', [{ _id: 1, at: new Date(Date.now() - 1000) }]);
    await new Promise((r) => setTimeout(r, 200));
    expect(cat.getCollection('a', 's')?.count()).toBe(0);
    await cat.close();
  });
});
