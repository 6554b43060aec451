import { Timestamp } from '../bson.js';
import { Oplog } from './oplog.js';
import type { OplogRecord } from './oplog-record.js';

const ts = (i: number): Timestamp => new Timestamp({ t: 100, i });

function record(i: number, wallMs = 1_000_000): OplogRecord {
  return { _id: ts(i), wall: new Date(wallMs), ops: [{ op: 'i', ns: 'db.c', o: { _id: i } }] };
}

describe('Oplog', () => {
  it('given appended records, seqAfter finds the first record after (or at) a Timestamp', () => {
    const log = new Oplog({ maxBytes: 1e9 });
    for (const i of [1, 2, 4, 8]) log.append(record(i), 10);
    expect(log.seqAfter(ts(0))).toBe(0);
    expect(log.seqAfter(ts(2))).toBe(2);
    expect(log.seqAfter(ts(2), true)).toBe(1);
    expect(log.seqAfter(ts(3))).toBe(2);
    expect(log.seqAfter(ts(8))).toBe(4);
    expect(log.at(2)?._id).toEqual(ts(4));
  });

  it('when the size limit is exceeded, drops the oldest records and remembers the newest dropped', () => {
    const log = new Oplog({ maxBytes: 25 });
    for (let i = 1; i <= 5; i++) log.append(record(i), 10);
    expect(log.length).toBe(2);
    expect(log.startSeq).toBe(3);
    expect(log.at(3)?._id).toEqual(ts(4));
    expect(log.at(2)).toBeUndefined();
    expect(log.truncatedThrough).toEqual(ts(3));
    expect(log.sizeBytes).toBe(20);
  });

  it('always keeps the newest record, even when it alone exceeds the limit', () => {
    const log = new Oplog({ maxBytes: 5 });
    log.append(record(1), 10);
    log.append(record(2), 10);
    expect(log.length).toBe(1);
    expect(log.at(log.startSeq)?._id).toEqual(ts(2));
  });

  it('drops records older than the age limit', () => {
    let now = 10_000;
    const log = new Oplog({ maxBytes: 1e9, maxAgeMs: 1000 }, () => now);
    log.append(record(1, 8_000), 1);
    expect(log.length).toBe(0);
    expect(log.truncatedThrough).toEqual(ts(1));
    log.append(record(2, 9_500), 1);
    expect(log.length).toBe(1);
    now = 11_000;
    log.enforceRetention();
    expect(log.length).toBe(0);
    expect(log.truncatedThrough).toEqual(ts(2));
  });

  it('records are visible only once durable, and a waiter wakes then (not before)', async () => {
    const log = new Oplog({ maxBytes: 1e9 });
    let wanted = 0;
    log.onDurabilityWanted = () => wanted++;
    log.append(record(1), 1);
    log.append(record(2), 1);
    expect(log.visibleEndSeq).toBe(0);
    let woke = false;
    const wait = log.waitForVisible(5000).then(() => (woke = true));
    expect(wanted).toBe(1);
    await Promise.resolve();
    expect(woke).toBe(false);
    log.markDurable(ts(1));
    await wait;
    expect(woke).toBe(true);
    expect(log.visibleEndSeq).toBe(1);
    log.markDurable(ts(2));
    expect(log.visibleEndSeq).toBe(2);
  });

  it('a wait ends after its timeout when nothing becomes visible', async () => {
    const log = new Oplog({ maxBytes: 1e9 });
    const t0 = Date.now();
    await log.waitForVisible(30);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it('keeps sequence numbers stable across compaction of dropped records', () => {
    const log = new Oplog({ maxBytes: 100 });
    for (let i = 1; i <= 5000; i++) log.append(record(i), 10);
    expect(log.length).toBe(10);
    expect(log.startSeq).toBe(4990);
    expect(log.at(4999)?._id).toEqual(ts(5000));
    expect(log.snapshot().records.map((r) => r._id.i)).toEqual([
      4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999, 5000,
    ]);
  });
});
