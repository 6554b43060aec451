import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Int32, Timestamp, UUID, type Document } from '../bson.js';
import type { CheckpointImage, MutationBatch, RecoveredState } from './engine.js';
import { FileEngine, CHECKPOINT_FILE } from './file-engine.js';
import { DataDirLockedError, LOCK_FILE } from './lock-file.js';
import { MemoryEngine } from './memory-engine.js';
import { createLogger } from '../logger.js';
import { FILE_HEADER_BYTES, RECORD_HEADER_BYTES } from './records.js';

/** A minimal "catalog" above the engine: one map of documents per namespace. */
class Model {
  readonly data = new Map<string, Map<string, Document>>();
  lastTs = new Timestamp({ t: 0, i: 0 });
  private i = 0;

  ts(): Timestamp {
    this.lastTs = new Timestamp({ t: 1_700_000_000, i: ++this.i });
    return this.lastTs;
  }

  apply(batch: MutationBatch): void {
    for (const m of batch.mutations) {
      if (m.op === 'createCollection') this.data.set(m.ns, new Map());
      else if (m.op === 'put') this.ns(m.ns).set(String(m.id), m.doc);
      else if (m.op === 'delete') this.ns(m.ns).delete(String(m.id));
    }
  }

  restore(r: RecoveredState): void {
    for (const c of r.checkpoint?.collections ?? []) {
      this.data.set(c.ns, new Map(c.documents.map((d) => [String(d._id), d])));
    }
    for (const b of r.batches) this.apply(b);
  }

  image(): CheckpointImage {
    return {
      ts: this.lastTs,
      collections: [...this.data].map(([ns, docs]) => ({
        ns,
        uuid: new UUID(),
        options: {},
        indexes: [],
        documents: [...docs.values()],
      })),
    };
  }

  ns(ns: string): Map<string, Document> {
    let m = this.data.get(ns);
    if (!m) {
      m = new Map();
      this.data.set(ns, m);
    }
    return m;
  }

  ids(ns = 'db.c'): string[] {
    return [...(this.data.get(ns)?.keys() ?? [])];
  }
}

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'emb-storage-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function openModel(dir: string, opts: ConstructorParameters<typeof FileEngine>[1] = {}) {
  const model = new Model();
  const engine = new FileEngine(dir, { logger: createLogger('silent'), ...opts });
  const rec = await engine.open(() => model.image());
  model.restore(rec);
  const put = (id: number, durable = false, ns = 'db.c'): Promise<void> => {
    const batch: MutationBatch = {
      ts: model.ts(),
      mutations: [{ op: 'put', ns, id, doc: { _id: id, v: new Int32(id), pad: 'x'.repeat(50) } }],
    };
    model.apply(batch);
    return engine.append(batch, { durable });
  };
  return { model, engine, rec, put };
}

/** A crash image: the directory as the disk holds it right now (the engine stays open). */
function crashCopy(dir: string): string {
  const copy = tempDir();
  cpSync(dir, copy, { recursive: true });
  return copy;
}

function journals(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /^journal\.\d+$/.test(f))
    .sort();
}

describe('FileEngine recovery', () => {
  it('replays journaled batches after a crash and loads the checkpoint after a clean close', async () => {
    const dir = tempDir();
    const a = await openModel(dir);
    for (let i = 1; i <= 20; i++) await a.put(i, i % 5 === 0);
    await a.engine.flush();

    const crashed = await openModel(crashCopy(dir));
    expect(crashed.model.ids().length).toBe(20);
    expect(crashed.rec.report.journalRecords).toBe(20);
    expect(crashed.rec.checkpoint).toBeNull();
    await crashed.engine.close();

    await a.engine.close();
    expect(existsSync(path.join(dir, CHECKPOINT_FILE))).toBe(true);
    const b = await openModel(dir);
    expect(b.rec.report.journalRecords).toBe(0);
    expect(b.rec.report.checkpointDocuments).toBe(20);
    expect(b.model.ids()).toEqual(a.model.ids());
    // Exact BSON types survive.
    expect(b.model.data.get('db.c')?.get('3')?.v).toBeInstanceOf(Int32);
    await b.engine.close();
  });

  it('discards and truncates a torn tail record, keeping every complete one', async () => {
    const dir = tempDir();
    const a = await openModel(dir);
    for (let i = 1; i <= 5; i++) await a.put(i, true);
    const copy = crashCopy(dir);
    await a.engine.close();
    const [j] = journals(copy);
    const file = path.join(copy, j);
    const full = statSync(file).size;
    truncateSync(file, full - 7);

    const b = await openModel(copy);
    expect(b.model.ids()).toEqual(['1', '2', '3', '4']);
    expect(b.rec.report.discardedBytes).toBeGreaterThan(0);
    const recordBytes = (full - FILE_HEADER_BYTES) / 5;
    expect(statSync(file).size).toBe(FILE_HEADER_BYTES + 4 * recordBytes);
    // The data directory keeps working after the repair.
    await b.put(6, true);
    const c = await openModel(crashCopy(copy));
    expect(c.model.ids()).toEqual(['1', '2', '3', '4', '6']);
    await Promise.all([b.engine.close(), c.engine.close()]);
  });

  it('stops replay at a record whose CRC does not match, and drops later journals', async () => {
    const dir = tempDir();
    const a = await openModel(dir, { checkpointBytes: 1 << 30 });
    for (let i = 1; i <= 3; i++) await a.put(i, true);
    const copy = crashCopy(dir);
    await a.engine.close();
    const [j] = journals(copy);
    const file = path.join(copy, j);
    const buf = readFileSync(file);
    const recordBytes = (buf.length - FILE_HEADER_BYTES) / 3;
    // Flip one payload byte of the second record.
    buf[FILE_HEADER_BYTES + recordBytes + RECORD_HEADER_BYTES + 20] ^= 0xff;
    writeFileSync(file, buf);
    // A later journal (as if a rotation had happened) must not be replayed past the gap.
    const later = path.join(copy, 'journal.9999999999');
    writeFileSync(later, buf.subarray(0, FILE_HEADER_BYTES + recordBytes));

    const b = await openModel(copy);
    expect(b.model.ids()).toEqual(['1']);
    expect(existsSync(later)).toBe(false);
    expect(readdirSync(copy).some((f) => f.includes('.discarded-'))).toBe(true);
    await b.engine.close();
  });

  it('treats a zero-filled tail (unsynced extension) as the end of the journal', async () => {
    const dir = tempDir();
    const a = await openModel(dir);
    for (let i = 1; i <= 3; i++) await a.put(i, true);
    const copy = crashCopy(dir);
    await a.engine.close();
    const file = path.join(copy, journals(copy)[0]);
    writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.alloc(4096)]));
    const b = await openModel(copy);
    expect(b.model.ids()).toEqual(['1', '2', '3']);
    await b.engine.close();
  });

  it('writes non-durable batches within the flush interval', async () => {
    const dir = tempDir();
    const a = await openModel(dir, { flushIntervalMs: 20 });
    await a.put(1, false);
    await new Promise((r) => setTimeout(r, 120));
    const b = await openModel(crashCopy(dir));
    expect(b.model.ids()).toEqual(['1']);
    await Promise.all([a.engine.close(), b.engine.close()]);
  });
});

describe('FileEngine group commit', () => {
  it('shares one fdatasync among concurrent durable appends', async () => {
    const dir = tempDir();
    const a = await openModel(dir);
    await a.put(0, true);
    const before = a.engine.stats().fsyncs;
    const n = 200;
    await Promise.all(Array.from({ length: n }, (_, i) => a.put(i + 1, true)));
    const used = a.engine.stats().fsyncs - before;
    expect(used).toBeGreaterThanOrEqual(1);
    expect(used).toBeLessThanOrEqual(3);
    // Sequential durable appends cannot share: one fsync each.
    const seqBefore = a.engine.stats().fsyncs;
    for (let i = 0; i < 5; i++) await a.put(1000 + i, true);
    expect(a.engine.stats().fsyncs - seqBefore).toBe(5);
    const b = await openModel(crashCopy(dir));
    expect(b.model.ids().length).toBe(n + 6);
    await Promise.all([a.engine.close(), b.engine.close()]);
  });

  it('keeps fsyncs well below durable appends for writers that arrive while a sync is in flight', async () => {
    const dir = tempDir();
    const a = await openModel(dir);
    const writers = 16;
    const perWriter = 25;
    const before = a.engine.stats().fsyncs;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) await a.put(w * 1000 + i, true);
      }),
    );
    const fsyncs = a.engine.stats().fsyncs - before;
    expect(a.engine.stats().durableAppends).toBe(writers * perWriter);
    expect(fsyncs).toBeLessThan((writers * perWriter) / 4);
    await a.engine.close();
  });
});

describe('FileEngine checkpoints', () => {
  it('checkpoints when the journal grows past the threshold, removing covered journals', async () => {
    const dir = tempDir();
    const a = await openModel(dir, { checkpointBytes: 8 * 1024 });
    for (let i = 1; i <= 400; i++) await a.put(i, i % 50 === 0);
    await a.engine.flush();
    await a.engine.checkpoint();
    expect(a.engine.stats().checkpoints).toBeGreaterThanOrEqual(2);
    expect(journals(dir).length).toBeLessThanOrEqual(1);
    const b = await openModel(crashCopy(dir));
    expect(b.model.ids().length).toBe(400);
    await Promise.all([a.engine.close(), b.engine.close()]);
  });

  it('ignores journals already covered by the checkpoint (crash between rename and cleanup)', async () => {
    const dir = tempDir();
    const a = await openModel(dir);
    for (let i = 1; i <= 3; i++) await a.put(i, true);
    const early = crashCopy(dir);
    await a.engine.checkpoint();
    for (let i = 4; i <= 5; i++) await a.put(i, true);
    const copy = crashCopy(dir);
    // Put the old journal back beside the new checkpoint.
    for (const j of journals(early)) cpSync(path.join(early, j), path.join(copy, j));
    const b = await openModel(copy);
    expect(b.model.ids()).toEqual(['1', '2', '3', '4', '5']);
    expect(b.rec.report.journalRecords).toBe(2);
    await Promise.all([a.engine.close(), b.engine.close()]);
  });
});

describe('data directory lock', () => {
  it('refuses a second open of a live data directory and takes over a stale lock', async () => {
    const dir = tempDir();
    const a = await openModel(dir);
    await expect(new FileEngine(dir).open(() => a.model.image())).rejects.toBeInstanceOf(DataDirLockedError);
    await a.engine.close();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);

    writeFileSync(path.join(dir, LOCK_FILE), '2147483646\n');
    const b = await openModel(dir);
    expect(readFileSync(path.join(dir, LOCK_FILE), 'latin1').trim()).toBe(String(process.pid));
    await b.engine.close();
  });
});

describe('MemoryEngine', () => {
  it('recovers nothing and acknowledges appends at once', async () => {
    const e = new MemoryEngine();
    const r = await e.open(() => ({ ts: new Timestamp({ t: 0, i: 0 }), collections: [] }));
    expect(r.checkpoint).toBeNull();
    await e.append({ ts: new Timestamp({ t: 1, i: 1 }), mutations: [] }, { durable: true });
    expect(e.stats()).toMatchObject({ appends: 1, durableAppends: 1, fsyncs: 0 });
    await e.close();
  });
});

describe('large records', () => {
  it('journals and checkpoints batches far above js-bson’s 17 MiB scratch buffer', async () => {
    const dir = tempDir();
    const a = await openModel(dir);
    const big = 'y'.repeat(1024 * 1024);
    const batch: MutationBatch = {
      ts: a.model.ts(),
      mutations: Array.from({ length: 24 }, (_, i) => ({
        op: 'put' as const,
        ns: 'db.c',
        id: i,
        doc: { _id: i, big },
      })),
    };
    a.model.apply(batch);
    await a.engine.append(batch, { durable: true });
    const crashed = await openModel(crashCopy(dir));
    expect(crashed.model.ids().length).toBe(24);
    expect((crashed.model.data.get('db.c')?.get('23')?.big as string).length).toBe(big.length);
    await crashed.engine.close();
    await a.engine.close();
    const reopened = await openModel(dir);
    expect(reopened.rec.report.checkpointDocuments).toBe(24);
    await reopened.engine.close();
  });
});
