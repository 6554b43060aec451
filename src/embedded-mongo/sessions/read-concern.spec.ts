import { Timestamp } from '../bson.js';
import {
  checkAtClusterTime,
  checkCommandReadConcern,
  checkTransactionReadConcern,
  parseReadConcern,
} from './read-concern.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: number }).code;
  }
  return undefined;
}

const ts = (t: number, i = 1): Timestamp => new Timestamp({ t, i });

describe('read concern', () => {
  it('parses levels and cluster times; an empty read concern is none', () => {
    expect(parseReadConcern(undefined)).toBeUndefined();
    expect(parseReadConcern({})).toBeUndefined();
    expect(parseReadConcern({ level: 'majority' })).toEqual({ level: 'majority' });
    expect(parseReadConcern({ afterClusterTime: ts(5) })).toMatchObject({ afterClusterTime: ts(5) });
    expect(parseReadConcern({ level: 'snapshot', atClusterTime: ts(5) })).toMatchObject({
      level: 'snapshot',
      atClusterTime: ts(5),
    });
  });

  it('rejects what mongod rejects', () => {
    expect(codeOf(() => parseReadConcern({ level: 'strong' }))).toBe(9);
    expect(codeOf(() => parseReadConcern({ level: 1 }))).toBe(14);
    expect(codeOf(() => parseReadConcern('local'))).toBe(14);
    expect(codeOf(() => parseReadConcern({ level: 'local', atClusterTime: ts(5) }))).toBe(72);
    expect(
      codeOf(() => parseReadConcern({ level: 'snapshot', atClusterTime: ts(5), afterClusterTime: ts(4) })),
    ).toBe(72);
    expect(codeOf(() => parseReadConcern({ level: 'linearizable', afterClusterTime: ts(5) }))).toBe(72);
    expect(codeOf(() => parseReadConcern({ afterClusterTime: new Timestamp({ t: 0, i: 0 }) }))).toBe(72);
    expect(codeOf(() => parseReadConcern({ level: 'local', bogus: 1 }))).toBe(40415);
  });

  it('snapshot reads outside transactions: find, aggregate and distinct only', () => {
    const snap = parseReadConcern({ level: 'snapshot' });
    for (const cmd of ['find', 'aggregate', 'distinct'])
      expect(codeOf(() => checkCommandReadConcern(cmd, snap))).toBeUndefined();
    for (const cmd of ['insert', 'listCollections', 'listIndexes', 'listDatabases', 'count'])
      expect(codeOf(() => checkCommandReadConcern(cmd, snap))).toBe(72);
    expect(codeOf(() => checkCommandReadConcern('insert', parseReadConcern({ level: 'majority' })))).toBe(72);
    expect(
      codeOf(() => checkCommandReadConcern('find', parseReadConcern({ level: 'majority' }))),
    ).toBeUndefined();
  });

  it('transactions take local, majority or snapshot', () => {
    expect(
      codeOf(() => checkTransactionReadConcern(parseReadConcern({ level: 'snapshot' }))),
    ).toBeUndefined();
    expect(codeOf(() => checkTransactionReadConcern(parseReadConcern({ level: 'available' })))).toBe(72);
    expect(codeOf(() => checkTransactionReadConcern(parseReadConcern({ level: 'linearizable' })))).toBe(72);
  });

  it('atClusterTime cannot be ahead of the cluster time', () => {
    expect(codeOf(() => checkAtClusterTime(ts(5), ts(5)))).toBeUndefined();
    expect(codeOf(() => checkAtClusterTime(ts(6), ts(5)))).toBe(72);
  });
});
