/**
 * Randomized model check of the MVCC store: interleaved write units (plain and on snapshots),
 * commits, aborts and snapshots, compared after every step with a plain reference model of
 * committed states, through findById, collection scans, index scans (filtered and sorted) and
 * counts. Also checks that no version outlives the snapshots that need it.
 */
import type { Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { createLogger } from '../logger.js';
import { MemoryEngine } from '../storage/memory-engine.js';
import { Catalog, type Collection, type Snapshot, type WriteUnit } from './catalog.js';

type State = Map<number, Document>;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

interface UnitModel {
  unit: WriteUnit;
  /** Committed state the unit reads (fixed for snapshot units; latest for plain ones). */
  snapshotState?: State;
  overlay: Map<number, Document | null>;
}

function view(base: State, overlay?: Map<number, Document | null>): State {
  const out = new Map(base);
  for (const [id, d] of overlay ?? []) {
    if (d) out.set(id, d);
    else out.delete(id);
  }
  return out;
}

const sortedIds = (docs: Iterable<Document>): string =>
  [...docs]
    .map((d) => d._id as number)
    .sort((a, b) => a - b)
    .join(',');

/** Differences between what `coll` shows the reader and the expected state ([] when none). */
function check(
  coll: Collection,
  expected: State,
  opts: { snapshot?: Snapshot; unit?: WriteUnit },
  where: string,
): string[] {
  const problems: string[] = [];
  for (let id = 0; id < 12; id++) {
    const got = coll.findById(id, opts);
    const want = expected.get(id) ?? null;
    if ((got?.v ?? null) !== (want?.v ?? null))
      problems.push(`${where}: findById(${id}) v=${got?.v} want ${want?.v}`);
  }
  const all = sortedIds(coll.scan({}, opts).take());
  if (all !== sortedIds(expected.values()))
    problems.push(`${where}: collscan ${all} want ${sortedIds(expected.values())}`);
  if (coll.count(opts) !== expected.size)
    problems.push(`${where}: count ${coll.count(opts)} want ${expected.size}`);
  const byK = coll.scan({ k: { $gte: 2 } }, { ...opts, sort: { k: 1 } }).take();
  const want = [...expected.values()].filter((d) => (d.k as number) >= 2);
  if (sortedIds(byK) !== sortedIds(want))
    problems.push(`${where}: k scan ${sortedIds(byK)} want ${sortedIds(want)}`);
  for (let i = 1; i < byK.length; i++) {
    if ((byK[i - 1].k as number) > (byK[i].k as number)) problems.push(`${where}: k scan out of order`);
  }
  const tagged = coll.scan({ tags: 3 }, opts).take();
  const wantTagged = [...expected.values()].filter((d) => (d.tags as number[]).includes(3));
  if (sortedIds(tagged) !== sortedIds(wantTagged)) {
    problems.push(`${where}: tags scan ${sortedIds(tagged)} want ${sortedIds(wantTagged)}`);
  }
  return problems;
}

async function run(seed: number, steps: number): Promise<void> {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const cat = await Catalog.open(new MemoryEngine(), {
    ttlMonitorSleepSecs: 0,
    logger: createLogger('silent'),
  });
  await cat.createIndexes('db', 'c', [
    { key: { k: 1 }, name: 'k_1' },
    { key: { tags: 1 }, name: 'tags_1' },
    { key: { u: 1 }, name: 'u_1', unique: true, sparse: true },
  ]);
  const coll = cat.getCollection('db', 'c') as Collection;
  let latest: State = new Map();
  const units: UnitModel[] = [];
  const snaps: { snap: Snapshot; state: State }[] = [];
  let version = 0;

  for (let step = 0; step < steps; step++) {
    const r = rand();
    if (r < 0.12 && units.length < 3) {
      const withSnap = rand() < 0.4;
      const snap = withSnap ? cat.openSnapshot() : undefined;
      const m: UnitModel = { unit: cat.beginWrite({ snapshot: snap }), overlay: new Map() };
      if (snap) {
        m.snapshotState = latest;
        snaps.push({ snap, state: latest });
      }
      units.push(m);
    } else if (r < 0.62 && units.length > 0) {
      const m = pick(units);
      const id = Math.floor(rand() * 12);
      const doc: Document = {
        _id: id,
        k: Math.floor(rand() * 6),
        tags: [Math.floor(rand() * 5), Math.floor(rand() * 5)],
        v: ++version,
      };
      if (rand() < 0.3) doc.u = Math.floor(rand() * 4);
      const seen = view(m.snapshotState ?? latest, m.overlay);
      const op = pick(['insert', 'replace', 'delete'] as const);
      try {
        if (op === 'insert') {
          m.unit.insert('db.c', doc);
          if (seen.has(id)) throw new Error(`step ${step}: insert of a visible _id succeeded`);
          m.overlay.set(id, doc);
        } else if (op === 'replace') {
          const before = m.unit.replace('db.c', id, doc);
          if ((before?.v ?? null) !== (seen.get(id)?.v ?? null))
            throw new Error(`step ${step}: replace saw ${before?.v}`);
          if (before) m.overlay.set(id, doc);
        } else {
          const before = m.unit.delete('db.c', id);
          if ((before?.v ?? null) !== (seen.get(id)?.v ?? null))
            throw new Error(`step ${step}: delete saw ${before?.v}`);
          if (before) m.overlay.set(id, null);
        }
      } catch (e) {
        if (!(e instanceof MongoCommandError) || (e.code !== 11000 && e.code !== 112)) throw e;
      }
    } else if (r < 0.78 && units.length > 0) {
      const m = units.splice(Math.floor(rand() * units.length), 1)[0];
      await m.unit.commit();
      latest = view(latest, m.overlay);
      version++;
    } else if (r < 0.84 && units.length > 0) {
      const m = units.splice(Math.floor(rand() * units.length), 1)[0];
      m.unit.abort();
    } else if (r < 0.9) {
      snaps.push({ snap: cat.openSnapshot(), state: latest });
    } else if (snaps.length > 0) {
      const s = snaps.splice(Math.floor(rand() * snaps.length), 1)[0];
      if (!units.some((u) => u.unit.snapshot === s.snap)) s.snap.release();
      else snaps.push(s);
    }
    await new Promise((res) => setImmediate(res));

    // Unique constraint holds in the committed state.
    const us = [...latest.values()].filter((d) => d.u !== undefined).map((d) => d.u);
    expect(new Set(us).size).toBe(us.length);
    const problems = check(coll, latest, {}, `seed ${seed} step ${step} latest`);
    for (const s of snaps)
      problems.push(...check(coll, s.state, { snapshot: s.snap }, `step ${step} snapshot`));
    for (const m of units) {
      problems.push(
        ...check(coll, view(m.snapshotState ?? latest, m.overlay), { unit: m.unit }, `step ${step} unit`),
      );
    }
    expect(problems).toEqual([]);
  }
  for (const m of units) m.unit.abort();
  for (const s of snaps) s.snap.release();
  await new Promise((res) => setImmediate(res));
  // Nothing is kept once no snapshot or unit needs it.
  expect(coll.history.size).toBe(0);
  expect(coll.records.size).toBe(latest.size);
  expect(coll.getIndex('k_1')?.entries.size).toBe(latest.size);
  await cat.close();
}

describe('MVCC model check', () => {
  it.each([1, 2, 3, 4])(
    'seed %i',
    async (seed) => {
      await run(seed, 200);
    },
    60_000,
  );
});
