import { encodeDocument } from '../bson.js';
import { MAX_MESSAGE_SIZE_BYTES, MIN_MESSAGE_LENGTH, OpCode } from './constants.js';
import { FrameReader, type Frame } from './frame-reader.js';
import { encodeOpMsg } from './op-msg.js';
import { WireProtocolError } from './wire-protocol-error.js';

function opMsg(requestId: number, body: Record<string, unknown> = { ping: 1, $db: 'admin' }): Buffer {
  return Buffer.concat(encodeOpMsg(body, { requestId }));
}

function header(messageLength: number, opCode: number = OpCode.OP_MSG): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(messageLength, 0);
  h.writeInt32LE(7, 4);
  h.writeInt32LE(0, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

function rejection(fn: () => unknown): WireProtocolError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WireProtocolError) return err;
    throw err;
  }
  throw new Error('expected a WireProtocolError');
}

describe('FrameReader', () => {
  it('reassembles a message split at every possible byte boundary', () => {
    const message = opMsg(1, { insert: 'c', documents: [{ a: 'x'.repeat(100) }], $db: 'd' });
    for (let cut = 0; cut <= message.length; cut++) {
      const reader = new FrameReader();
      const frames = [...reader.push(message.subarray(0, cut)), ...reader.push(message.subarray(cut))];
      expect(frames).toHaveLength(1);
      expect(frames[0].header).toEqual({
        messageLength: message.length,
        requestId: 1,
        responseTo: 0,
        opCode: 2013,
      });
      expect(frames[0].bytes.equals(message)).toBe(true);
      expect(reader.bufferedBytes).toBe(0);
    }
  });

  it('yields several messages from one chunk, and from one-byte chunks, in order', () => {
    const stream = Buffer.concat([opMsg(1), opMsg(2), opMsg(3)]);
    expect(new FrameReader().push(stream).map((f) => f.header.requestId)).toEqual([1, 2, 3]);

    const reader = new FrameReader();
    const frames: Frame[] = [];
    for (let i = 0; i < stream.length; i++) frames.push(...reader.push(stream.subarray(i, i + 1)));
    expect(frames.map((f) => f.header.requestId)).toEqual([1, 2, 3]);
    expect(Buffer.concat(frames.map((f) => f.bytes)).equals(stream)).toBe(true);
  });

  it('returns a message lying inside one chunk as a view of that chunk (no copy)', () => {
    const stream = Buffer.concat([opMsg(1), opMsg(2)]);
    const [first, second] = new FrameReader().push(stream);
    expect(first.bytes.buffer).toBe(stream.buffer);
    expect(second.bytes.byteOffset).toBe(stream.byteOffset + first.bytes.length);
  });

  it('keeps the remainder of a partly used chunk for the next message', () => {
    const a = opMsg(1);
    const b = opMsg(2);
    const reader = new FrameReader();
    expect(reader.push(a.subarray(0, 10))).toHaveLength(0);
    const frames = reader.push(Buffer.concat([a.subarray(10), b.subarray(0, 20)]));
    expect(frames.map((f) => f.header.requestId)).toEqual([1]);
    expect(reader.bufferedBytes).toBe(20);
    expect(reader.push(b.subarray(20)).map((f) => f.bytes.equals(b))).toEqual([true]);
  });

  it('rejects an oversize length as soon as the header arrives, before any body byte', () => {
    const reader = new FrameReader();
    expect(reader.push(header(MAX_MESSAGE_SIZE_BYTES + 1).subarray(0, 15))).toHaveLength(0);
    const err = rejection(() => reader.push(header(MAX_MESSAGE_SIZE_BYTES + 1).subarray(15)));
    expect(err.reason).toBe('MessageTooLarge');
    expect(reader.bufferedBytes).toBe(0);
    // Poisoned: later input is refused with the same error.
    expect(rejection(() => reader.push(Buffer.alloc(100)))).toBe(err);
  });

  it('accepts exactly maxMessageSizeBytes and waits for the body', () => {
    const reader = new FrameReader();
    expect(reader.push(header(MAX_MESSAGE_SIZE_BYTES))).toHaveLength(0);
    expect(reader.error).toBeNull();
  });

  it.each([
    ['negative', -1],
    ['zero', 0],
    ['header only', 16],
    ['below the smallest message', MIN_MESSAGE_LENGTH - 1],
    ['int32 min', -0x80000000],
  ])('rejects a %s messageLength', (_label, length) => {
    expect(rejection(() => new FrameReader().push(header(length))).reason).toBe('MessageTooSmall');
  });

  it('rejects an OP_QUERY shorter than the smallest OP_QUERY', () => {
    const err = rejection(() => new FrameReader().push(header(MIN_MESSAGE_LENGTH, OpCode.OP_QUERY)));
    expect(err.reason).toBe('MessageTooSmall');
  });

  it.each([
    ['OP_COMPRESSED', OpCode.OP_COMPRESSED, 'CompressionNotSupported'],
    ['OP_REPLY', OpCode.OP_REPLY, 'UnsupportedOpCode'],
    ['OP_INSERT', OpCode.OP_INSERT, 'UnsupportedOpCode'],
    ['OP_GET_MORE', OpCode.OP_GET_MORE, 'UnsupportedOpCode'],
    ['an unknown opcode', 4242, 'UnsupportedOpCode'],
  ])('rejects %s at the header', (_label, opCode, reason) => {
    expect(rejection(() => new FrameReader().push(header(100, opCode))).reason).toBe(reason);
  });

  it('returns the messages completed before a bad header, then reports the error', () => {
    const reader = new FrameReader();
    const frames = reader.push(Buffer.concat([opMsg(1), header(MAX_MESSAGE_SIZE_BYTES + 1)]));
    expect(frames.map((f) => f.header.requestId)).toEqual([1]);
    expect(reader.error?.reason).toBe('MessageTooLarge');
    expect(rejection(() => reader.push(Buffer.alloc(1))).reason).toBe('MessageTooLarge');
  });

  it('honours custom limits and header validation', () => {
    const small = new FrameReader({ maxMessageSize: 64 });
    expect(rejection(() => small.push(header(65))).reason).toBe('MessageTooLarge');
    const replies = new FrameReader({ validateHeader: () => undefined });
    const reply = Buffer.concat([
      header(16 + 4 + 1 + 5, OpCode.OP_REPLY),
      Buffer.alloc(5),
      encodeDocument({}),
    ]);
    reply.writeInt32LE(reply.length, 0);
    expect(replies.push(reply)).toHaveLength(1);
  });
});
