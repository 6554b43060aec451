import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Binary, Decimal128, Int32, Long, type Document, type Timestamp } from '../bson.js';
import { createLogger } from '../logger.js';
import { FileEngine } from '../storage/file-engine.js';
import { MemoryEngine } from '../storage/memory-engine.js';
import type { MutationBatch } from '../storage/engine.js';
import { Catalog } from './catalog.js';
import { compareTimestamps } from './clock.js';

const silent = createLogger('silent');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'emb-catalog-'));
  dirs.push(d);
  return d;
}

function memoryCatalog(): Promise<Catalog> {
  return Catalog.open(new MemoryEngine(), { ttlMonitorSleepSecs: 0, logger: silent });
}

function fileCatalog(dir: string): Promise<Catalog> {
  return Catalog.open(new FileEngine(dir, { logger: silent }), { ttlMonitorSleepSecs: 0, logger: silent });
}

async function insertAll(cat: Catalog, ns: string, docs: Document[], durable = false): Promise<Timestamp> {
  const unit = cat.beginWrite();
  for (const d of docs) unit.insert(ns, d);
  return unit.commit({ durable });
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: number }).code;
  }
  return undefined;
}

describe('collections and databases', () => {
  it('creates, lists (mongod shape), and refuses duplicates with NamespaceExists', async () => {
    const cat = await memoryCatalog();
    await cat.createCollection('app', 'orders', { validator: { a: { $exists: true } } });
    expect(codeOf(() => cat.createCollection('app', 'orders'))).toBe(48);
    const [entry] = cat.listCollections('app');
    expect(entry).toMatchObject({
      name: 'orders',
      type: 'collection',
      options: { validator: { a: { $exists: true } } },
      info: { readOnly: false },
      idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
    });
    const uuid = (entry.info as Document).uuid as Binary;
    expect(uuid.sub_type).toBe(4);
    expect(cat.listDatabases()).toEqual([expect.objectContaining({ name: 'app', empty: false })]);
    await cat.close();
  });

  it('validates names with InvalidNamespace', async () => {
    const cat = await memoryCatalog();
    for (const [db, name] of [
      ['app', ''],
      ['app', 'a$b'],
      ['app', 'a\0b'],
      ['app', 'system.foo'],
      ['', 'x'],
      ['a.b', 'x'],
      ['a b', 'x'],
    ]) {
      expect(codeOf(() => cat.createCollection(db, name))).toBe(73);
    }
    expect(codeOf(() => cat.beginWrite().insert('app.bad$name', { _id: 1 }))).toBe(73);
    await cat.createCollection('app', 'system.js');
    await cat.close();
  });

  it('creates a collection implicitly on first insert', async () => {
    const cat = await memoryCatalog();
    await insertAll(cat, 'app.things', [{ _id: 1 }]);
    expect(cat.getCollection('app', 'things')?.count()).toBe(1);
    await cat.close();
  });

  it('drops collections and databases, reporting whether they existed', async () => {
    const cat = await memoryCatalog();
    await insertAll(cat, 'a.x', [{ _id: 1 }]);
    await insertAll(cat, 'a.y', [{ _id: 1 }]);
    await insertAll(cat, 'b.z', [{ _id: 1 }]);
    expect(await cat.dropCollection('a', 'x')).toBe(true);
    expect(await cat.dropCollection('a', 'x')).toBe(false);
    expect(await cat.dropDatabase('a')).toBe(true);
    expect(await cat.dropDatabase('a')).toBe(false);
    expect(cat.listDatabases().map((d) => d.name)).toEqual(['b']);
    await cat.close();
  });

  it('renames with mongod errors and dropTarget, keeping documents, indexes and uuid', async () => {
    const cat = await memoryCatalog();
    await insertAll(cat, 'a.src', [{ _id: 1, k: 'x' }]);
    await cat.createIndexes('a', 'src', [{ key: { k: 1 }, name: 'k_1', unique: true }]);
    await insertAll(cat, 'a.dst', [{ _id: 9 }]);
    const uuid = cat.getCollection('a', 'src')?.uuid;
    expect(codeOf(() => cat.renameCollection('a.nope', 'a.other'))).toBe(26);
    expect(codeOf(() => cat.renameCollection('a.src', 'a.dst'))).toBe(48);
    expect(codeOf(() => cat.renameCollection('a.src', 'a.src'))).toBe(20);
    await cat.renameCollection('a.src', 'a.dst', { dropTarget: true });
    const moved = cat.getCollection('a', 'dst');
    expect(cat.getCollection('a', 'src')).toBeUndefined();
    expect(moved?.uuid).toBe(uuid);
    expect(moved?.findById(1)).toEqual({ _id: 1, k: 'x' });
    expect(moved?.findById(9)).toBeNull();
    expect(moved?.listIndexes().map((i) => i.name)).toEqual(['_id_', 'k_1']);
    await cat.renameCollection('a.dst', 'b.elsewhere');
    expect(cat.getCollection('b', 'elsewhere')?.count()).toBe(1);
    await cat.close();
  });

  it('collMod changes validator, pre/post images option and index TTL', async () => {
    const cat = await memoryCatalog();
    await cat.createCollection('a', 'c');
    await cat.createIndexes('a', 'c', [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: 60 }]);
    await cat.collMod('a', 'c', { validator: { x: 1 }, changeStreamPreAndPostImages: { enabled: true } });
    const reply = await cat.collMod('a', 'c', { index: { name: 'at_1', expireAfterSeconds: 10 } });
    expect(reply).toEqual({ expireAfterSeconds_old: 60, expireAfterSeconds_new: 10 });
    expect(cat.listCollections('a')[0].options).toEqual({
      validator: { x: 1 },
      changeStreamPreAndPostImages: { enabled: true },
    });
    expect(cat.listIndexes('a', 'c')[1]).toMatchObject({ name: 'at_1', expireAfterSeconds: 10 });
    expect(codeOf(() => cat.collMod('a', 'c', { bogus: 1 }))).toBe(72);
    expect(codeOf(() => cat.collMod('a', 'c', { index: { name: 'nope', expireAfterSeconds: 1 } }))).toBe(27);
    expect(codeOf(() => cat.collMod('a', 'missing', { validator: {} }))).toBe(26);
    await cat.close();
  });
});

describe('write units and commit observers', () => {
  it('stamps each committed batch with an increasing Timestamp and reports it to observers in order', async () => {
    const cat = await memoryCatalog();
    const seen: MutationBatch[] = [];
    cat.onCommit((b) => seen.push(b));
    const t1 = await insertAll(cat, 'a.c', [{ _id: 1 }, { _id: 2 }]);
    const unit = cat.beginWrite();
    unit.replace('a.c', 1, { _id: 1, v: 2 });
    unit.delete('a.c', 2);
    const t2 = await unit.commit();
    expect(compareTimestamps(t2, t1)).toBe(1);
    expect(compareTimestamps(cat.clock.current(), t2)).toBe(0);
    // createCollection, then the two document batches.
    expect(seen.map((b) => b.mutations.map((m) => m.op))).toEqual([
      ['createCollection'],
      ['put', 'put'],
      ['put', 'delete'],
    ]);
    expect(seen[2].mutations[0]).toMatchObject({
      ns: 'a.c',
      id: 1,
      doc: { _id: 1, v: 2 },
      before: { _id: 1 },
    });
    expect(seen[2].mutations[1]).toMatchObject({ op: 'delete', id: 2, before: { _id: 2 } });
    await cat.close();
  });

  it('gives documents without _id an ObjectId first, and never mutates the caller’s object', async () => {
    const cat = await memoryCatalog();
    const input = { a: 1 };
    const unit = cat.beginWrite();
    const stored = unit.insert('a.c', input);
    await unit.commit();
    expect(Object.keys(stored)).toEqual(['_id', 'a']);
    expect(input).toEqual({ a: 1 });
    expect(codeOf(() => cat.beginWrite().insert('a.c', { _id: [1] }))).toBe(2);
    await cat.close();
  });

  it('keeps a failed write out of the batch while the unit goes on (bulk semantics)', async () => {
    const cat = await memoryCatalog();
    const unit = cat.beginWrite();
    unit.insert('a.c', { _id: 1 });
    expect(codeOf(() => unit.insert('a.c', { _id: 1 }))).toBe(11000);
    unit.insert('a.c', { _id: 2 });
    await unit.commit();
    expect(cat.getCollection('a', 'c')?.count()).toBe(2);
    await cat.close();
  });

  it('refuses to change _id on replace', async () => {
    const cat = await memoryCatalog();
    await insertAll(cat, 'a.c', [{ _id: 1 }]);
    expect(codeOf(() => cat.beginWrite().replace('a.c', 1, { _id: 2 }))).toBe(66);
    await cat.close();
  });
});

describe('persistence through the file engine', () => {
  it('recovers collections, options, indexes, documents (exact BSON types) and the clock', async () => {
    const dir = tempDir();
    const a = await fileCatalog(dir);
    await a.createCollection('app', 'orders', { validator: { total: { $gte: new Int32(0) } } });
    await a.createIndexes('app', 'orders', [{ key: { customer: 1, at: -1 }, name: 'by_customer' }]);
    await a.createIndexes('app', 'orders', [{ key: { ref: 1 }, name: 'ref_1', unique: true }]);
    await a.createIndexes('app', 'orders', [
      {
        key: { note: 'text', customer: 1 },
        name: 'note_text',
        weights: { note: 3 },
        default_language: 'none',
      },
      {
        key: { at: 1 },
        name: 'ttl',
        expireAfterSeconds: 30,
        partialFilterExpression: { at: { $exists: true } },
      },
    ]);
    const specsBefore = a.listIndexes('app', 'orders');
    await insertAll(
      a,
      'app.orders',
      [
        {
          _id: 1,
          ref: 'A',
          customer: 'c1',
          total: Decimal128.fromString('10.10'),
          n: new Int32(3),
          l: Long.fromNumber(7),
        },
        { _id: 2, ref: 'B', customer: 'c2', total: Decimal128.fromString('0.20') },
      ],
      true,
    );
    const u = a.beginWrite();
    u.replace('app.orders', 2, { _id: 2, ref: 'B', customer: 'c2', total: Decimal128.fromString('0.30') });
    await u.commit({ durable: true });
    await a.renameCollection('app.orders', 'app.orders2');
    await insertAll(a, 'app.tmp', [{ _id: 1 }]);
    await a.dropCollection('app', 'tmp');
    const lastTs = a.clock.current();
    await a.close();

    const b = await fileCatalog(dir);
    const c = b.getCollection('app', 'orders2');
    expect(c).toBeDefined();
    expect(b.getCollection('app', 'tmp')).toBeUndefined();
    expect(c?.options).toEqual({ validator: { total: { $gte: new Int32(0) } } });
    expect(c?.listIndexes().map((i) => i.name)).toEqual(['_id_', 'by_customer', 'ref_1', 'note_text', 'ttl']);
    // Same specs (numbers come back as int32 wrappers, equal by value).
    expect(JSON.parse(JSON.stringify(c?.listIndexes()))).toEqual(JSON.parse(JSON.stringify(specsBefore)));
    expect(c?.getIndex('ttl')?.desc.expireAfterSeconds).toBe(30);
    expect(c?.getIndex('note_text')?.desc.kind).toBe('text');
    const d1 = c?.findById(1) as Document;
    expect(d1.total).toBeInstanceOf(Decimal128);
    expect(d1.n).toBeInstanceOf(Int32);
    expect(d1.l).toBeInstanceOf(Long);
    expect(String((c?.findById(2) as Document).total)).toBe('0.30');
    expect(codeOf(() => b.beginWrite().insert('app.orders2', { _id: 3, ref: 'A' }))).toBe(11000);
    expect(compareTimestamps(b.clock.current(), lastTs)).toBeGreaterThanOrEqual(0);
    const next = await insertAll(b, 'app.orders2', [{ _id: 4, ref: 'D' }]);
    expect(compareTimestamps(next, lastTs)).toBe(1);
    await b.close();
  });

  it('recovers from the journal alone after a crash (no final checkpoint)', async () => {
    const dir = tempDir();
    const a = await fileCatalog(dir);
    await a.createIndexes('app', 'c', [{ key: { k: 1 }, name: 'k_1', unique: true }]);
    for (let i = 0; i < 50; i++) await insertAll(a, 'app.c', [{ _id: i, k: i }], i % 10 === 0);
    const u = a.beginWrite();
    for (let i = 0; i < 10; i++) u.replace('app.c', i, { _id: i, k: 100 + i, g: i % 2 });
    for (let i = 10; i < 15; i++) u.delete('app.c', i);
    await u.commit();
    await a.createIndexes('app', 'c', [{ key: { g: 1 }, name: 'g_1', sparse: true }]);
    await a.flush();
    // Simulate the crash: copy the directory as it is while `a` is still open.
    const copy = tempDir();
    const { cpSync } = await import('node:fs');
    cpSync(dir, copy, { recursive: true });
    const b = await fileCatalog(copy);
    expect(b.recovery?.journalRecords).toBeGreaterThan(50);
    const c = b.getCollection('app', 'c');
    expect(c?.count()).toBe(45);
    expect(codeOf(() => b.beginWrite().insert('app.c', { _id: 99, k: 20 }))).toBe(11000);
    // Indexes rebuilt from the final documents: exactly one entry per document, none stale.
    expect(c?.getIndex('k_1')?.entries.size).toBe(45);
    expect(c?.getIndex('g_1')?.entries.size).toBe(10);
    const viaIndex = c?.scan({ k: { $gte: 100 } });
    expect(viaIndex?.indexName).toBe('k_1');
    expect(viaIndex?.take().map((d) => Number(d._id))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(c?.scan({ g: 1 }).take().length).toBe(5);
    const freed = b.beginWrite();
    expect(freed.insert('app.c', { _id: 99, k: 7 })).toEqual({ _id: 99, k: 7 });
    freed.abort();
    await Promise.all([a.close(), b.close()]);
  });
});
