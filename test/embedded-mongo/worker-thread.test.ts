/**
 * The embedded server on its own thread (src/embedded-mongo/worker-host.ts), as `npm start` runs
 * it: the compiled host (dist/, so run `npm run build` first) starts it in a child node process,
 * the driver writes to it, a clean stop flushes it, and a second start on the same data directory
 * finds the documents.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const HOST = path.resolve('dist/src/embedded-mongo/worker-host.js');
const DRIVER = path.resolve('node_modules/mongodb/lib/index.js');

/** One child: start on a thread, run `body` (JS with `client`, `db`), print its JSON result, stop. */
async function onThread(dbPath: string, body: string): Promise<unknown> {
  const script = `
    import { startEmbeddedMongoOnThread, canRunOnThread } from ${JSON.stringify(HOST)};
    import mongodb from ${JSON.stringify(DRIVER)};
    if (!canRunOnThread()) throw new Error('compiled worker entry missing');
    const server = await startEmbeddedMongoOnThread({ dbPath: ${JSON.stringify(dbPath)}, logLevel: 'error' },
      (reason) => { console.error(reason); process.exit(3); });
    const client = await mongodb.MongoClient.connect(server.uri);
    const db = client.db('t');
    const result = await (async () => { ${body} })();
    await client.close();
    await server.stop();
    console.log(JSON.stringify(result));`;
  const file = path.join(path.dirname(dbPath), `step-${Date.now()}.mjs`);
  await writeFile(file, script);
  const { stdout } = await run(process.execPath, [file], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? 'null') as unknown;
}

describe('embedded server on a worker thread', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('worker-thread');
  });
  afterAll(async () => {
    await removeTempDir(dir);
  });

  it('serves the driver, stops cleanly, and a restart on the same data directory keeps the data', async () => {
    const dbPath = path.join(dir, 'db');
    const written = await onThread(
      dbPath,
      `await db.collection('c').insertMany([{ _id: 1, v: 'a' }, { _id: 2, v: 'b' }], { writeConcern: { w: 'majority', j: true } });
       return (await db.command({ hello: 1 })).setName;`,
    );
    expect(written).toBe('rs0');
    const read = await onThread(dbPath, `return await db.collection('c').find().sort({ _id: 1 }).toArray();`);
    expect(read).toEqual([
      { _id: 1, v: 'a' },
      { _id: 2, v: 'b' },
    ]);
    // Two node processes, each starting a server on a worker thread: jest's 5 s default is not
    // enough on a loaded machine (each step has its own 60 s limit above).
  }, 120_000);
});
