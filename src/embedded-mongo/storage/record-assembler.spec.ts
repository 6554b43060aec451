import { Decimal128, ObjectId, Timestamp, serialize } from 'bson';
import { RecordAssembler } from './record-assembler.js';
import { frameRecord } from './records.js';

const expected = (head: object, name: string, docs: object[]): Buffer =>
  frameRecord(serialize({ ...head, [name]: docs }, { ignoreUndefined: false }));

describe('RecordAssembler', () => {
  it('frames exactly what serializing the whole record would, call after call in one buffer', () => {
    const a = new RecordAssembler(64);
    const docs = Array.from({ length: 50 }, (_, i) => ({
      _id: new ObjectId(),
      n: i,
      price: Decimal128.fromString(`${i}.99`),
      name: `naïve ${'x'.repeat(i * 37)}`,
      nested: { a: [1, 'two', null, undefined], at: new Date(1_700_000_000_000 + i) },
    }));
    for (let round = 0; round < 3; round++) {
      const slice = docs.slice(round * 7, round * 7 + 20);
      const head = { ts: new Timestamp({ t: round, i: 1 }), k: 'docs', é: round };
      expect(Buffer.compare(a.frameDocumentArray(head, 'd', slice), expected(head, 'd', slice))).toBe(0);
    }
    expect(
      Buffer.compare(a.frameDocumentArray({ k: 'empty' }, 'd', []), expected({ k: 'empty' }, 'd', [])),
    ).toBe(0);
  });

  it('grows for records far above its starting size', () => {
    const a = new RecordAssembler(16);
    const big = { _id: 1, s: 'y'.repeat(3 * 1024 * 1024) };
    const docs = [big, { _id: 2 }, big];
    expect(Buffer.compare(a.frameDocumentArray({ ts: 1 }, 'm', docs), expected({ ts: 1 }, 'm', docs))).toBe(
      0,
    );
  });

  it('passes errors other than a full buffer through', () => {
    const a = new RecordAssembler();
    expect(() => a.frameDocumentArray({}, 'd', [{ 'a\0b': 1 }])).toThrow(/null bytes/);
  });
});
