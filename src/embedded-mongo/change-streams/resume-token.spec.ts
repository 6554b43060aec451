import { Timestamp } from '../bson.js';
import { MongoCommandError } from '../errors.js';
import {
  beforeTimestamp,
  comparePositions,
  decodeToken,
  encodeToken,
  eventPosition,
  highWaterMark,
  type StreamPosition,
} from './resume-token.js';

const ts = (t: number, i: number): Timestamp => new Timestamp({ t, i });

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof MongoCommandError ? e.code : undefined;
  }
  return undefined;
}

describe('resume tokens', () => {
  const positions: StreamPosition[] = [
    highWaterMark(ts(5, 0)),
    eventPosition(ts(5, 1), 0),
    eventPosition(ts(5, 1), 0, true),
    eventPosition(ts(5, 1), 1),
    eventPosition(ts(5, 1), 300),
    highWaterMark(ts(5, 1)),
    eventPosition(ts(5, 2), 0),
    eventPosition(ts(6, 0), 0),
    highWaterMark(ts(0xffffffff, 0xffffffff)),
  ];

  it('round-trip through {_data}', () => {
    for (const p of positions) expect(decodeToken(encodeToken(p))).toEqual(p);
  });

  it('order as hex strings exactly as positions order', () => {
    const hex = positions.map((p) => encodeToken(p)._data);
    expect([...hex].sort()).toEqual(hex);
    for (let i = 1; i < positions.length; i++)
      expect(comparePositions(positions[i - 1], positions[i])).toBe(-1);
  });

  it('start with 82 + the clusterTime, as mongod tokens do', () => {
    expect(encodeToken(eventPosition(ts(0x6b082805, 3), 2))._data.slice(0, 18)).toBe('826B08280500000003');
  });

  it('startAtOperationTime is the high-water mark just before its Timestamp', () => {
    expect(beforeTimestamp(ts(7, 3))).toEqual(highWaterMark(ts(7, 2)));
    expect(beforeTimestamp(ts(7, 0))).toEqual(highWaterMark(ts(6, 0xffffffff)));
    expect(comparePositions(beforeTimestamp(ts(7, 3)), eventPosition(ts(7, 3), 0))).toBe(-1);
    expect(comparePositions(beforeTimestamp(ts(7, 3)), eventPosition(ts(7, 2), 9))).toBe(1);
  });

  it('reject malformed tokens with mongod codes (40647, FailedToParse) or InvalidResumeToken (260)', () => {
    expect(codeOf(() => decodeToken({}))).toBe(40647);
    expect(codeOf(() => decodeToken({ _data: 5 }))).toBe(40647);
    expect(codeOf(() => decodeToken({ _data: 'xyz' }))).toBe(9);
    expect(codeOf(() => decodeToken({ _data: '8200' }))).toBe(260);
    const hwmWithIndex = encodeToken(highWaterMark(ts(1, 1)))._data.slice(0, 22) + '0000000100';
    expect(codeOf(() => decodeToken({ _data: hwmWithIndex }))).toBe(260);
  });
});
