/**
 * Incremental framing of a TCP byte stream into whole wire messages.
 *
 * Contract:
 * - `push(chunk)` accepts bytes in any split and returns every message completed by them, in order.
 * - A header is validated as soon as its 16 bytes have arrived, so a frame declaring a bad length
 *   (or an opcode the server does not serve) is rejected before any of its body is buffered; after
 *   that the reader is poisoned and rethrows the same WireProtocolError.
 * - Memory is bounded by what actually arrived: nothing is preallocated from a declared length.
 * - No quadratic copying: chunks are kept in a list; a message lying inside one chunk is returned as
 *   a zero-copy view, a message spanning chunks is copied exactly once into its own buffer.
 */
import {
  MAX_MESSAGE_SIZE_BYTES,
  MESSAGE_HEADER_SIZE,
  MIN_MESSAGE_LENGTH,
  MIN_OP_MSG_LENGTH,
  MIN_OP_QUERY_LENGTH,
  OpCode,
} from './constants.js';
import { WireProtocolError } from './wire-protocol-error.js';

export interface MessageHeader {
  /** Total message size in bytes, header included. */
  readonly messageLength: number;
  readonly requestId: number;
  readonly responseTo: number;
  readonly opCode: number;
}

export interface Frame {
  readonly header: MessageHeader;
  /** The whole message, header included (`bytes.length === header.messageLength`). */
  readonly bytes: Buffer;
}

export interface FrameReaderOptions {
  /** Largest accepted messageLength; default MAX_MESSAGE_SIZE_BYTES. */
  readonly maxMessageSize?: number;
  /** Smallest accepted messageLength; default MIN_MESSAGE_LENGTH. */
  readonly minMessageSize?: number;
  /** Extra checks on a header (opcode, per-opcode minimum); throw a WireProtocolError to reject. */
  readonly validateHeader?: (header: MessageHeader) => void;
}

export function readHeader(bytes: Uint8Array, offset = 0): MessageHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, MESSAGE_HEADER_SIZE);
  return {
    messageLength: view.getInt32(0, true),
    requestId: view.getInt32(4, true),
    responseTo: view.getInt32(8, true),
    opCode: view.getInt32(12, true),
  };
}

/** What a server accepts from clients: OP_MSG, and OP_QUERY for the legacy handshake. */
export function validateRequestHeader(header: MessageHeader): void {
  switch (header.opCode) {
    case OpCode.OP_MSG:
      if (header.messageLength < MIN_OP_MSG_LENGTH) {
        throw new WireProtocolError(
          'MessageTooSmall',
          `OP_MSG of ${header.messageLength} bytes is too short`,
        );
      }
      return;
    case OpCode.OP_QUERY:
      if (header.messageLength < MIN_OP_QUERY_LENGTH) {
        throw new WireProtocolError(
          'MessageTooSmall',
          `OP_QUERY of ${header.messageLength} bytes is too short`,
        );
      }
      return;
    case OpCode.OP_COMPRESSED:
      throw new WireProtocolError(
        'CompressionNotSupported',
        'OP_COMPRESSED is not supported (no compressor advertised)',
      );
    default:
      throw new WireProtocolError('UnsupportedOpCode', `unsupported opCode ${header.opCode}`);
  }
}

export class FrameReader {
  private readonly maxMessageSize: number;
  private readonly minMessageSize: number;
  private readonly validateHeader: (header: MessageHeader) => void;
  /** Unconsumed input; `chunks[0]` is consumed up to `headOffset`. */
  private readonly chunks: Buffer[] = [];
  private headOffset = 0;
  private buffered = 0;
  /** Header of the message being assembled, once validated. */
  private pending: MessageHeader | null = null;
  private failure: WireProtocolError | null = null;

  constructor(options: FrameReaderOptions = {}) {
    this.maxMessageSize = options.maxMessageSize ?? MAX_MESSAGE_SIZE_BYTES;
    this.minMessageSize = options.minMessageSize ?? MIN_MESSAGE_LENGTH;
    this.validateHeader = options.validateHeader ?? validateRequestHeader;
  }

  /** Bytes received but not yet returned as part of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The error that poisoned this reader, if any. */
  get error(): WireProtocolError | null {
    return this.failure;
  }

  /**
   * Appends `chunk` and returns the frames it completes, in order. A bad header throws its
   * WireProtocolError, except when frames were completed before it by this same call: those are
   * returned first, `error` is set, and the next call throws.
   */
  push(chunk: Buffer): Frame[] {
    if (this.failure) throw this.failure;
    const frames: Frame[] = [];
    if (chunk.length === 0) return frames;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      for (;;) {
        if (this.pending === null) {
          if (this.buffered < MESSAGE_HEADER_SIZE) break;
          this.pending = this.checkHeader(this.peekHeader());
        }
        if (this.buffered < this.pending.messageLength) break;
        frames.push({ header: this.pending, bytes: this.take(this.pending.messageLength) });
        this.pending = null;
      }
    } catch (err) {
      if (frames.length === 0) throw err;
    }
    return frames;
  }

  private checkHeader(header: MessageHeader): MessageHeader {
    try {
      if (header.messageLength < this.minMessageSize) {
        throw new WireProtocolError(
          'MessageTooSmall',
          `messageLength ${header.messageLength} is below the minimum of ${this.minMessageSize}`,
        );
      }
      if (header.messageLength > this.maxMessageSize) {
        throw new WireProtocolError(
          'MessageTooLarge',
          `messageLength ${header.messageLength} exceeds maxMessageSizeBytes ${this.maxMessageSize}`,
        );
      }
      this.validateHeader(header);
    } catch (err) {
      this.failure =
        err instanceof WireProtocolError ? err : new WireProtocolError('MalformedHeader', String(err));
      this.chunks.length = 0;
      this.buffered = 0;
      throw this.failure;
    }
    return header;
  }

  private peekHeader(): MessageHeader {
    const first = this.chunks[0];
    if (first.length - this.headOffset >= MESSAGE_HEADER_SIZE) return readHeader(first, this.headOffset);
    const scratch = Buffer.allocUnsafe(MESSAGE_HEADER_SIZE);
    this.copyOut(scratch, MESSAGE_HEADER_SIZE);
    return readHeader(scratch);
  }

  /** Copies the first `length` unconsumed bytes into `target` without consuming them. */
  private copyOut(target: Buffer, length: number): void {
    let written = 0;
    let offset = this.headOffset;
    let index = 0;
    while (written < length) {
      const chunk = this.chunks[index];
      const n = Math.min(chunk.length - offset, length - written);
      chunk.copy(target, written, offset, offset + n);
      written += n;
      if (offset + n === chunk.length) {
        index += 1;
        offset = 0;
      } else {
        offset += n;
      }
    }
  }

  private take(length: number): Buffer {
    const first = this.chunks[0];
    const start = this.headOffset;
    let out: Buffer;
    if (first.length - start >= length) {
      out = first.subarray(start, start + length);
      this.headOffset += length;
      if (this.headOffset === first.length) {
        this.chunks.shift();
        this.headOffset = 0;
      }
    } else {
      out = Buffer.allocUnsafe(length);
      // Drop every chunk fully copied in one splice; keep the remainder of a partially used one.
      let remaining = length;
      let fullyUsed = 0;
      let offset = start;
      for (const chunk of this.chunks) {
        const n = Math.min(chunk.length - offset, remaining);
        chunk.copy(out, length - remaining, offset, offset + n);
        remaining -= n;
        if (offset + n === chunk.length) {
          fullyUsed += 1;
          offset = 0;
        } else {
          offset += n;
        }
        if (remaining === 0) break;
      }
      this.chunks.splice(0, fullyUsed);
      this.headOffset = offset;
    }
    this.buffered -= length;
    return out;
  }
}
