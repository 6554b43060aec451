import { ObjectId } from 'mongodb';
import { canonical } from './projection-rebuilder.js';

describe('verify: canonical documents', () => {
  it('ignores key order', () => {
    expect(canonical({ a: 1, b: { c: 2, d: 3 } }, [])).toBe(canonical({ b: { d: 3, c: 2 }, a: 1 }, []));
  });

  it('keeps BSON types apart (an Int32 1 and a string "1" differ; dates and ObjectIds compare by value)', () => {
    const id = new ObjectId();
    expect(canonical({ v: 1 }, [])).not.toBe(canonical({ v: '1' }, []));
    expect(canonical({ id, at: new Date(5) }, [])).toBe(
      canonical({ id: new ObjectId(id.toHexString()), at: new Date(5) }, []),
    );
    expect(canonical({ at: new Date(5) }, [])).not.toBe(canonical({ at: new Date(6) }, []));
  });

  it('removes ignored paths, also inside arrays, and nothing else', () => {
    const live = {
      _id: 1,
      n: 2,
      lastSyncedFrom: { v: 3, syncedAt: new Date(1) },
      items: [{ q: 1, at: new Date(1) }],
    };
    const replay = {
      _id: 1,
      n: 2,
      lastSyncedFrom: { v: 3, syncedAt: new Date(2) },
      items: [{ q: 1, at: new Date(2) }],
    };
    expect(canonical(live, ['lastSyncedFrom.syncedAt', 'items.at'])).toBe(
      canonical(replay, ['lastSyncedFrom.syncedAt', 'items.at']),
    );
    expect(canonical(live, ['lastSyncedFrom.syncedAt'])).not.toBe(
      canonical(replay, ['lastSyncedFrom.syncedAt']),
    );
    expect(canonical({ ...live, n: 3 }, ['lastSyncedFrom.syncedAt', 'items.at'])).not.toBe(
      canonical(replay, ['lastSyncedFrom.syncedAt', 'items.at']),
    );
  });
});
