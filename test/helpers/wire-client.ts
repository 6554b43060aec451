/**
 * A raw wire-protocol client for tests: sends exact bytes (optionally split into random chunks)
 * and reads replies (OP_MSG or OP_REPLY) frame by frame, recording how the connection ended.
 * It works against any MongoDB-compatible server, the embedded one included.
 */
import net from 'node:net';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Document } from '../../src/embedded-mongo/bson.js';
import {
  FrameReader,
  OpCode,
  WireProtocolError,
  parseOpMsg,
  parseOpReply,
  type MessageHeader,
} from '../../src/embedded-mongo/wire/index.js';

export interface WireReply {
  readonly header: MessageHeader;
  readonly bytes: Buffer;
  /** The OP_MSG body, or the first OP_REPLY document. */
  readonly body: Document;
  /** OP_MSG flagBits, or OP_REPLY responseFlags. */
  readonly flags: number;
}

/** A source of randomness in [0, 1). */
export type Random = () => number;

function validateReplyHeader(header: MessageHeader): void {
  if (header.opCode !== OpCode.OP_MSG && header.opCode !== OpCode.OP_REPLY) {
    throw new WireProtocolError('UnsupportedOpCode', `server sent opCode ${header.opCode}`);
  }
}

export class WireTestClient {
  /** True once the server closed or reset the connection (before or after our own end()). */
  closedByPeer = false;
  /** True once we ended or destroyed our side. */
  endedByUs = false;
  /** Set when the server sent something that is not a well-formed reply. */
  protocolViolation: Error | null = null;
  readonly closed: Promise<void>;
  private readonly reader = new FrameReader({ validateHeader: validateReplyHeader });
  private readonly replies: WireReply[] = [];
  private waiter: (() => void) | null = null;
  private isClosed = false;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      });
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      if (!this.endedByUs) this.closedByPeer = true;
    });
    socket.on('error', () => {
      if (!this.endedByUs) this.closedByPeer = true;
    });
  }

  static connect(host: string, port: number): Promise<WireTestClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new WireTestClient(socket));
      });
    });
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** Replies received and not yet taken. */
  get pendingReplies(): number {
    return this.replies.length;
  }

  /** Writes `bytes`, split into up to `maxChunks` random pieces with event-loop turns between them. */
  async write(bytes: Buffer, random?: Random, maxChunks = 4): Promise<void> {
    if (!random || bytes.length < 2) {
      this.writeChunk(bytes);
      return;
    }
    const pieces = 1 + Math.floor(random() * maxChunks);
    const cuts = Array.from({ length: pieces - 1 }, () => 1 + Math.floor(random() * (bytes.length - 1))).sort(
      (a, b) => a - b,
    );
    let start = 0;
    for (const cut of [...cuts, bytes.length]) {
      if (cut <= start) continue;
      this.writeChunk(bytes.subarray(start, cut));
      start = cut;
      if (random() < 0.5) await yieldToLoop();
    }
  }

  private writeChunk(bytes: Buffer): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(bytes);
  }

  /** The next reply, or an error if none arrives within `timeoutMs` or the connection closes first. */
  async nextReply(timeoutMs = 5000): Promise<WireReply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.replies.shift();
      if (reply) return reply;
      if (this.protocolViolation) throw this.protocolViolation;
      if (this.isClosed) throw new Error('connection closed while waiting for a reply');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms`);
      await this.waitForEvent(left);
    }
  }

  /** Sends one request and returns its reply. */
  async request(bytes: Buffer, random?: Random, timeoutMs = 5000): Promise<WireReply> {
    await this.write(bytes, random);
    return this.nextReply(timeoutMs);
  }

  /** Resolves true if the connection closes within `timeoutMs`. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isClosed) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await this.waitForEvent(left);
    }
    return true;
  }

  /** Half-closes our side (FIN). */
  end(): void {
    this.endedByUs = true;
    this.socket.end();
  }

  destroy(): void {
    this.endedByUs = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    try {
      for (const frame of this.reader.push(chunk)) {
        if (frame.header.opCode === OpCode.OP_MSG) {
          const msg = parseOpMsg(frame.bytes);
          this.replies.push({ header: frame.header, bytes: frame.bytes, body: msg.body, flags: msg.flags });
        } else {
          const reply = parseOpReply(frame.bytes);
          const body = reply.documents[0] ?? {};
          this.replies.push({ header: frame.header, bytes: frame.bytes, body, flags: reply.responseFlags });
        }
      }
    } catch (err) {
      this.protocolViolation = err instanceof Error ? err : new Error(String(err));
    }
    this.wake();
  }

  private waitForEvent(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve();
      }, timeoutMs);
      this.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}

/** Numeric value of a reply's `ok` (Int32, Double or plain number). */
export function okValue(body: Document): number {
  const ok = body.ok;
  if (typeof ok === 'number') return ok;
  if (typeof ok === 'boolean') return ok ? 1 : 0;
  if (typeof ok === 'object' && ok !== null && 'valueOf' in ok) return Number(ok.valueOf());
  return NaN;
}
