/**
 * The null responder: a TCP server that answers every OP_MSG with one fixed OP_MSG and every
 * OP_QUERY with one fixed OP_REPLY, both carrying the same hello document ({ok: 1,
 * isWritablePrimary: true, ...}), and does no other work. `ping` through the official driver
 * against it measures the client's own cost plus loopback: the ceiling of any server's round trip
 * on this machine. Run as a child process (like the real server), it prints one JSON line
 * `{"port": N}` once listening and exits when its stdin closes.
 *
 *   node dist/bench/mongo/null-responder.js
 */
import { createServer, type Socket } from 'node:net';
import { BSON } from 'bson';

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;
const HEADER = 16;

const HELLO = Buffer.from(
  BSON.serialize({
    helloOk: true,
    ismaster: true,
    isWritablePrimary: true,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    minWireVersion: 0,
    maxWireVersion: 25,
    readOnly: false,
    ok: 1,
  }),
);

/** A reply frame to `requestId`: OP_MSG (flags 0, one kind-0 section) or OP_REPLY. */
function replyTo(requestId: number, opCode: number): Buffer {
  if (opCode === OP_QUERY) {
    const out = Buffer.alloc(HEADER + 20 + HELLO.length);
    out.writeInt32LE(out.length, 0);
    out.writeInt32LE(0, 4);
    out.writeInt32LE(requestId, 8);
    out.writeInt32LE(OP_REPLY, 12);
    out.writeInt32LE(8, 16); // responseFlags: AwaitCapable
    out.writeBigInt64LE(0n, 20); // cursorID
    out.writeInt32LE(0, 28); // startingFrom
    out.writeInt32LE(1, 32); // numberReturned
    HELLO.copy(out, 36);
    return out;
  }
  const out = Buffer.alloc(HEADER + 5 + HELLO.length);
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(0, 4);
  out.writeInt32LE(requestId, 8);
  out.writeInt32LE(OP_MSG, 12);
  out.writeUInt32LE(0, 16); // flagBits
  out.writeUInt8(0, 20); // section kind 0
  HELLO.copy(out, 21);
  return out;
}

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const replies: Buffer[] = [];
    while (pending.length >= HEADER) {
      const length = pending.readInt32LE(0);
      if (length < HEADER) {
        socket.destroy();
        return;
      }
      if (pending.length < length) break;
      const requestId = pending.readInt32LE(4);
      const opCode = pending.readInt32LE(12);
      // OP_MSG with moreToCome (flag bit 1) expects no reply.
      const moreToCome = opCode === OP_MSG && (pending.readUInt32LE(16) & 2) !== 0;
      if (!moreToCome) replies.push(replyTo(requestId, opCode));
      pending = pending.subarray(length);
    }
    if (replies.length === 1) socket.write(replies[0]);
    else if (replies.length > 1) socket.write(Buffer.concat(replies));
  });
  socket.on('error', () => socket.destroy());
}

const server = createServer(serve);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(JSON.stringify({ port }) + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
