import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { Binary, Double, Int32, Long, ObjectId, encodeDocument, type Document } from '../bson.js';
import { OpCode, OpMsgFlag } from './constants.js';
import { crc32c } from './crc32c.js';
import { encodeOpMsg, mergeDocumentSequences, parseOpMsg } from './op-msg.js';
import { WireProtocolError, type WireErrorReason } from './wire-protocol-error.js';

function fixture(name: string): Buffer {
  const hex = readFileSync(resolve(process.cwd(), 'test/fixtures/wire', name), 'utf8');
  return Buffer.from(hex.replace(/\s+/g, ''), 'hex');
}

/** Builds an OP_MSG from raw sections, fixing up messageLength (or not). */
function rawOpMsg(flags: number, ...sections: Buffer[]): Buffer {
  const prefix = Buffer.alloc(20);
  prefix.writeInt32LE(9, 4);
  prefix.writeInt32LE(OpCode.OP_MSG, 12);
  prefix.writeUInt32LE(flags >>> 0, 16);
  const message = Buffer.concat([prefix, ...sections]);
  message.writeInt32LE(message.length, 0);
  return message;
}

function kind0(doc: Document | Buffer): Buffer {
  return Buffer.concat([Buffer.from([0]), Buffer.isBuffer(doc) ? doc : encodeDocument(doc)]);
}

function kind1(identifier: string, docs: (Document | Buffer)[], sizeAdjust = 0): Buffer {
  const encoded = docs.map((d) => (Buffer.isBuffer(d) ? d : encodeDocument(d)));
  const name = Buffer.from(identifier + '\0');
  const size = Buffer.alloc(4);
  size.writeInt32LE(4 + name.length + encoded.reduce((n, d) => n + d.length, 0) + sizeAdjust);
  return Buffer.concat([Buffer.from([1]), size, name, ...encoded]);
}

function reasonOf(message: Buffer): WireErrorReason {
  try {
    parseOpMsg(message);
  } catch (err) {
    if (err instanceof WireProtocolError) return err.reason;
    throw err;
  }
  throw new Error('message was accepted');
}

const body = { insert: 'orders', $db: 'app' };

describe('parseOpMsg on messages captured from the driver', () => {
  it('reads an insertMany: body plus a kind-1 documents sequence, BSON types kept', () => {
    const msg = parseOpMsg(fixture('insert-op-msg-documents-sequence.hex'));
    expect(msg.flags).toBe(0);
    expect([msg.moreToCome, msg.exhaustAllowed, msg.checksumPresent]).toEqual([false, false, false]);
    expect(Object.keys(msg.body)[0]).toBe('insert');
    expect(msg.body.insert).toBe('orders');
    expect(msg.body.$db).toBe('app');
    expect(msg.body.documents).toBeUndefined();
    expect(msg.body.txnNumber).toBeInstanceOf(Long);
    expect((msg.body.lsid as Document).id).toBeInstanceOf(Binary);
    expect([...msg.sequences.keys()]).toEqual(['documents']);
    const docs = msg.sequences.get('documents') ?? [];
    expect(docs.map((d) => d._id)).toEqual(['order-1', 'order-2']);
    expect(docs[0].total).toEqual(new Double(12.5));
    expect((docs[0].items as Document[])[0].qty).toEqual(new Int32(2));

    const command = mergeDocumentSequences(msg);
    expect(Object.keys(command)[0]).toBe('insert');
    expect(command.documents).toBe(docs);
  });

  it('reads a w:0 insert: moreToCome set, documents in the body', () => {
    const msg = parseOpMsg(fixture('insert-w0-op-msg-more-to-come.hex'));
    expect(msg.moreToCome).toBe(true);
    expect(msg.flags).toBe(OpMsgFlag.moreToCome);
    expect(msg.body.writeConcern).toEqual({ w: new Int32(0) });
    expect((msg.body.documents as Document[]).map((d) => d._id)).toEqual(['order-3']);
    expect(msg.sequences.size).toBe(0);
  });
});

describe('encodeOpMsg / parseOpMsg round trip', () => {
  const sample: Document = { find: 'c', filter: { _id: new ObjectId('64b7f0c2a1b2c3d4e5f60718') }, $db: 'x' };

  it('round-trips a reply with responseTo', () => {
    const bytes = Buffer.concat(encodeOpMsg({ ok: 1, n: 3 }, { requestId: 77, responseTo: 12 }));
    expect(bytes.readInt32LE(0)).toBe(bytes.length);
    const msg = parseOpMsg(bytes);
    expect([msg.requestId, msg.responseTo, msg.flags]).toEqual([77, 12, 0]);
    expect(msg.body).toEqual({ ok: new Int32(1), n: new Int32(3) });
  });

  it('round-trips sequences, flags and a checksum; already-encoded documents are taken as is', () => {
    const encoded = encodeDocument({ q: {}, limit: 1 });
    const bytes = Buffer.concat(
      encodeOpMsg(sample, {
        requestId: 5,
        moreToCome: true,
        exhaustAllowed: true,
        checksum: true,
        sequences: new Map([
          ['deletes', [encoded, { q: { a: 1 }, limit: 0 }]],
          ['empty', []],
        ]),
      }),
    );
    const msg = parseOpMsg(bytes);
    expect([msg.moreToCome, msg.exhaustAllowed, msg.checksumPresent]).toEqual([true, true, true]);
    expect(msg.flags).toBe(OpMsgFlag.moreToCome | OpMsgFlag.exhaustAllowed | OpMsgFlag.checksumPresent);
    expect(msg.body).toEqual(encodeAndDecode(sample));
    expect(msg.sequences.get('deletes')).toHaveLength(2);
    expect(msg.sequences.get('empty')).toEqual([]);
    expect(bytes.readUInt32LE(bytes.length - 4)).toBe(crc32c(bytes.subarray(0, bytes.length - 4)));
  });

  it('round-trips arbitrary documents and sequences', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    const doc = fc.dictionary(
      fc.string({ minLength: 1 }).filter((k) => !k.includes('\0')),
      value,
      { maxKeys: 5 },
    );
    fc.assert(
      fc.property(
        doc,
        fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.array(doc, { maxLength: 4 }), { maxKeys: 3 }),
        fc.boolean(),
        (b, seqs, checksum) => {
          const msg = parseOpMsg(
            Buffer.concat(encodeOpMsg(b, { requestId: 1, checksum, sequences: Object.entries(seqs) })),
          );
          expect(msg.body).toEqual(encodeAndDecode(b));
          expect([...msg.sequences.keys()]).toEqual(Object.keys(seqs));
          for (const [id, docs] of Object.entries(seqs)) {
            expect(msg.sequences.get(id)).toEqual(docs.map(encodeAndDecode));
          }
        },
      ),
    );
  });
});

function encodeAndDecode(doc: Document): Document {
  return parseOpMsg(Buffer.concat(encodeOpMsg(doc, { requestId: 0 }))).body;
}

describe('checksum', () => {
  it('accepts a correct checksum and rejects any flipped bit', () => {
    const good = Buffer.concat(encodeOpMsg({ ping: 1, $db: 'admin' }, { requestId: 3, checksum: true }));
    expect(parseOpMsg(good).body.ping).toEqual(new Int32(1));
    // requestId, responseTo, body and checksum bytes: only the checksum can notice.
    for (const position of [4, 9, 21, 26, good.length - 6, good.length - 1]) {
      const bad = Buffer.from(good);
      bad[position] ^= 0x01;
      expect(reasonOf(bad)).toBe('ChecksumMismatch');
    }
    const badCrc = Buffer.from(good);
    badCrc.writeUInt32LE((badCrc.readUInt32LE(badCrc.length - 4) + 1) >>> 0, badCrc.length - 4);
    expect(reasonOf(badCrc)).toBe('ChecksumMismatch');
  });

  it('reports ChecksumMismatch with its MongoDB code', () => {
    const bytes = rawOpMsg(OpMsgFlag.checksumPresent, kind0(body), Buffer.alloc(4));
    try {
      parseOpMsg(bytes);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toMatchObject({ reason: 'ChecksumMismatch', code: 288, codeName: 'ChecksumMismatch' });
    }
  });
});

describe('malformed OP_MSG', () => {
  it('rejects a messageLength that differs from the bytes given', () => {
    const bytes = rawOpMsg(0, kind0(body));
    bytes.writeInt32LE(bytes.length + 1, 0);
    expect(reasonOf(bytes)).toBe('LengthMismatch');
    expect(reasonOf(Buffer.concat([rawOpMsg(0, kind0(body)), Buffer.alloc(1)]))).toBe('LengthMismatch');
  });

  it('rejects unknown required flag bits and ignores unknown optional ones', () => {
    for (const bit of [2, 3, 8, 15]) {
      expect(reasonOf(rawOpMsg(1 << bit, kind0(body)))).toBe('IllegalFlags');
    }
    const msg = parseOpMsg(rawOpMsg((1 << 17) | (1 << 31), kind0(body)));
    expect(msg.exhaustAllowed).toBe(false);
    expect(msg.body).toEqual(body);
  });

  it('rejects a message without a body, or with two', () => {
    expect(reasonOf(rawOpMsg(0, kind1('documents', [{ a: 1 }])))).toBe('MissingBody');
    expect(reasonOf(rawOpMsg(0, kind0(body), kind0(body)))).toBe('MultipleBodySections');
  });

  it('rejects an unknown section kind', () => {
    expect(reasonOf(rawOpMsg(0, kind0(body), Buffer.from([2, 5, 0, 0, 0, 0])))).toBe('UnknownSectionKind');
    expect(reasonOf(rawOpMsg(0, Buffer.from([0xff]), kind0(body)))).toBe('UnknownSectionKind');
  });

  it('rejects a body whose declared length overruns the message', () => {
    const doc = encodeDocument(body);
    doc.writeInt32LE(doc.length + 1, 0);
    expect(reasonOf(rawOpMsg(0, kind0(doc)))).toBe('Truncated');
  });

  it('rejects a truncated body (section cut short)', () => {
    expect(reasonOf(rawOpMsg(0, kind0(encodeDocument(body)).subarray(0, 8)))).toBe('Truncated');
    expect(reasonOf(rawOpMsg(0, Buffer.from([0, 5, 0])))).toBe('Truncated');
  });

  it('rejects body lengths below 5 or above the internal maximum', () => {
    expect(reasonOf(rawOpMsg(0, Buffer.from([0, 4, 0, 0, 0, 0])))).toBe('InvalidDocumentLength');
    expect(reasonOf(rawOpMsg(0, Buffer.from([0, 0xff, 0xff, 0xff, 0x7f, 0])))).toBe('InvalidDocumentLength');
    expect(reasonOf(rawOpMsg(0, Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 0])))).toBe('InvalidDocumentLength');
  });

  it('rejects a document sequence whose size overruns the message, or ends inside a document', () => {
    expect(reasonOf(rawOpMsg(0, kind0(body), kind1('documents', [{ a: 1 }], +1)))).toBe('Truncated');
    expect(reasonOf(rawOpMsg(0, kind0(body), kind1('documents', [{ a: 1 }], -1)))).toBe('Truncated');
    expect(reasonOf(rawOpMsg(0, kind0(body), kind1('documents', [{ a: 1 }]).subarray(0, 3)))).toBe(
      'Truncated',
    );
  });

  it('rejects a sequence size too small for an identifier, and negative sizes', () => {
    expect(reasonOf(rawOpMsg(0, kind0(body), Buffer.from([1, 4, 0, 0, 0, 0])))).toBe('Truncated');
    expect(reasonOf(rawOpMsg(0, kind0(body), Buffer.from([1, 0xff, 0xff, 0xff, 0xff, 0x61, 0])))).toBe(
      'Truncated',
    );
  });

  it('rejects an unterminated or empty identifier', () => {
    const unterminated = Buffer.from([1, 7, 0, 0, 0, 0x61, 0x62, 0x63]);
    expect(reasonOf(rawOpMsg(0, kind0(body), unterminated))).toBe('Truncated');
    expect(reasonOf(rawOpMsg(0, kind0(body), kind1('', [])))).toBe('InvalidSequenceIdentifier');
    expect(reasonOf(rawOpMsg(0, kind0(body), kind1('', [{ a: 1 }])))).toBe('InvalidSequenceIdentifier');
  });

  it('rejects a repeated sequence identifier', () => {
    const bytes = rawOpMsg(0, kind0(body), kind1('documents', [{ a: 1 }]), kind1('documents', []));
    expect(reasonOf(bytes)).toBe('DuplicateDocumentSequence');
  });

  it('rejects bad BSON: missing terminator, bad element type, bad string length, in body or sequence', () => {
    const noTerminator = encodeDocument(body);
    noTerminator[noTerminator.length - 1] = 1;
    expect(reasonOf(rawOpMsg(0, kind0(noTerminator)))).toBe('InvalidBSON');

    const badType = encodeDocument({ a: 1 });
    badType[4] = 0x7e; // element type of "a"
    expect(reasonOf(rawOpMsg(0, kind0(badType)))).toBe('InvalidBSON');
    expect(reasonOf(rawOpMsg(0, kind0(body), kind1('documents', [badType])))).toBe('InvalidBSON');

    const badString = encodeDocument({ s: 'abc' });
    badString.writeInt32LE(1000, 7); // string length of "s"
    expect(reasonOf(rawOpMsg(0, kind0(badString)))).toBe('InvalidBSON');
  });

  it('throws only WireProtocolError, whatever the bytes', () => {
    const valid = Buffer.concat(encodeOpMsg(body, { requestId: 1, sequences: [['documents', [{ a: 1 }]]] }));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(), fc.boolean(), (noise, at, keepLength) => {
        const position = 20 + (at % (valid.length - 20));
        const bytes = Buffer.concat([valid.subarray(0, position), noise, valid.subarray(position)]);
        if (keepLength) bytes.writeInt32LE(bytes.length, 0);
        try {
          parseOpMsg(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(WireProtocolError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('mergeDocumentSequences', () => {
  it('appends each sequence as an array field after the body fields', () => {
    const msg = parseOpMsg(
      rawOpMsg(0, kind1('ops', [{ insert: 0 }]), kind0(body), kind1('nsInfo', [{ ns: 'a.b' }])),
    );
    const command = mergeDocumentSequences(msg);
    expect(Object.keys(command)).toEqual(['insert', '$db', 'ops', 'nsInfo']);
    expect(command.nsInfo).toEqual([{ ns: 'a.b' }]);
  });

  it('rejects a sequence that duplicates a body field (mongod 40433)', () => {
    const msg = parseOpMsg(rawOpMsg(0, kind0({ ...body, documents: [] }), kind1('documents', [{ a: 1 }])));
    expect(() => mergeDocumentSequences(msg)).toThrow(WireProtocolError);
    try {
      mergeDocumentSequences(msg);
    } catch (err) {
      expect(err).toMatchObject({ reason: 'DuplicateBodyField', code: 40433, codeName: 'Location40433' });
    }
  });

  it('adds an identifier such as __proto__ as a plain field, never as a prototype', () => {
    const msg = parseOpMsg(rawOpMsg(0, kind0(body), kind1('__proto__', [{ polluted: true }])));
    const command = mergeDocumentSequences(msg);
    expect(Object.getPrototypeOf(command)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(command, '__proto__')).toBe(true);
    expect((command as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
