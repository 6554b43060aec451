import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Int32, encodeDocument, type Document } from '../bson.js';
import { OpCode, OpReplyFlag } from './constants.js';
import { commandFromOpQuery, encodeOpQuery, encodeOpReply, parseOpQuery, parseOpReply } from './op-query.js';
import { WireProtocolError, type WireErrorReason } from './wire-protocol-error.js';

function fixture(name: string): Buffer {
  const hex = readFileSync(resolve(process.cwd(), 'test/fixtures/wire', name), 'utf8');
  return Buffer.from(hex.replace(/\s+/g, ''), 'hex');
}

function reasonOf(message: Buffer): WireErrorReason {
  try {
    parseOpQuery(message);
  } catch (err) {
    if (err instanceof WireProtocolError) return err.reason;
    throw err;
  }
  throw new Error('message was accepted');
}

describe('parseOpQuery', () => {
  it('reads the driver handshake: ismaster on admin.$cmd, numberToReturn -1', () => {
    const q = parseOpQuery(fixture('handshake-op-query-ismaster.hex'));
    expect(q.fullCollectionName).toBe('admin.$cmd');
    expect([q.flags, q.numberToSkip, q.numberToReturn]).toEqual([0, 0, -1]);
    expect(Object.keys(q.query)[0]).toBe('ismaster');
    expect(q.query.ismaster).toEqual(new Int32(1));
    expect(q.query.helloOk).toBe(true);
    expect((q.query.client as Document).driver).toEqual({ name: 'nodejs', version: expect.any(String) });
    expect(q.returnFieldsSelector).toBeNull();

    const command = commandFromOpQuery(q);
    expect(command?.database).toBe('admin');
    expect(command?.body.$db).toBe('admin');
    expect(Object.keys(command?.body ?? {})[0]).toBe('ismaster');
  });

  it('round-trips an encoded query with a returnFieldsSelector', () => {
    const bytes = encodeOpQuery(
      'db.$cmd',
      { hello: 1 },
      { requestId: 4, flags: 4, numberToSkip: 2, returnFieldsSelector: { a: 1 } },
    );
    const q = parseOpQuery(bytes);
    expect(q).toMatchObject({ requestId: 4, flags: 4, numberToSkip: 2, numberToReturn: -1 });
    expect(q.returnFieldsSelector).toEqual({ a: new Int32(1) });
  });

  it('rejects trailing bytes, a length mismatch, an unterminated name and truncated documents', () => {
    const good = encodeOpQuery('admin.$cmd', { ismaster: 1 }, { requestId: 1 });
    const trailing = Buffer.concat([good, Buffer.from([1, 2, 3])]);
    trailing.writeInt32LE(trailing.length, 0);
    expect(reasonOf(trailing)).toBe('Truncated');

    const mismatch = Buffer.from(good);
    mismatch.writeInt32LE(good.length - 1, 0);
    expect(reasonOf(mismatch)).toBe('LengthMismatch');

    const noNul = Buffer.concat([good.subarray(0, 20), Buffer.from('admin.$cmd')]);
    noNul.writeInt32LE(noNul.length, 0);
    expect(reasonOf(noNul)).toBe('Truncated');

    const cut = Buffer.from(good.subarray(0, good.length - 3));
    cut.writeInt32LE(cut.length, 0);
    expect(reasonOf(cut)).toBe('Truncated');

    const badBson = Buffer.from(good);
    badBson[badBson.length - 1] = 7;
    expect(reasonOf(badBson)).toBe('InvalidBSON');
  });
});

describe('commandFromOpQuery', () => {
  it('unwraps {$query, $readPreference} and sets $db from the namespace', () => {
    const q = parseOpQuery(
      encodeOpQuery(
        'app.$cmd',
        { $query: { buildInfo: 1 }, $readPreference: { mode: 'secondaryPreferred' } },
        { requestId: 1 },
      ),
    );
    expect(commandFromOpQuery(q)?.body).toEqual({
      buildInfo: new Int32(1),
      $readPreference: { mode: 'secondaryPreferred' },
      $db: 'app',
    });
  });

  it.each(['app.orders', '$cmd', '.$cmd', 'admin.$cmd.sys.inprog', 'admin'])(
    'returns null for the non-command namespace %s',
    (ns) => {
      expect(commandFromOpQuery(parseOpQuery(encodeOpQuery(ns, { find: 1 }, { requestId: 1 })))).toBeNull();
    },
  );
});

describe('OP_REPLY', () => {
  it('encodes one document with cursorID 0, startingFrom 0, numberReturned 1', () => {
    const bytes = Buffer.concat(encodeOpReply({ ismaster: true, ok: 1 }, { requestId: 9, responseTo: 3 }));
    expect(bytes.readInt32LE(0)).toBe(bytes.length);
    expect(bytes.readInt32LE(12)).toBe(OpCode.OP_REPLY);
    expect(bytes.readInt32LE(32)).toBe(1);
    const reply = parseOpReply(bytes);
    expect(reply).toMatchObject({
      requestId: 9,
      responseTo: 3,
      responseFlags: 0,
      cursorId: 0n,
      startingFrom: 0,
    });
    expect(reply.documents).toEqual([{ ismaster: true, ok: new Int32(1) }]);
  });

  it('carries response flags and pre-encoded documents', () => {
    const doc = encodeDocument({ $err: 'no', code: 1 });
    const reply = parseOpReply(
      Buffer.concat(
        encodeOpReply(doc, { requestId: 1, responseTo: 2, responseFlags: OpReplyFlag.queryFailure }),
      ),
    );
    expect(reply.responseFlags).toBe(OpReplyFlag.queryFailure);
    expect(reply.documents[0].$err).toBe('no');
  });
});
