/**
 * Change streams across a crash. The server runs in a child process on a temp dbPath; a watcher
 * records every event (and the driver's resume token after each) while writers commit j:true
 * inserts, updates and multi-document transactions; the server is SIGKILLed mid-stream and
 * restarted on the same directory; a stream resumed with the last token received before the
 * crash must then deliver every later event exactly once: no acknowledged write missing, no event
 * seen twice, positions strictly increasing, a transaction's events together with one
 * clusterTime, and no event for a write the recovered data does not hold.
 */
import { jest } from '@jest/globals';
import {
  Timestamp,
  type ChangeStream,
  type ChangeStreamDocument,
  type Collection,
  type Document,
  type MongoClient,
  type ResumeToken,
} from 'mongodb';
import { withServerChildren, type ServerChild } from '../helpers/embedded-server.js';

jest.setTimeout(90_000);
const children = withServerChildren();

const CLIENT_OPTIONS = { serverSelectionTimeoutMS: 3000, retryWrites: false, retryReads: false } as const;
const DB = 'crashcs';
const COLL = 'events';

interface Doc extends Document {
  _id: string;
}

interface Seen {
  key: string;
  op: string;
  token: string;
  clusterTime: string;
  txn?: string;
  /** Whether the event carried lsid and txnNumber. */
  session: boolean;
}

type Event = ChangeStreamDocument<Doc> & Document;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function describeEvent(e: Event): Seen {
  const key = String((e.documentKey as { _id: unknown } | undefined)?._id ?? '');
  return {
    key,
    op: e.operationType,
    token: (e._id as { _data: string })._data,
    clusterTime: (e.clusterTime as Timestamp).toString(),
    txn: key.startsWith('t') ? key.split('-').slice(0, 2).join('-') : undefined,
    session: e.lsid !== undefined && e.txnNumber !== undefined,
  };
}

/** Reads events until the stream fails (the crash) or `until` returns true. */
async function watchAll(
  stream: ChangeStream<Doc, Event>,
  seen: Seen[],
  onToken: (t: ResumeToken, e: Event) => void,
  until: (s: Seen) => boolean = () => false,
): Promise<void> {
  for (;;) {
    let e: Event;
    try {
      e = await stream.next();
    } catch {
      return;
    }
    const s = describeEvent(e);
    seen.push(s);
    onToken(stream.resumeToken, e);
    if (until(s)) return;
  }
}

async function writers(client: MongoClient, acked: Set<string>, stop: () => boolean): Promise<void> {
  const coll: Collection<Doc> = client.db(DB).collection<Doc>(COLL);
  const plain = (async () => {
    for (let i = 0; !stop(); i++) {
      try {
        await coll.insertOne({ _id: `p-${i}`, n: i }, { writeConcern: { w: 1, j: true } });
        acked.add(`p-${i}`);
        if (i % 3 === 0) {
          await coll.updateOne(
            { _id: `p-${i}` },
            { $set: { touched: true } },
            { writeConcern: { w: 1, j: true } },
          );
          acked.add(`p-${i}:update`);
        }
      } catch {
        return;
      }
    }
  })();
  const txns = (async () => {
    for (let i = 0; !stop(); i++) {
      const session = client.startSession();
      try {
        session.startTransaction({ writeConcern: { w: 'majority', j: true } });
        for (let k = 0; k < 3; k++) await coll.insertOne({ _id: `t-${i}-${k}` }, { session });
        await session.commitTransaction();
        for (let k = 0; k < 3; k++) acked.add(`t-${i}-${k}`);
      } catch {
        return;
      } finally {
        await session.endSession().catch(() => undefined);
      }
    }
  })();
  await Promise.all([plain, txns]);
}

function stderrOf(child: ServerChild): string {
  return `\n--- server stderr (tail) ---\n${child.stderrTail().slice(-3000)}`;
}

interface Watcher {
  readonly seen: Seen[];
  /** The last resume token: the driver's (postBatchResumeToken-based) or the last event's `_id`. */
  token: ResumeToken | undefined;
  done: Promise<void>;
}

function startWatcher(client: MongoClient, useEventIds: boolean): Watcher {
  const stream = client.db(DB).collection<Doc>(COLL).watch<Doc, Event>([], { maxAwaitTimeMS: 200 });
  const w: Watcher = { seen: [], token: undefined, done: Promise.resolve() };
  w.done = (async () => {
    await stream.tryNext();
    w.token = stream.resumeToken;
    await watchAll(stream, w.seen, (t, e) => (w.token = useEventIds ? (e._id as ResumeToken) : t));
  })();
  return w;
}

/** Resumes after the restart and reads up to the end marker. */
async function resume(client: MongoClient, token: ResumeToken | undefined): Promise<Seen[]> {
  const after: Seen[] = [];
  const stream = client
    .db(DB)
    .collection<Doc>(COLL)
    .watch<Doc, Event>([], { resumeAfter: token, maxAwaitTimeMS: 200 });
  await watchAll(
    stream,
    after,
    () => undefined,
    (s) => s.key === 'end-marker',
  );
  await stream.close();
  return after;
}

async function check(
  label: string,
  all: Seen[],
  acked: ReadonlySet<string>,
  ids: ReadonlySet<unknown>,
): Promise<void> {
  // Exactly once: no event twice, and positions strictly increase across the crash.
  const tokens = all.map((s) => s.token);
  expect({ label, distinct: new Set(tokens).size }).toEqual({ label, distinct: tokens.length });
  const disorder = tokens.findIndex((t, i) => i > 0 && t <= tokens[i - 1]);
  expect({ label, disorder }).toEqual({ label, disorder: -1 });
  const eventKeys = new Set(all.map((s) => (s.op === 'update' ? `${s.key}:update` : s.key)));
  expect({ label, distinct: eventKeys.size }).toEqual({ label, distinct: all.length });

  // Nothing lost: every acknowledged write has its event, before or after the crash.
  const missing = [...acked].filter((k) => !eventKeys.has(k));
  expect({ label, missing: missing.slice(0, 10) }).toEqual({ label, missing: [] });

  // Nothing invented: every event is of a write the recovered data holds.
  const phantom = all.filter((s) => !ids.has(s.key));
  expect({ label, phantom }).toEqual({ label, phantom: [] });

  // A transaction's events (and only they) carry lsid/txnNumber, also when replayed after the crash.
  const tagged = all.filter((s) => s.session !== (s.txn !== undefined));
  expect({ label, tagged }).toEqual({ label, tagged: [] });

  // A transaction's events arrive together, all three, with one clusterTime.
  const byTxn = new Map<string, Seen[]>();
  for (const s of all) if (s.txn) byTxn.set(s.txn, [...(byTxn.get(s.txn) ?? []), s]);
  for (const [txn, events] of byTxn) {
    expect({ txn, count: events.length, times: new Set(events.map((e) => e.clusterTime)).size }).toEqual({
      txn,
      count: 3,
      times: 1,
    });
  }
  expect(byTxn.size).toBeGreaterThan(0);
}

describe('change streams across a SIGKILL', () => {
  it('a stream resumed with the last token before the crash delivers every later event exactly once', async () => {
    const dbPath = await children.tempDir('embedded-mongo-cs-crash');
    let server = await children.start({ dbPath });
    const client = await children.client(server.uri, CLIENT_OPTIONS);
    await client.db(DB).createCollection(COLL);

    const byDriverToken = startWatcher(client, false);
    const byEventId = startWatcher(client, true);
    await sleep(300);
    const acked = new Set<string>();
    let stopped = false;
    const writing = writers(client, acked, () => stopped);
    await sleep(1500);
    const crash = server.crash();
    stopped = true;
    await crash;
    await Promise.all([writing, byDriverToken.done, byEventId.done]);
    await client.close(true);
    expect(byDriverToken.seen.length).toBeGreaterThan(20);

    server = await children.start({ dbPath });
    const client2 = await children.client(server.uri, CLIENT_OPTIONS);
    const coll = client2.db(DB).collection<Doc>(COLL);
    const resumedA = resume(client2, byDriverToken.token);
    const resumedB = resume(client2, byEventId.token);
    await sleep(300);
    await coll.insertOne({ _id: 'end-marker' }, { writeConcern: { w: 1, j: true } });
    const [afterA, afterB] = await Promise.all([resumedA, resumedB]);
    const ids = new Set((await coll.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
    const without = (s: Seen[]): Seen[] => s.filter((x) => x.key !== 'end-marker');
    try {
      await check('driver token', without([...byDriverToken.seen, ...afterA]), acked, ids);
      await check('event _id', without([...byEventId.seen, ...afterB]), acked, ids);
    } catch (e) {
      throw new Error(`${String(e)}${stderrOf(server)}`);
    }
    await server.stop();
  });
});
