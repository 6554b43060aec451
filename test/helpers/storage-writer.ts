/**
 * Child-process writer for test/storage-crash.test.ts (run from dist/ after `npm run build`):
 * opens the catalog on a FileEngine and runs WRITERS concurrent loops; each iteration is one
 * write unit (one batch) inserting BATCH documents and replacing the writer's progress document,
 * committed durably. After each durable commit resolves it prints `ack <writer> <n>` on stdout.
 * It never stops by itself: the test SIGKILLs it.
 *
 *   node dist/test/helpers/storage-writer.js --dbpath DIR --round R [--writers 4] [--batch 5]
 *
 * Startup measurement modes (print one JSON line and exit):
 *   --mode fill --count N   fill DIR with N documents (2 secondary indexes), flush, no clean close
 *                           when --crash is given (so the next open replays the journal)
 *   --mode open             open DIR and report {"openMs", "count", "recovery"}
 */
import { parseArgs } from 'node:util';
import { Catalog } from '../../src/embedded-mongo/catalog/catalog.js';
import { createLogger } from '../../src/embedded-mongo/logger.js';
import { FileEngine } from '../../src/embedded-mongo/storage/file-engine.js';
import { Int32 } from '../../src/embedded-mongo/bson.js';

export const NS = 'crash.docs';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dbpath: { type: 'string' },
      round: { type: 'string', default: '0' },
      writers: { type: 'string', default: '4' },
      batch: { type: 'string', default: '5' },
      mode: { type: 'string', default: 'write' },
      count: { type: 'string', default: '100000' },
      crash: { type: 'boolean', default: false },
    },
  });
  if (!values.dbpath) throw new Error('--dbpath is required');
  const round = Number(values.round);
  const writers = Number(values.writers);
  const batch = Number(values.batch);
  const logger = createLogger('warn', 'storage-writer');
  if (values.mode === 'fill') return fill(values.dbpath, Number(values.count), values.crash);
  if (values.mode === 'open') return openOnly(values.dbpath);
  // A small checkpoint threshold so that kills also land during checkpoints and journal rotation.
  const engine = new FileEngine(values.dbpath, { logger, checkpointBytes: 256 * 1024 });
  const catalog = await Catalog.open(engine, { logger, ttlMonitorSleepSecs: 0 });
  if (!catalog.getCollection('crash', 'docs')) {
    await catalog.createIndexes('crash', 'docs', [{ key: { key: 1 }, name: 'key_1', unique: true }], {
      durable: true,
    });
  }
  process.stdout.write('ready\n');

  const loop = async (w: number): Promise<never> => {
    for (let n = 0; ; n++) {
      const unit = catalog.beginWrite();
      for (let j = 0; j < batch; j++) {
        const id = `r${round}-w${w}-b${n}-${j}`;
        unit.insert(NS, {
          _id: id,
          key: id,
          round: new Int32(round),
          writer: new Int32(w),
          n: new Int32(n),
          j: new Int32(j),
          size: new Int32(batch),
          pad: 'x'.repeat(200),
        });
      }
      const progress = `progress-r${round}-w${w}`;
      if (n === 0) unit.insert(NS, { _id: progress, key: progress, n: new Int32(0) });
      else unit.replace(NS, progress, { _id: progress, key: progress, n: new Int32(n) });
      // Every third batch is not durable: it may be lost, but never half-applied.
      const durable = n % 3 !== 2;
      await unit.commit({ durable });
      if (durable) process.stdout.write(`ack ${w} ${n}\n`);
    }
  };
  await Promise.all(Array.from({ length: writers }, (_, w) => loop(w)));
}

const silent = createLogger('silent');

async function fill(dbPath: string, count: number, crash: boolean): Promise<void> {
  const t0 = performance.now();
  const catalog = await Catalog.open(new FileEngine(dbPath, { logger: silent }), {
    logger: silent,
    ttlMonitorSleepSecs: 0,
  });
  await catalog.createIndexes('big', 'docs', [
    { key: { email: 1 }, name: 'email_1', unique: true },
    { key: { group: 1, at: -1 }, name: 'group_1_at_-1' },
  ]);
  for (let start = 0; start < count; start += 1000) {
    const unit = catalog.beginWrite();
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      unit.insert('big.docs', {
        _id: i,
        email: `user${i}@example.com`,
        group: new Int32(i % 97),
        at: new Date(1_700_000_000_000 + i),
        name: `User number ${i}`,
        tags: ['a', 'b'],
      });
    }
    await unit.commit();
  }
  await catalog.flush();
  if (!crash) await catalog.close();
  process.stdout.write(JSON.stringify({ fillMs: Math.round(performance.now() - t0) }) + '\n');
  if (crash) process.kill(process.pid, 'SIGKILL');
}

async function openOnly(dbPath: string): Promise<void> {
  const t0 = performance.now();
  const catalog = await Catalog.open(new FileEngine(dbPath, { logger: silent }), {
    logger: silent,
    ttlMonitorSleepSecs: 0,
  });
  const openMs = Math.round(performance.now() - t0);
  const coll = catalog.getCollection('big', 'docs');
  const probe = coll?.scan({ email: 'user77777@example.com' }).take() ?? [];
  process.stdout.write(
    JSON.stringify({ openMs, count: coll?.count() ?? 0, found: probe.length, recovery: catalog.recovery }) +
      '\n',
  );
  // No clean close: keep the directory exactly as it was (a journal-only image stays one).
  process.kill(process.pid, 'SIGKILL');
}

main().catch((err: unknown) => {
  process.stderr.write(
    `storage-writer: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
