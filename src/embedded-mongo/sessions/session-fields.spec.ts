import { Binary, Int32, Long, UUID } from '../bson.js';
import { readSessionFields } from './session-fields.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: number }).code;
  }
  return undefined;
}

const lsid = { id: new UUID() };

describe('operation session fields', () => {
  it('reads a transaction command', () => {
    const f = readSessionFields({
      lsid,
      txnNumber: Long.fromNumber(3),
      autocommit: false,
      startTransaction: true,
    });
    expect(f).toMatchObject({ txnNumber: 3, autocommit: false, startTransaction: true });
    expect(f.sessionKey).toEqual(expect.any(String));
    expect(readSessionFields({ lsid: { id: new Binary(lsid.id.buffer, 4) } }).sessionKey).toBe(f.sessionKey);
  });

  it('a command without session fields has none', () => {
    expect(readSessionFields({ find: 'c' })).toEqual({});
    expect(readSessionFields({ lsid, txnNumber: new Int32(1) }).autocommit).toBeUndefined();
  });

  it('rejects inconsistent fields as mongod does', () => {
    expect(codeOf(() => readSessionFields({ txnNumber: Long.fromNumber(1) }))).toBe(72);
    expect(codeOf(() => readSessionFields({ lsid, txnNumber: Long.fromNumber(1), autocommit: true }))).toBe(
      72,
    );
    expect(codeOf(() => readSessionFields({ lsid, autocommit: false }))).toBe(72);
    expect(
      codeOf(() => readSessionFields({ lsid, txnNumber: Long.fromNumber(1), startTransaction: true })),
    ).toBe(72);
    expect(
      codeOf(() =>
        readSessionFields({
          lsid,
          txnNumber: Long.fromNumber(1),
          autocommit: false,
          startTransaction: false,
        }),
      ),
    ).toBe(72);
    expect(codeOf(() => readSessionFields({ lsid, txnNumber: Long.fromNumber(-1) }))).toBe(2);
    expect(codeOf(() => readSessionFields({ lsid: { id: 'x' } }))).toBe(14);
    expect(codeOf(() => readSessionFields({ lsid: {} }))).toBe(40414);
  });
});
