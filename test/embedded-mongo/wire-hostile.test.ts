/**
 * Hostile wire traffic against the REAL server (a child process, so a crash shows as an exit
 * instead of taking jest down): >= 10,000 random, truncated, oversized and malformed frames from
 * the shared fuzz harness, while a driver client keeps doing CRUD. The server must keep running,
 * reject every forbidden frame by closing that connection, leak no connections, and the
 * well-behaved clients must not notice anything.
 */
import { type Document } from 'mongodb';
import { withServerChildren } from '../helpers/embedded-server.js';
import { runWireFuzz } from '../helpers/wire-fuzz.js';

const children = withServerChildren();
const FRAMES = 10_000;

function connectionsCurrent(status: Document): number {
  return Number((status.connections as Document).current);
}

describe('wire fuzz against the real embedded server', () => {
  it(`survives ${FRAMES} hostile frames while other clients keep working`, async () => {
    const server = await children.start({ logLevel: 'error' });
    let serverExit: unknown;
    void server.exited.then((exit) => {
      serverExit = { ...exit, stderr: server.stderrTail().slice(-4000) };
    });
    const client = await children.client(server.uri);
    const admin = client.db('admin');
    const coll = client.db('hostile').collection<{ _id: number; n: number }>('c');
    const baseline = connectionsCurrent(await admin.command({ serverStatus: 1 }));

    let done = false;
    const crud = { ops: 0, errors: [] as string[] };
    const crudLoop = (async () => {
      for (let i = 0; !done; i++) {
        try {
          await coll.insertOne({ _id: i, n: i });
          const doc = await coll.findOne({ _id: i });
          if (doc?.n !== i) crud.errors.push(`read back ${JSON.stringify(doc)} for ${i}`);
          await coll.updateOne({ _id: i }, { $inc: { n: 1 } });
          crud.ops += 3;
        } catch (err) {
          crud.errors.push(err instanceof Error ? err.message : String(err));
          if (crud.errors.length > 10) return;
        }
      }
    })();

    const seed = Date.now() >>> 0;
    const report = await runWireFuzz({ host: server.host, port: server.port, count: FRAMES, seed });
    done = true;
    await crudLoop;

    console.log(
      `wire fuzz seed ${report.seed}: ${report.framesSent} frames in ${report.elapsedMs} ms, ` +
        `${report.rejectedByServer}/${report.mustReject} forbidden frames rejected, ` +
        `${report.goodReplies}/${report.goodRequests} good replies, ${report.driverPings} driver pings, ` +
        `${crud.ops} driver CRUD ops; kinds ${JSON.stringify(report.casesByKind)}`,
    );
    expect(serverExit).toBeUndefined();
    expect(report.framesSent).toBeGreaterThanOrEqual(FRAMES);
    expect({ seed: report.seed, failures: report.failures.slice(0, 10) }).toEqual({ seed, failures: [] });
    expect(report.rejectedByServer).toBe(report.mustReject);
    expect(report.goodFailures).toEqual([]);
    expect(report.goodReplies).toBe(report.goodRequests);
    expect(report.driverPings).toBeGreaterThan(0);
    expect(crud.errors).toEqual([]);
    expect(crud.ops).toBeGreaterThan(0);

    // Still serving, the data written during the fuzz is all there, and no bad connection leaked.
    expect(await admin.command({ ping: 1 })).toMatchObject({ ok: 1 });
    const written = crud.ops / 3;
    expect(await coll.countDocuments()).toBe(written);
    expect(await coll.countDocuments({ $expr: { $ne: ['$n', { $add: ['$_id', 1] }] } })).toBe(0);
    let current = Infinity;
    for (let i = 0; i < 50; i++) {
      current = connectionsCurrent(await admin.command({ serverStatus: 1 }));
      if (current <= baseline + 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(current).toBeLessThanOrEqual(baseline + 2);
  }, 150_000);
});
