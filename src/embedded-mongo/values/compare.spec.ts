import { ObjectId } from 'bson';
import { compareValues } from './compare.js';

describe('compareValues on ObjectIds', () => {
  it('orders them by their 12 bytes, as mongod does', () => {
    const ids = Array.from({ length: 300 }, (_, i) =>
      i % 3 === 0
        ? new ObjectId()
        : new ObjectId(Buffer.from(Array.from({ length: 12 }, () => Math.floor(Math.random() * 256)))),
    );
    ids.push(new ObjectId('000000000000000000000000'), new ObjectId('ffffffffffffffffffffffff'));
    for (let i = 0; i < ids.length; i++) {
      const a = ids[i]!;
      const b = ids[(i * 7 + 1) % ids.length]!;
      const expected = Math.sign(
        Buffer.compare(Buffer.from(a.toHexString(), 'hex'), Buffer.from(b.toHexString(), 'hex')),
      );
      expect(compareValues(a, b)).toBe(expected);
      expect(compareValues(a, new ObjectId(a.toHexString()))).toBe(0);
    }
  });
});
