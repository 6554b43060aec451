/**
 * A reusable wire-protocol fuzz run against any MongoDB-compatible server at host:port.
 *
 * Bad connections each send 0-2 valid requests followed by one random frame (random bytes,
 * truncated valid frames, oversize/undersize length headers, unknown opcodes, valid headers with
 * garbage bodies, corrupted checksums, illegal flags, bad BSON...), always split at random chunk
 * boundaries. Meanwhile well-behaved clients (raw wire requests, and optionally the official
 * driver) keep asking and must get every answer. The run reports, rather than throws, so a test
 * can assert on exactly what matters:
 * - every frame the protocol forbids made the server close the connection by itself;
 * - every other bad connection was closed once the client hung up (none left hanging);
 * - the good clients got a correct answer to every request.
 * Deterministic for a given seed (up to network timing); failures name the seed.
 */
import { MongoClient } from 'mongodb';
import type { Document } from '../../src/embedded-mongo/bson.js';
import {
  MAX_MESSAGE_SIZE_BYTES,
  MIN_MESSAGE_LENGTH,
  OpCode,
  OpReplyFlag,
  crc32c,
  encodeOpMsg,
  encodeOpQuery,
} from '../../src/embedded-mongo/wire/index.js';
import { WireTestClient, okValue, type Random } from './wire-client.js';

export interface WireFuzzOptions {
  readonly host: string;
  readonly port: number;
  /** Random frames to send (one per bad connection). */
  readonly count: number;
  readonly seed?: number;
  /** Bad connections in flight at once; default 16. */
  readonly concurrency?: number;
  /** Raw well-behaved clients; default 2. */
  readonly goodClients?: number;
  /** Also run the official driver (directConnection) pinging throughout; default true. */
  readonly driverClient?: boolean;
  /** How long a connection may take to be closed (by the server, or after we hang up); default 3000. */
  readonly closeTimeoutMs?: number;
}

export interface WireFuzzReport {
  readonly seed: number;
  readonly framesSent: number;
  readonly connections: number;
  /** Frames the protocol forbids, which the server must answer by closing the connection. */
  readonly mustReject: number;
  readonly rejectedByServer: number;
  /** Descriptions of failures: forbidden frames not rejected, connections left open. */
  readonly failures: string[];
  readonly goodRequests: number;
  readonly goodReplies: number;
  readonly goodFailures: string[];
  readonly driverPings: number;
  readonly elapsedMs: number;
  readonly casesByKind: Record<string, number>;
}

/** mulberry32: a small, fast, seedable PRNG. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FuzzCase {
  readonly kind: string;
  readonly bytes: Buffer;
  /** The protocol forbids it: the server must close the connection without waiting for more. */
  readonly mustReject: boolean;
}

const int = (random: Random, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1));
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const randomBytes = (random: Random, length: number): Buffer => {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
};

let fuzzRequestId = 1_000_000;
const nextId = (): number => (fuzzRequestId = fuzzRequestId >= 0x7ffffff0 ? 1_000_000 : fuzzRequestId + 1);

function pingMsg(options: { checksum?: boolean; moreToCome?: boolean } = {}): Buffer {
  return Buffer.concat(encodeOpMsg({ ping: 1, $db: 'admin' }, { requestId: nextId(), ...options }));
}

function helloQuery(): Buffer {
  return encodeOpQuery('admin.$cmd', { ismaster: 1, helloOk: true }, { requestId: nextId() });
}

function validFrame(random: Random): Buffer {
  switch (int(random, 0, 3)) {
    case 0:
      return helloQuery();
    case 1:
      return pingMsg({ checksum: true });
    case 2:
      return Buffer.concat(
        encodeOpMsg(
          { insert: 'fuzz', $db: 'fuzz_db' },
          {
            requestId: nextId(),
            sequences: [['documents', [{ _id: nextId(), s: 'x'.repeat(int(random, 0, 200)) }]]],
          },
        ),
      );
    default:
      return pingMsg();
  }
}

function header(length: number, opCode: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length | 0, 0);
  h.writeInt32LE(nextId(), 4);
  h.writeInt32LE(opCode, 12);
  return h;
}

function withLength(bytes: Buffer): Buffer {
  bytes.writeInt32LE(bytes.length, 0);
  return bytes;
}

/** An OP_MSG from raw parts, length fixed up. */
function rawMsg(flags: number, ...parts: Buffer[]): Buffer {
  const prefix = header(0, OpCode.OP_MSG);
  const flagBytes = Buffer.alloc(4);
  flagBytes.writeUInt32LE(flags >>> 0);
  return withLength(Buffer.concat([prefix, flagBytes, ...parts]));
}

const goodBody = Buffer.from([0x00, 0x05, 0x00, 0x00, 0x00, 0x00]); // kind 0, {}

function fuzzCase(random: Random): FuzzCase {
  const kind = pick(random, [
    'random-bytes',
    'oversize-length',
    'undersize-length',
    'unknown-opcode',
    'compressed',
    'garbage-body',
    'garbage-body-illegal-flags',
    'garbage-body-bad-section',
    'truncated-valid',
    'mutated-valid',
    'bad-checksum',
    'bad-bson',
    'duplicate-body',
    'missing-body',
    'sequence-overrun',
    'length-mismatch-short',
  ] as const);
  switch (kind) {
    case 'random-bytes':
      return { kind, bytes: randomBytes(random, int(random, 1, 400)), mustReject: false };
    case 'oversize-length': {
      // Only the header and a little body: the server must not wait for the rest.
      const length = int(random, MAX_MESSAGE_SIZE_BYTES + 1, 0x7fffffff);
      const h = header(length, pick(random, [OpCode.OP_MSG, OpCode.OP_QUERY]));
      return { kind, bytes: Buffer.concat([h, randomBytes(random, int(random, 0, 64))]), mustReject: true };
    }
    case 'undersize-length': {
      const length = random() < 0.3 ? int(random, -0x80000000, -1) : int(random, 0, MIN_MESSAGE_LENGTH - 1);
      const h = header(length, pick(random, [OpCode.OP_MSG, OpCode.OP_QUERY]));
      return { kind, bytes: Buffer.concat([h, randomBytes(random, int(random, 0, 64))]), mustReject: true };
    }
    case 'unknown-opcode': {
      let opCode = int(random, -5, 3000);
      if (opCode === OpCode.OP_MSG || opCode === OpCode.OP_QUERY) opCode = OpCode.OP_GET_MORE;
      const length = int(random, 26, 200);
      return {
        kind,
        bytes: Buffer.concat([header(length, opCode), randomBytes(random, length - 16)]),
        mustReject: true,
      };
    }
    case 'compressed': {
      const length = int(random, 26, 200);
      const bytes = Buffer.concat([header(length, OpCode.OP_COMPRESSED), randomBytes(random, length - 16)]);
      return { kind, bytes, mustReject: true };
    }
    case 'garbage-body': {
      const length = int(random, 26, 600);
      const opCode = pick(random, [OpCode.OP_MSG, OpCode.OP_QUERY]);
      return {
        kind,
        bytes: Buffer.concat([header(length, opCode), randomBytes(random, length - 16)]),
        mustReject: false,
      };
    }
    case 'garbage-body-illegal-flags': {
      const flags = (1 << int(random, 2, 15)) | (random() < 0.5 ? 1 : 0);
      return {
        kind,
        bytes: rawMsg(flags, goodBody, randomBytes(random, int(random, 0, 100))),
        mustReject: true,
      };
    }
    case 'garbage-body-bad-section': {
      const sectionKind = int(random, 2, 255);
      const bytes = rawMsg(0, goodBody, Buffer.from([sectionKind]), randomBytes(random, int(random, 0, 100)));
      return { kind, bytes, mustReject: true };
    }
    case 'truncated-valid': {
      // The server cannot know the rest will never come; it must close once we hang up.
      const valid = validFrame(random);
      return { kind, bytes: valid.subarray(0, int(random, 1, valid.length - 1)), mustReject: false };
    }
    case 'mutated-valid': {
      const bytes = Buffer.from(validFrame(random));
      for (let i = int(random, 1, 4); i > 0; i--)
        bytes[int(random, 16, bytes.length - 1)] = int(random, 0, 255);
      if (random() < 0.5) bytes.writeInt32LE(bytes.length, 0);
      return { kind, bytes, mustReject: false };
    }
    case 'bad-checksum': {
      const bytes = pingMsg({ checksum: true });
      const at = bytes.length - 1 - int(random, 0, bytes.length - 22);
      bytes[at] ^= 1 << int(random, 0, 7);
      // A flipped bit is always detected by CRC-32C; make sure the stored value really differs.
      const ok = bytes.readUInt32LE(bytes.length - 4) === crc32c(bytes.subarray(0, bytes.length - 4));
      return { kind, bytes, mustReject: !ok };
    }
    case 'bad-bson': {
      const doc = Buffer.from([0x0c, 0, 0, 0, int(random, 0x14, 0x7e), 0x61, 0, 1, 2, 3, 4, 0]);
      return { kind, bytes: rawMsg(0, Buffer.from([0]), doc), mustReject: true };
    }
    case 'duplicate-body':
      return { kind, bytes: rawMsg(0, goodBody, goodBody), mustReject: true };
    case 'missing-body': {
      const seq = Buffer.from([0x01, 0x07, 0, 0, 0, 0x61, 0]);
      return { kind, bytes: rawMsg(0, seq), mustReject: true };
    }
    case 'sequence-overrun': {
      const seq = Buffer.from([0x01, 0, 0, 0, 0, 0x61, 0]);
      seq.writeInt32LE(int(random, 7, 5000), 1);
      return { kind, bytes: rawMsg(0, goodBody, seq), mustReject: true };
    }
    case 'length-mismatch-short': {
      // The declared length ends inside the body document: the frame is complete but malformed.
      const valid = pingMsg();
      const shorter = int(random, MIN_MESSAGE_LENGTH, valid.length - 1);
      const bytes = Buffer.from(valid.subarray(0, shorter));
      bytes.writeInt32LE(shorter, 0);
      return { kind, bytes, mustReject: true };
    }
  }
}

async function runBadConnection(
  options: WireFuzzOptions,
  random: Random,
  report: { failures: string[]; rejected: number; mustReject: number; kinds: Record<string, number> },
  seed: number,
): Promise<void> {
  const closeTimeoutMs = options.closeTimeoutMs ?? 3000;
  const client = await WireTestClient.connect(options.host, options.port);
  const prefix = Array.from({ length: int(random, 0, 2) }, () => validFrame(random));
  const fuzz = fuzzCase(random);
  report.kinds[fuzz.kind] = (report.kinds[fuzz.kind] ?? 0) + 1;
  try {
    for (const frame of prefix) await client.write(frame, random);
    await client.write(fuzz.bytes, random);
    if (fuzz.mustReject) {
      report.mustReject += 1;
      if ((await client.waitClosed(closeTimeoutMs)) && client.closedByPeer) {
        report.rejected += 1;
      } else {
        report.failures.push(
          `seed ${seed}: ${fuzz.kind} frame was not rejected (connection still open after ${closeTimeoutMs} ms): ` +
            fuzz.bytes.subarray(0, 64).toString('hex'),
        );
      }
      return;
    }
    client.end();
    if (!(await client.waitClosed(closeTimeoutMs))) {
      report.failures.push(`seed ${seed}: ${fuzz.kind} connection left open after the client hung up`);
    }
  } finally {
    client.destroy();
  }
}

async function runGoodClient(
  options: WireFuzzOptions,
  random: Random,
  isDone: () => boolean,
  stats: { requests: number; replies: number; failures: string[] },
): Promise<void> {
  const client = await WireTestClient.connect(options.host, options.port);
  try {
    while (!isDone() && stats.failures.length < 10) {
      const variant = int(random, 0, 3);
      let request: Buffer;
      let legacy = false;
      if (variant === 0) {
        request = helloQuery();
        legacy = true;
      } else if (variant === 1) {
        request = pingMsg({ checksum: true });
      } else if (variant === 2) {
        // An unacknowledged request must get no reply: the next reply must answer the ping after it.
        await client.write(pingMsg({ moreToCome: true }), random);
        request = pingMsg();
      } else {
        request = pingMsg();
      }
      const requestId = request.readInt32LE(4);
      stats.requests += 1;
      try {
        const reply = await client.request(request, random, 10_000);
        const expectedOp = legacy ? OpCode.OP_REPLY : OpCode.OP_MSG;
        if (reply.header.responseTo !== requestId || reply.header.opCode !== expectedOp) {
          stats.failures.push(
            `reply mismatch: responseTo ${reply.header.responseTo} (want ${requestId}), opCode ${reply.header.opCode}`,
          );
        } else if (okValue(reply.body) !== 1 || (legacy && (reply.flags & OpReplyFlag.queryFailure) !== 0)) {
          stats.failures.push(`good request failed: ${JSON.stringify(reply.body)}`);
        } else {
          stats.replies += 1;
        }
      } catch (err) {
        stats.failures.push(`good client: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
    }
  } finally {
    client.destroy();
  }
}

async function runDriverClient(
  options: WireFuzzOptions,
  isDone: () => boolean,
  stats: { pings: number; failures: string[] },
): Promise<void> {
  const client = new MongoClient(`mongodb://${options.host}:${options.port}/?directConnection=true`, {
    serverSelectionTimeoutMS: 5000,
    monitorCommands: false,
  });
  try {
    await client.connect();
    const admin = client.db('admin');
    do {
      const reply: Document = await admin.command({ ping: 1 });
      if (okValue(reply) !== 1) stats.failures.push(`driver ping failed: ${JSON.stringify(reply)}`);
      else stats.pings += 1;
    } while (!isDone() && stats.failures.length < 10);
  } catch (err) {
    stats.failures.push(`driver client: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await client.close();
  }
}

export async function runWireFuzz(options: WireFuzzOptions): Promise<WireFuzzReport> {
  const seed = options.seed ?? Date.now() >>> 0;
  const random = seededRandom(seed);
  const started = Date.now();
  const badReport = {
    failures: [] as string[],
    rejected: 0,
    mustReject: 0,
    kinds: {} as Record<string, number>,
  };
  const good = { requests: 0, replies: 0, failures: [] as string[] };
  const driver = { pings: 0, failures: [] as string[] };
  let done = false;
  const isDone = (): boolean => done;

  const goodRuns = Array.from({ length: options.goodClients ?? 2 }, (_, i) =>
    runGoodClient(options, seededRandom(seed + 1 + i), isDone, good),
  );
  const driverRun =
    options.driverClient === false ? Promise.resolve() : runDriverClient(options, isDone, driver);

  let next = 0;
  const worker = async (): Promise<void> => {
    // Stop early once failures pile up: a broken server should fail fast, not after every timeout.
    while (next < options.count && badReport.failures.length < 20) {
      next += 1;
      try {
        await runBadConnection(options, random, badReport, seed);
      } catch (err) {
        badReport.failures.push(
          `seed ${seed}: bad client crashed: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
  done = true;
  await Promise.all([...goodRuns, driverRun]);

  return {
    seed,
    framesSent: next,
    connections: next,
    mustReject: badReport.mustReject,
    rejectedByServer: badReport.rejected,
    failures: badReport.failures,
    goodRequests: good.requests,
    goodReplies: good.replies,
    goodFailures: [...good.failures, ...driver.failures],
    driverPings: driver.pings,
    elapsedMs: Date.now() - started,
    casesByKind: badReport.kinds,
  };
}
