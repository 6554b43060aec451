import { Timestamp, UUID, type Document } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import { Oplog } from '../oplog/oplog.js';
import type { OplogOp, OplogRecord } from '../oplog/oplog-record.js';
import type { EventContext } from './change-events.js';
import { parseChangeStreamSpec, type StreamScope } from './change-stream-options.js';
import { ChangeStreamReader, checkResumable } from './change-stream-reader.js';
import { decodeToken, eventPosition, highWaterMark, type StreamPosition } from './resume-token.js';

const ts = (i: number): Timestamp => new Timestamp({ t: 1000, i });
const ui = new UUID().toBinary();
const ins = (ns: string, id: unknown): OplogOp => ({ op: 'i', ns, ui, o: { _id: id } });
const cmd = (db: string, o: Document): OplogOp => ({ op: 'c', ns: `${db}.$cmd`, ui, o });

/** An oplog holding `ops` as one record each (an array: one record with several ops). */
function oplogOf(...records: (OplogOp | OplogOp[])[]): Oplog {
  const log = new Oplog({ maxBytes: 1e9 });
  records.forEach((r, i) => {
    const rec: OplogRecord = { _id: ts(i + 1), wall: new Date(0), ops: Array.isArray(r) ? r : [r] };
    log.append(rec, 100);
  });
  log.markDurable(ts(records.length));
  return log;
}

function ctx(scope: StreamScope, spec: Document = {}): EventContext {
  return { scope, options: parseChangeStreamSpec(spec), lookup: () => null };
}

const coll: StreamScope = { kind: 'collection', db: 'db', coll: 'c' };
const database: StreamScope = { kind: 'database', db: 'db' };
const cluster: StreamScope = { kind: 'cluster' };
const start = highWaterMark(ts(0));

/** operationType (and coll or documentKey) of each event a reader yields. */
function summary(log: Oplog, c: EventContext, from: StreamPosition = start): string[] {
  return new ChangeStreamReader(log, c, from).read(1000).map((e) => {
    const d = e.doc;
    const key = (d.documentKey as Document | undefined)?._id ?? (d.ns as Document | undefined)?.coll ?? '';
    return `${String(d.operationType)}:${String(key)}`;
  });
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof MongoCommandError ? e.code : undefined;
  }
  return undefined;
}

describe('ChangeStreamReader', () => {
  it('a collection stream sees its own collection only, and ends with invalidate after a drop', () => {
    const log = oplogOf(
      ins('db.c', 1),
      ins('db.other', 2),
      ins('db2.c', 3),
      cmd('db', { drop: 'c' }),
      ins('db.c', 4),
    );
    const reader = new ChangeStreamReader(log, ctx(coll), start);
    const events = reader.read(1000);
    expect(events.map((e) => e.doc.operationType)).toEqual(['insert', 'drop', 'invalidate']);
    expect(reader.invalidated).toBe(true);
    expect(reader.position).toEqual(eventPosition(ts(4), 0, true));
  });

  it('resuming after the drop event yields the invalidate; startAfter the invalidate goes on', () => {
    const log = oplogOf(ins('db.c', 1), cmd('db', { drop: 'c' }), ins('db.c', 4));
    const drop = eventPosition(ts(2), 0);
    expect(summary(log, ctx(coll), drop)).toEqual(['invalidate:']);
    expect(summary(log, ctx(coll), eventPosition(ts(2), 0, true))).toEqual(['insert:4']);
  });

  it('a rename invalidates streams on the source and on the target', () => {
    const log = oplogOf(cmd('db', { renameCollection: 'db.x', to: 'db.c', stayTemp: false }));
    expect(summary(log, ctx(coll))).toEqual(['rename:x', 'invalidate:']);
    const toOther = oplogOf(cmd('db', { renameCollection: 'db.c', to: 'db2.y', stayTemp: false }));
    expect(summary(toOther, ctx(coll))).toEqual(['rename:c', 'invalidate:']);
    expect(summary(toOther, ctx(database))).toEqual(['rename:c']);
  });

  it('a database stream: drops, dropDatabase, invalidate; system collections hidden unless asked', () => {
    const log = oplogOf(ins('db.system.js', 0), ins('db.a', 1), [
      cmd('db', { drop: 'a' }),
      cmd('db', { drop: 'b' }),
      cmd('db', { dropDatabase: 1 }),
    ]);
    expect(summary(log, ctx(database))).toEqual([
      'insert:1',
      'drop:a',
      'drop:b',
      'dropDatabase:',
      'invalidate:',
    ]);
    expect(summary(log, ctx(database, { showSystemEvents: true }))[0]).toBe('insert:0');
  });

  it('a cluster stream skips admin, config and local and is never invalidated', () => {
    const log = oplogOf(
      ins('admin.x', 1),
      ins('config.x', 2),
      ins('local.x', 3),
      ins('db.c', 4),
      cmd('db', { dropDatabase: 1 }),
      ins('db.c', 5),
    );
    expect(summary(log, ctx(cluster))).toEqual(['insert:4', 'dropDatabase:', 'insert:5']);
  });

  it('DDL events beyond drop/rename/dropDatabase only with showExpandedEvents', () => {
    const log = oplogOf(
      cmd('db', { create: 'c', idIndex: {} }),
      cmd('db', { createIndexes: 'c', v: 2, key: { a: 1 }, name: 'a_1' }),
    );
    expect(summary(log, ctx(coll))).toEqual([]);
    const events = new ChangeStreamReader(log, ctx(coll, { showExpandedEvents: true }), start).read(10);
    expect(events.map((e) => e.doc.operationType)).toEqual(['create', 'createIndexes']);
    expect(events[1].doc.operationDescription).toEqual({ indexes: [{ v: 2, key: { a: 1 }, name: 'a_1' }] });
    expect(events[0].doc.collectionUUID).toEqual(ui);
  });

  it('events of one record (a transaction) keep their order and share the clusterTime', () => {
    const log = oplogOf([ins('db.c', 1), ins('db.other', 2), ins('db.c', 3)]);
    const events = new ChangeStreamReader(log, ctx(coll), start).read(10);
    expect(events.map((e) => e.position)).toEqual([eventPosition(ts(1), 0), eventPosition(ts(1), 2)]);
    expect(events.map((e) => e.doc.clusterTime)).toEqual([ts(1), ts(1)]);
    expect(decodeToken(events[1].doc._id)).toEqual(eventPosition(ts(1), 2));
    expect(summary(log, ctx(coll), events[0].position)).toEqual(['insert:3']);
  });

  it('reads only visible (durable) records and reports its high-water mark', () => {
    const log = oplogOf(ins('db.c', 1));
    log.append({ _id: ts(2), wall: new Date(0), ops: [ins('db.c', 2)] }, 100);
    const reader = new ChangeStreamReader(log, ctx(coll), start);
    expect(reader.read(10).length).toBe(1);
    expect(reader.position).toEqual(highWaterMark(ts(1)));
    log.markDurable(ts(2));
    expect(reader.read(10).map((e) => e.doc.documentKey)).toEqual([{ _id: 2 }]);
    expect(reader.position).toEqual(highWaterMark(ts(2)));
  });

  it('requires images for required pre-/post-images (NoMatchingDocument, 47)', () => {
    const update: OplogOp = {
      op: 'u',
      ns: 'db.c',
      ui,
      o: { updatedFields: { a: 1 }, removedFields: [], truncatedArrays: [] },
      o2: { _id: 1 },
    };
    const log = oplogOf(update);
    expect(
      codeOf(() => new ChangeStreamReader(log, ctx(coll, { fullDocument: 'required' }), start).read(1)),
    ).toBe(47);
    expect(
      codeOf(() =>
        new ChangeStreamReader(log, ctx(coll, { fullDocumentBeforeChange: 'required' }), start).read(1),
      ),
    ).toBe(47);
    const [e] = new ChangeStreamReader(
      log,
      ctx(coll, { fullDocument: 'whenAvailable', fullDocumentBeforeChange: 'whenAvailable' }),
      start,
    ).read(1);
    expect(e.doc).toMatchObject({ fullDocument: null, fullDocumentBeforeChange: null });
  });
});

describe('checkResumable', () => {
  const small = (): Oplog => {
    const log = new Oplog({ maxBytes: 250 });
    for (let i = 1; i <= 5; i++) log.append({ _id: ts(i), wall: new Date(0), ops: [ins('db.c', i)] }, 100);
    log.markDurable(ts(5));
    return log;
  };

  it('fails with ChangeStreamHistoryLost (286) before the retained history', () => {
    const log = small();
    expect(log.truncatedThrough).toEqual(ts(3));
    expect(codeOf(() => checkResumable(log, eventPosition(ts(3), 0)))).toBe(286);
    expect(codeOf(() => checkResumable(log, highWaterMark(ts(2))))).toBe(286);
    expect(codeOf(() => checkResumable(log, highWaterMark(ts(3))))).toBeUndefined();
    expect(codeOf(() => checkResumable(log, eventPosition(ts(4), 0)))).toBeUndefined();
  });

  it('fails with ChangeStreamFatalError (280) for an event the oplog never held', () => {
    const log = small();
    expect(codeOf(() => checkResumable(log, eventPosition(ts(4), 1)))).toBe(280);
    expect(codeOf(() => checkResumable(log, eventPosition(ts(99), 0)))).toBe(280);
  });

  it('a reader that falls behind truncation fails with 286', () => {
    const log = small();
    const reader = new ChangeStreamReader(log, ctx(coll), highWaterMark(ts(3)));
    for (let i = 6; i <= 9; i++) log.append({ _id: ts(i), wall: new Date(0), ops: [ins('db.c', i)] }, 100);
    expect(codeOf(() => reader.read(10))).toBe(286);
  });
});
