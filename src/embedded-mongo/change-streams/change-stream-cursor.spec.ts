import { Timestamp, type Document } from '../bson.js';
import { Oplog } from '../oplog/oplog.js';
import { parseChangeStreamSpec } from './change-stream-options.js';
import { ChangeStreamCursor } from './change-stream-cursor.js';
import { ChangeStreamReader } from './change-stream-reader.js';
import { decodeToken, eventPosition, highWaterMark } from './resume-token.js';

const ts = (i: number): Timestamp => new Timestamp({ t: 1000, i });

/** An oplog of `n` single-insert records on db.c, all durable. */
function inserts(n: number): Oplog {
  const log = new Oplog({ maxBytes: 1e12 });
  for (let i = 1; i <= n; i++)
    log.append({ _id: ts(i), wall: new Date(0), ops: [{ op: 'i', ns: 'db.c', o: { _id: i } }] }, 10);
  log.markDurable(ts(n));
  return log;
}

function cursorOn(
  log: Oplog,
  transform: (d: Document) => Document | undefined = (d) => d,
): ChangeStreamCursor {
  const ctx = {
    scope: { kind: 'collection', db: 'db', coll: 'c' } as const,
    options: parseChangeStreamSpec({}),
    lookup: () => null,
  };
  return new ChangeStreamCursor(new ChangeStreamReader(log, ctx, highWaterMark(ts(0))), log, transform);
}

async function take(c: ChangeStreamCursor, n: number): Promise<Document[]> {
  const out: Document[] = [];
  for (let i = 0; i < n; i++) {
    const r = await c.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe('ChangeStreamCursor', () => {
  it('skips past any number of filtered events to the next one that passes', async () => {
    const c = cursorOn(inserts(2500), (d) => ((d.documentKey as Document)._id === 2500 ? d : undefined));
    const [e] = await take(c, 1);
    expect(e.documentKey).toEqual({ _id: 2500 });
    expect((await c.next()).done).toBe(true);
  });

  it('postBatchResumeToken: the last event while more are held back, then the high-water mark', async () => {
    const log = inserts(5);
    const c = cursorOn(log);
    const batch = await take(c, 2);
    const reply: Document = { nextBatch: batch };
    c.decorate(reply);
    expect(decodeToken(reply.postBatchResumeToken)).toEqual(eventPosition(ts(2), 0));
    const rest = await take(c, 10);
    const reply2: Document = { nextBatch: rest };
    c.decorate(reply2);
    expect(decodeToken(reply2.postBatchResumeToken)).toEqual(highWaterMark(ts(5)));
  });

  it('an event handed out but held back for the next batch is not covered by the token', async () => {
    const c = cursorOn(inserts(3));
    const [a, b] = await take(c, 3);
    const reply: Document = { nextBatch: [a] };
    c.decorate(reply);
    expect(b).toBeDefined();
    expect(decodeToken(reply.postBatchResumeToken)).toEqual(eventPosition(ts(1), 0));
  });

  it('a filtered-out tail still moves the token past it (no rescan on resume)', async () => {
    const c = cursorOn(inserts(4), (d) => ((d.documentKey as Document)._id === 1 ? d : undefined));
    const batch = await take(c, 10);
    const reply: Document = { firstBatch: batch };
    c.decorate(reply);
    expect(decodeToken(reply.postBatchResumeToken)).toEqual(highWaterMark(ts(4)));
  });
});
