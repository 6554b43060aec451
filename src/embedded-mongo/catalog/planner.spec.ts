import { Int32, type Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { createLogger } from '../logger.js';
import { MemoryEngine } from '../storage/memory-engine.js';
import { Catalog, type Collection } from './catalog.js';

async function seeded(n = 1000): Promise<{ cat: Catalog; coll: Collection }> {
  const cat = await Catalog.open(new MemoryEngine(), {
    ttlMonitorSleepSecs: 0,
    logger: createLogger('silent'),
  });
  await cat.createIndexes('db', 'c', [
    { key: { a: 1 }, name: 'a_1' },
    { key: { b: 1, c: -1 }, name: 'b_1_c_-1' },
    { key: { u: 1 }, name: 'u_1', unique: true },
    { key: { s: 1 }, name: 's_1', sparse: true },
    { key: { p: 1 }, name: 'p_1', partialFilterExpression: { p: { $gt: 100 } } },
    { key: { tags: 1 }, name: 'tags_1' },
  ]);
  const unit = cat.beginWrite();
  for (let i = 0; i < n; i++) {
    const doc: Document = {
      _id: i,
      a: i % 100,
      b: i % 10,
      c: i,
      u: `u${i}`,
      p: i,
      tags: [`t${i % 7}`, `t${i % 5}`],
    };
    if (i % 2 === 0) doc.s = i;
    unit.insert('db.c', doc);
  }
  await unit.commit();
  return { cat, coll: cat.getCollection('db', 'c') as Collection };
}

function winning(coll: Collection, filter: Document, opts: Document = {}): Document {
  return (coll.explain(filter, opts, 'queryPlanner').queryPlanner as Document).winningPlan as Document;
}

function stats(coll: Collection, filter: Document, opts: Document = {}): Document {
  return coll.explain(filter, opts, 'executionStats').executionStats as Document;
}

function ixName(plan: Document): string | undefined {
  let p: Document | undefined = plan;
  while (p) {
    if (p.stage === 'IXSCAN') return p.indexName as string;
    p = p.inputStage as Document | undefined;
  }
  return undefined;
}

describe('planner choices', () => {
  it('uses an index for equality instead of scanning, and says so in explain', async () => {
    const { cat, coll } = await seeded();
    const plan = winning(coll, { a: 7 });
    expect(plan).toMatchObject({
      stage: 'FETCH',
      inputStage: {
        stage: 'IXSCAN',
        indexName: 'a_1',
        keyPattern: { a: 1 },
        isMultiKey: false,
        direction: 'forward',
        indexBounds: { a: ['[7, 7]'] },
      },
    });
    const st = stats(coll, { a: 7 });
    expect(st).toMatchObject({ nReturned: 10, totalDocsExamined: 10 });
    expect(st.totalKeysExamined).toBeLessThanOrEqual(11);
    // The same query on an unindexed field scans everything.
    expect(winning(coll, { c: 7 }).stage).toBe('COLLSCAN');
    expect(stats(coll, { c: 7 })).toMatchObject({
      nReturned: 1,
      totalDocsExamined: 1000,
      totalKeysExamined: 0,
    });
    await cat.close();
  });

  it('prefers a unique equality match, and uses ranges and $in', async () => {
    const { cat, coll } = await seeded();
    expect(ixName(winning(coll, { u: 'u5', a: 5 }))).toBe('u_1');
    expect(stats(coll, { u: 'u5', a: 5 })).toMatchObject({ nReturned: 1, totalDocsExamined: 1 });
    const range = winning(coll, { a: { $gte: 10, $lt: 12 } });
    expect(range.inputStage).toMatchObject({ indexName: 'a_1', indexBounds: { a: ['[10, 12)'] } });
    expect(stats(coll, { a: { $gte: 10, $lt: 12 } })).toMatchObject({ nReturned: 20, totalDocsExamined: 20 });
    expect(stats(coll, { a: { $in: [3, 1, 99] } })).toMatchObject({ nReturned: 30, totalDocsExamined: 30 });
    expect(stats(coll, { $and: [{ a: { $gt: 97 } }, { c: { $lt: 500 } }] })).toMatchObject({
      nReturned: 10,
      totalDocsExamined: 20,
    });
    // Type bracketing: a string bound does not scan numbers.
    expect(stats(coll, { a: { $gt: 'a' } })).toMatchObject({ nReturned: 0, totalDocsExamined: 0 });
    await cat.close();
  });

  it('turns a large $in into seeks, and a contradictory range into an empty scan', async () => {
    const { cat, coll } = await seeded(6000);
    const ids = Array.from({ length: 5000 }, (_, i) => i * 2);
    expect(stats(coll, { _id: { $in: ids } })).toMatchObject({ nReturned: 3000, totalDocsExamined: 3000 });
    expect(stats(coll, { a: { $gt: 5, $lt: 3 } })).toMatchObject({ nReturned: 0, totalKeysExamined: 0 });
    await cat.close();
  });

  it('uses equality on the leading field plus a range on the next of a compound index', async () => {
    const { cat, coll } = await seeded();
    const q = { b: 3, c: { $gt: 900 } };
    expect(winning(coll, q).inputStage).toMatchObject({
      indexName: 'b_1_c_-1',
      indexBounds: { b: ['[3, 3]'], c: ['[inf.0, 900)'] },
    });
    expect(stats(coll, q)).toMatchObject({ nReturned: 10, totalDocsExamined: 10 });
    await cat.close();
  });

  it('unions one index scan per $or branch (OR plan), each document once, with the full filter', async () => {
    const { cat, coll } = await seeded();
    const filter = { $or: [{ a: 3 }, { u: 'u7' }, { b: 3, c: { $lt: 50 } }] };
    const plan = winning(coll, filter);
    expect(plan.stage).toBe('FETCH');
    const or = plan.inputStage as Document;
    expect(or.stage).toBe('OR');
    expect((or.inputStages as Document[]).map((s) => s.indexName)).toEqual(['a_1', 'u_1', 'b_1_c_-1']);
    const got = coll
      .scan(filter)
      .take()
      .map((d) => d._id as number)
      .sort((x, y) => x - y);
    const expected = Array.from({ length: 1000 }, (_, i) => i).filter(
      (i) => i % 100 === 3 || i === 7 || (i % 10 === 3 && i < 50),
    );
    expect(got).toEqual(expected);
    const st = stats(coll, filter);
    expect(st.nReturned).toBe(expected.length);
    expect(st.totalDocsExamined).toBeLessThan(100);
    // A branch no index bounds: the whole $or scans the collection.
    expect(winning(coll, { $or: [{ a: 3 }, { zz: 1 }] }).stage).toBe('COLLSCAN');
    // Sorted: the union is sorted in memory.
    expect(winning(coll, filter, { sort: { c: -1 } }).stage).toBe('SORT');
    await cat.close();
  });

  it('always re-applies the full filter on index candidates', async () => {
    const { cat, coll } = await seeded();
    const docs = coll.scan({ a: 7, c: { $gt: 500 } }).take();
    expect(docs.map((d) => d._id)).toEqual([507, 607, 707, 807, 907]);
    await cat.close();
  });

  it('provides sorts from an index in either direction, including after pinned fields', async () => {
    const { cat, coll } = await seeded();
    const asc = coll.scan({}, { sort: { a: 1 }, limit: 5 });
    expect(asc.sortProvided).toBe(true);
    expect(asc.take().map((d) => d.a)).toEqual([0, 0, 0, 0, 0]);
    const desc = coll.scan({ a: { $lt: 50 } }, { sort: { a: -1 }, limit: 3 });
    expect(desc.indexName).toBe('a_1');
    expect(desc.take().map((d) => d.a)).toEqual([49, 49, 49]);
    expect(winning(coll, {}, { sort: { a: -1 } }).inputStage).toMatchObject({ direction: 'backward' });
    // b pinned by equality: the index provides a sort on c (descending in the index).
    const pinned = coll.scan({ b: 4 }, { sort: { c: 1 }, limit: 3 });
    expect([pinned.sortProvided, pinned.indexName]).toEqual([true, 'b_1_c_-1']);
    expect(pinned.take().map((d) => d.c)).toEqual([4, 14, 24]);
    expect(winning(coll, { b: 4 }, { sort: { c: 1 } }).inputStage).toMatchObject({ direction: 'backward' });
    // A sort no index provides is done in memory.
    const mem = coll.scan({ a: 1 }, { sort: { c: -1 }, limit: 2 });
    expect(mem.sortProvided).toBe(false);
    expect(mem.take().map((d) => d.c)).toEqual([901, 801]);
    expect(winning(coll, { a: 1 }, { sort: { c: -1 }, limit: 2 })).toMatchObject({
      stage: 'SORT',
      sortPattern: { c: -1 },
      limitAmount: 2,
      inputStage: { stage: 'FETCH' },
    });
    await cat.close();
  });

  it('honours hints by name, key pattern and $natural, and rejects unknown ones with BadValue', async () => {
    const { cat, coll } = await seeded();
    expect(ixName(winning(coll, { a: 7, u: 'u7' }, { hint: 'a_1' }))).toBe('a_1');
    expect(ixName(winning(coll, { a: 7 }, { hint: { b: 1, c: -1 } }))).toBe('b_1_c_-1');
    expect(winning(coll, { a: 7 }, { hint: { $natural: -1 } })).toMatchObject({
      stage: 'COLLSCAN',
      direction: 'backward',
    });
    expect(coll.scan({ a: 7 }, { hint: { b: 1, c: -1 } }).take().length).toBe(10);
    for (const hint of ['nope', { zz: 1 }]) {
      try {
        coll.scan({}, { hint });
        throw new Error('no error');
      } catch (e) {
        expect((e as MongoCommandError).code).toBe(2);
        expect((e as Error).message).toBe('hint provided does not correspond to an existing index');
      }
    }
    await cat.close();
  });

  it('uses sparse indexes only when missing documents cannot match, partial ones only when implied', async () => {
    const { cat, coll } = await seeded();
    expect(ixName(winning(coll, { s: 4 }))).toBe('s_1');
    expect(winning(coll, { s: null }).stage).toBe('COLLSCAN');
    expect(coll.scan({ s: null }).take().length).toBe(500);
    expect(ixName(winning(coll, { p: { $gt: 900 } }))).toBe('p_1');
    expect(ixName(winning(coll, { p: 500 }))).toBe('p_1');
    expect(winning(coll, { p: 50 }).stage).toBe('COLLSCAN');
    expect(
      coll
        .scan({ p: 50 })
        .take()
        .map((d) => d._id),
    ).toEqual([50]);
    await cat.close();
  });

  it('scans multikey indexes without returning a document twice', async () => {
    const { cat, coll } = await seeded(70);
    const plan = winning(coll, { tags: { $in: ['t1', 't2'] } });
    expect(plan.inputStage).toMatchObject({ indexName: 'tags_1', isMultiKey: true });
    const ids = coll
      .scan({ tags: { $in: ['t1', 't2'] } })
      .take()
      .map((d) => d._id as number);
    expect(new Set(ids).size).toBe(ids.length);
    const expected = [...Array(70).keys()].filter((i) => [i % 7, i % 5].some((t) => t === 1 || t === 2));
    expect(ids.sort((x, y) => x - y)).toEqual(expected);
    // No index-provided sort on a multikey field.
    expect(coll.scan({ tags: 't1' }, { sort: { tags: 1 } }).sortProvided).toBe(false);
    await cat.close();
  });

  it('keeps an open index scan consistent across concurrent writes (re-seek)', async () => {
    const { cat, coll } = await seeded(100);
    const scan = coll.scan({ a: { $gte: 0 } }, { sort: { a: 1 } });
    const first = scan.take(10).map((d) => d._id);
    expect(first).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const unit = cat.beginWrite();
    for (let i = 10; i < 20; i++) unit.delete('db.c', i);
    unit.insert('db.c', { _id: 1000, a: new Int32(50) });
    await unit.commit();
    const rest = scan.take().map((d) => d._id as number);
    expect(rest.some((id) => id >= 10 && id < 20)).toBe(false);
    expect(rest).toContain(1000);
    expect(new Set([...first, ...rest]).size).toBe(91);
    await cat.close();
  });
});
