import { serialize } from 'bson';
import { Long, Timestamp, UUID, decodeDocument, type Document } from '../bson.js';
import { decodeBatch, encodeBatch } from '../storage/codec.js';
import type {
  AppendOptions,
  CheckpointImage,
  CheckpointSource,
  CollectionImage,
  EngineStats,
  MutationBatch,
  RecoveredState,
  StorageEngine,
} from '../storage/engine.js';
import { emptyStats } from '../storage/engine.js';
import { MemoryEngine } from '../storage/memory-engine.js';
import { OplogEngine } from './oplog-engine.js';
import type { OplogRecord } from './oplog-record.js';

interface StoredImage {
  ts: Timestamp;
  collections: (Omit<CollectionImage, 'documents'> & { documents: Uint8Array[] })[];
}

/**
 * A durable engine reduced to its contract: batches go through the real journal codec (so
 * in-memory-only fields are lost, as on disk) and checkpoints through BSON. `crash()` gives an
 * engine that recovers what was persisted; `durable` appends resolve only when `sync()` is called.
 */
class FakeDiskEngine implements StorageEngine {
  readonly kind = 'file' as const;
  private source: CheckpointSource | undefined;
  private pending: (() => void)[] = [];

  constructor(
    readonly journal: Uint8Array[] = [],
    public image: StoredImage | undefined = undefined,
  ) {}

  async open(source: CheckpointSource): Promise<RecoveredState> {
    this.source = source;
    const checkpoint: CheckpointImage | null = this.image
      ? {
          ts: this.image.ts,
          collections: this.image.collections.map((c) => ({
            ...c,
            documents: c.documents.map(decodeDocument),
          })),
        }
      : null;
    return {
      checkpoint,
      batches: this.journal.map((b) => decodeBatch(decodeDocument(b))),
      report: { checkpointDocuments: 0, journalFiles: 0, journalRecords: 0, discardedBytes: 0, millis: 0 },
    };
  }

  append(batch: MutationBatch, opts: AppendOptions): Promise<void> {
    this.journal.push(encodeBatch(batch));
    if (!opts.durable) return Promise.resolve();
    return new Promise((resolve) => this.pending.push(resolve));
  }

  sync(): void {
    for (const r of this.pending.splice(0)) r();
  }

  async flush(): Promise<void> {
    this.sync();
  }

  /** Like the file engine: each document serialized on its own (js-bson's 17 MiB buffer each). */
  async checkpoint(): Promise<void> {
    const img = (this.source as CheckpointSource)();
    this.image = {
      ts: img.ts,
      collections: img.collections.map((c) => ({ ...c, documents: c.documents.map((d) => serialize(d)) })),
    };
    this.journal.length = 0;
  }

  async close(): Promise<void> {}

  stats(): EngineStats {
    return emptyStats();
  }

  crash(): FakeDiskEngine {
    return new FakeDiskEngine([...this.journal], this.image);
  }
}

let t = 0;
const nextTs = (): Timestamp => new Timestamp({ t: 1_700_000_000, i: ++t });
const uuid = new UUID().toBinary();
const imagesUuid = new UUID().toBinary();

/** The catalog's side of a checkpoint: its collections, as the batches left them. */
class CatalogModel {
  private readonly colls = new Map<string, CollectionImage>();
  apply(b: MutationBatch): void {
    for (const m of b.mutations) {
      switch (m.op) {
        case 'createCollection':
          this.colls.set(m.ns, { ns: m.ns, uuid: m.uuid, options: m.options, indexes: [], documents: [] });
          break;
        case 'dropCollection':
          this.colls.delete(m.ns);
          break;
        case 'dropDatabase':
          for (const ns of [...this.colls.keys()]) if (ns.startsWith(`${m.db}.`)) this.colls.delete(ns);
          break;
        case 'renameCollection': {
          const c = this.colls.get(m.from);
          this.colls.delete(m.from);
          if (c) this.colls.set(m.to, { ...c, ns: m.to });
          break;
        }
        default:
          break;
      }
    }
  }
  image(): CheckpointImage {
    return { ts: new Timestamp({ t: 0, i: 0 }), collections: [...this.colls.values()] };
  }
}

let model = new CatalogModel();
const open = async (engine: StorageEngine): Promise<OplogEngine> => {
  const e = new OplogEngine(engine, { maxBytes: 1e9 });
  model = new CatalogModel();
  await e.open(() => model.image());
  return e;
};
/** Commits like the catalog: its state changes, then the engine appends. */
const commit = (e: OplogEngine, b: MutationBatch, durable = false): Promise<void> => {
  model.apply(b);
  return e.append(b, { durable });
};

/** A realistic sequence: DDL, then inserts, an update, a replacement and a delete (one with images). */
function workload(): MutationBatch[] {
  return [
    { ts: nextTs(), mutations: [{ op: 'createCollection', ns: 'db.c', uuid, options: {} }] },
    {
      ts: nextTs(),
      mutations: [
        {
          op: 'createCollection',
          ns: 'db.img',
          uuid: imagesUuid,
          options: { changeStreamPreAndPostImages: { enabled: true } },
        },
      ],
    },
    {
      ts: nextTs(),
      mutations: [
        { op: 'put', ns: 'db.c', id: 1, doc: { _id: 1, a: 1 }, before: null },
        { op: 'put', ns: 'db.c', id: 2, doc: { _id: 2, a: 2 }, before: null },
      ],
    },
    {
      ts: nextTs(),
      mutations: [
        {
          op: 'put',
          ns: 'db.c',
          id: 1,
          doc: { _id: 1, a: 5 },
          before: { _id: 1, a: 1 },
          update: { updatedFields: { a: 5 }, removedFields: [], truncatedArrays: [], disambiguatedPaths: {} },
        },
      ],
      txn: { lsid: { id: new UUID().toBinary() }, txnNumber: Long.fromNumber(7) },
    },
    { ts: nextTs(), mutations: [{ op: 'put', ns: 'db.img', id: 'x', doc: { _id: 'x' }, before: null }] },
    {
      ts: nextTs(),
      mutations: [{ op: 'put', ns: 'db.img', id: 'x', doc: { _id: 'x', v: 2 }, before: { _id: 'x' } }],
    },
    { ts: nextTs(), mutations: [{ op: 'delete', ns: 'db.img', id: 'x', before: { _id: 'x', v: 2 } }] },
    {
      ts: nextTs(),
      mutations: [
        { op: 'dropCollection', ns: 'db.c2' },
        { op: 'renameCollection', from: 'db.c', to: 'db.c2' },
      ],
    },
    { ts: nextTs(), mutations: [{ op: 'dropDatabase', db: 'db' }] },
  ];
}

/** Records as BSON would return them (to compare live and recovered ones value by value). */
const asStored = (records: readonly OplogRecord[]): Document[] =>
  records.map((r) => {
    const stored = (d: unknown): Document => decodeDocument(serialize(d as Document));
    return { ...stored({ ...r, ops: [] }), ops: r.ops.map(stored) };
  });

describe('OplogEngine', () => {
  it('given committed batches, builds one record per batch with mongod-like operations', async () => {
    const engine = await open(new MemoryEngine());
    for (const b of workload()) await commit(engine, b);
    const records = engine.oplog.snapshot().records;
    expect(records.map((r) => r.ops.map((o) => o.op).join(''))).toEqual([
      'c',
      'c',
      'ii',
      'u',
      'i',
      'r',
      'd',
      'c',
      'ccc',
    ]);
    const update = records[3];
    expect(update.ops[0]).toMatchObject({
      op: 'u',
      ns: 'db.c',
      ui: uuid,
      o2: { _id: 1 },
      o: { updatedFields: { a: 5 } },
    });
    expect(update.ops[0].preImage).toBeUndefined();
    expect(update.txnNumber).toEqual(Long.fromNumber(7));
    expect(records[5].ops[0]).toMatchObject({ op: 'r', preImage: { _id: 'x' }, o: { _id: 'x', v: 2 } });
    expect(records[6].ops[0]).toMatchObject({ op: 'd', preImage: { _id: 'x', v: 2 } });
    expect(records[7].ops).toEqual([
      {
        op: 'c',
        ns: 'db.$cmd',
        ui: uuid,
        o: { renameCollection: 'db.c', to: 'db.c2', stayTemp: false },
      },
    ]);
    expect(records[8].ops.map((o) => o.o)).toEqual([{ drop: 'c2' }, { drop: 'img' }, { dropDatabase: 1 }]);
    expect(records[8].ops.map((o) => o.ui)).toEqual([uuid, imagesUuid, undefined]);
  });

  it('after a crash, recovers from the journal exactly the records it wrote (images, txn, kinds)', async () => {
    const disk = new FakeDiskEngine();
    const engine = await open(disk);
    for (const b of workload()) await commit(engine, b);
    const live = asStored(engine.oplog.snapshot().records);
    const recovered = await open(disk.crash());
    expect(asStored(recovered.oplog.snapshot().records)).toEqual(live);
    expect(recovered.oplog.visibleEndSeq).toBe(live.length);
  });

  it('after a checkpoint and more batches, recovers checkpointed and journaled records alike', async () => {
    const disk = new FakeDiskEngine();
    const engine = await open(disk);
    const batches = workload();
    for (const b of batches.slice(0, 5)) await commit(engine, b);
    await engine.checkpoint();
    for (const b of batches.slice(5)) await commit(engine, b);
    const live = asStored(engine.oplog.snapshot().records);
    const recovered = await open(disk.crash());
    expect(asStored(recovered.oplog.snapshot().records)).toEqual(live);
  });

  it('the catalog never sees the oplog: recovered batches and checkpoints come back without it', async () => {
    const disk = new FakeDiskEngine();
    const engine = await open(disk);
    const batches = workload();
    for (const b of batches.slice(0, 3)) await commit(engine, b);
    await engine.checkpoint();
    await commit(engine, batches[3]);
    const e2 = new OplogEngine(disk.crash(), { maxBytes: 1e9 });
    const state = await e2.open(() => ({ ts: new Timestamp({ t: 0, i: 0 }), collections: [] }));
    expect(state.checkpoint?.collections.map((c) => c.ns)).toEqual(['db.c', 'db.img']);
    expect(state.batches.map((b) => b.mutations.map((m) => m.op))).toEqual([['put']]);
  });

  it('a durable append makes its record visible only when the engine resolves it', async () => {
    const disk = new FakeDiskEngine();
    const engine = await open(disk);
    const [create] = workload();
    const done = commit(engine, create, true);
    expect(engine.oplog.visibleEndSeq).toBe(0);
    disk.sync();
    await done;
    expect(engine.oplog.visibleEndSeq).toBe(1);
  });

  it('a non-durable record becomes visible when a reader waits for it (the engine is flushed)', async () => {
    const engine = await open(new FakeDiskEngine());
    const [create] = workload();
    await commit(engine, create);
    expect(engine.oplog.visibleEndSeq).toBe(0);
    await engine.oplog.waitForVisible(1000);
    expect(engine.oplog.visibleEndSeq).toBe(1);
  });

  it('a data directory from before the oplog has no history before its checkpoint', async () => {
    const disk = new FakeDiskEngine();
    disk.image = { ts: new Timestamp({ t: 5, i: 5 }), collections: [] };
    const legacy = {
      ts: new Timestamp({ t: 6, i: 1 }),
      mutations: [{ op: 'createCollection' as const, ns: 'db.c', uuid, options: {} }],
    };
    disk.journal.push(encodeBatch(legacy));
    const engine = await open(disk);
    expect(engine.oplog.length).toBe(0);
    expect(engine.oplog.truncatedThrough).toEqual(new Timestamp({ t: 6, i: 1 }));
  });

  it('splits big records and big pre-images into fragments below the BSON limit, and joins them back', async () => {
    const disk = new FakeDiskEngine();
    const engine = await open(disk);
    const big = 'x'.repeat(3 * 1024 * 1024);
    const [, images] = workload();
    await commit(engine, images);
    const docs = Array.from({ length: 8 }, (_, k) => ({ _id: k, big }));
    await commit(engine, {
      ts: nextTs(),
      mutations: docs.map((d) => ({ op: 'put', ns: 'db.img', id: d._id, doc: d, before: null })),
    });
    await commit(engine, {
      ts: nextTs(),
      mutations: docs.map((d) => ({ op: 'put', ns: 'db.img', id: d._id, doc: { ...d, v: 1 }, before: d })),
    });
    const live = asStored(engine.oplog.snapshot().records);
    expect((live[2].ops as Document[])[7]).toMatchObject({ op: 'r', preImage: { big } });
    // Journal: the 24 MiB of pre-images went out as several meta fragments.
    expect(asStored((await open(disk.crash())).oplog.snapshot().records)).toEqual(live);
    // Checkpoint: each 24 MiB record as fragments.
    await engine.checkpoint();
    expect(disk.image?.collections.find((c) => c.ns === 'local.$oplog')?.documents.length).toBeGreaterThan(3);
    expect(asStored((await open(disk.crash())).oplog.snapshot().records)).toEqual(live);
  });
});
