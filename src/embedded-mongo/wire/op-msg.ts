/**
 * OP_MSG (opcode 2013): parsing requests strictly and encoding replies.
 *
 * Parsing promises: the declared length equals the bytes given; unknown required flag bits (0-15)
 * are rejected, optional ones (16-31) ignored; a present checksum is verified; exactly one kind-0
 * body; kind-1 sequences with unique, non-empty identifiers; sections fill the message exactly; every
 * document length is checked against the bytes that remain before it is decoded. Any violation is
 * a WireProtocolError. Decoded documents keep BSON types (see ../bson.ts) and may be views of the
 * message bytes (Binary values are), so code that keeps them for long should copy them.
 */
import { encodeDocument, type Document } from '../bson.js';
import {
  CHECKSUM_SIZE,
  MESSAGE_HEADER_SIZE,
  OP_MSG_REQUIRED_FLAGS_MASK,
  OP_MSG_SUPPORTED_REQUIRED_FLAGS,
  OpCode,
  OpMsgFlag,
  SectionKind,
} from './constants.js';
import { decodeDocumentAt, documentLengthAt, readCString } from './bson-section.js';
import { crc32c } from './crc32c.js';
import { readHeader } from './frame-reader.js';
import { WireProtocolError } from './wire-protocol-error.js';

export interface OpMsg {
  readonly requestId: number;
  readonly responseTo: number;
  /** Raw flagBits (uint32). */
  readonly flags: number;
  readonly checksumPresent: boolean;
  readonly moreToCome: boolean;
  readonly exhaustAllowed: boolean;
  /** The kind-0 section. */
  readonly body: Document;
  /** Kind-1 document sequences by identifier, in message order. */
  readonly sequences: Map<string, Document[]>;
}

/** Offset of the first section: header + flagBits. */
const SECTIONS_OFFSET = MESSAGE_HEADER_SIZE + 4;

export function parseOpMsg(message: Buffer): OpMsg {
  if (message.length < SECTIONS_OFFSET + 1) {
    throw new WireProtocolError('MessageTooSmall', `OP_MSG of ${message.length} bytes is too short`);
  }
  const header = readHeader(message);
  if (header.opCode !== OpCode.OP_MSG) {
    throw new WireProtocolError('UnsupportedOpCode', `expected OP_MSG, got opCode ${header.opCode}`);
  }
  if (header.messageLength !== message.length) {
    throw new WireProtocolError(
      'LengthMismatch',
      `messageLength ${header.messageLength} does not match the ${message.length} bytes received`,
    );
  }
  const flags = message.readUInt32LE(MESSAGE_HEADER_SIZE);
  const unknownRequired = flags & OP_MSG_REQUIRED_FLAGS_MASK & ~OP_MSG_SUPPORTED_REQUIRED_FLAGS;
  if (unknownRequired !== 0) {
    throw new WireProtocolError(
      'IllegalFlags',
      `Message contains illegal flags value: 0b${flags.toString(2).padStart(32, '0')}`,
      'IllegalOpMsgFlag',
    );
  }
  const checksumPresent = (flags & OpMsgFlag.checksumPresent) !== 0;
  let end = message.length;
  if (checksumPresent) {
    end -= CHECKSUM_SIZE;
    if (end <= SECTIONS_OFFSET) {
      throw new WireProtocolError('Truncated', 'OP_MSG with checksumPresent has no room for sections');
    }
    const expected = message.readUInt32LE(end);
    const actual = crc32c(message.subarray(0, end));
    if (expected !== actual) {
      throw new WireProtocolError(
        'ChecksumMismatch',
        'OP_MSG checksum does not match contents',
        'ChecksumMismatch',
      );
    }
  }

  let body: Document | undefined;
  const sequences = new Map<string, Document[]>();
  let offset = SECTIONS_OFFSET;
  while (offset < end) {
    const kind = message[offset];
    offset += 1;
    if (kind === SectionKind.body) {
      if (body !== undefined) {
        throw new WireProtocolError(
          'MultipleBodySections',
          'Multiple body sections in message',
          'Location40430',
        );
      }
      const length = documentLengthAt(message, offset, end, 'OP_MSG body');
      body = decodeDocumentAt(message, offset, length, 'OP_MSG body');
      offset += length;
    } else if (kind === SectionKind.documentSequence) {
      offset = parseSequence(message, offset, end, sequences);
    } else {
      throw new WireProtocolError('UnknownSectionKind', `Unknown section kind ${kind}`, 'Location40432');
    }
  }
  if (body === undefined) {
    throw new WireProtocolError('MissingBody', 'OP_MSG messages must have a body', 'Location40587');
  }
  return {
    requestId: header.requestId,
    responseTo: header.responseTo,
    flags,
    checksumPresent,
    moreToCome: (flags & OpMsgFlag.moreToCome) !== 0,
    exhaustAllowed: (flags & OpMsgFlag.exhaustAllowed) !== 0,
    body,
    sequences,
  };
}

/** Parses one kind-1 payload starting at its size field; returns the offset just past it. */
function parseSequence(message: Buffer, offset: number, end: number, into: Map<string, Document[]>): number {
  if (end - offset < 4) throw new WireProtocolError('Truncated', 'document sequence size is truncated');
  const size = message.readInt32LE(offset);
  // size counts itself and at least the identifier's terminator.
  if (size < 4 + 1 || size > end - offset) {
    throw new WireProtocolError(
      'Truncated',
      `document sequence size ${size} is invalid (${end - offset} bytes left in the message)`,
    );
  }
  const sectionEnd = offset + size;
  const [identifier, docsStart] = readCString(
    message,
    offset + 4,
    sectionEnd,
    'document sequence identifier',
  );
  if (identifier.length === 0) {
    throw new WireProtocolError('InvalidSequenceIdentifier', 'document sequence identifier is empty');
  }
  if (into.has(identifier)) {
    throw new WireProtocolError(
      'DuplicateDocumentSequence',
      `Duplicate document sequence: ${identifier}`,
      'Location40431',
    );
  }
  const documents: Document[] = [];
  const what = `document sequence '${identifier}'`;
  let cursor = docsStart;
  while (cursor < sectionEnd) {
    const length = documentLengthAt(message, cursor, sectionEnd, what);
    documents.push(decodeDocumentAt(message, cursor, length, what));
    cursor += length;
  }
  into.set(identifier, documents);
  return sectionEnd;
}

/**
 * The command as one document: the body with each kind-1 sequence added as an array field named by
 * its identifier (`documents`, `updates`, `deletes`, `ops`, `nsInfo`...), after the body's own
 * fields so the command name stays first. Mutates and returns `msg.body`. A sequence whose
 * identifier is also a body field is rejected (mongod's 40433), as the command would be ambiguous.
 */
export function mergeDocumentSequences(msg: Pick<OpMsg, 'body' | 'sequences'>): Document {
  const { body, sequences } = msg;
  for (const [identifier, documents] of sequences) {
    if (Object.prototype.hasOwnProperty.call(body, identifier)) {
      throw new WireProtocolError(
        'DuplicateBodyField',
        `Duplicate field between body and document sequence ${identifier}`,
        'Location40433',
      );
    }
    // defineProperty, not assignment: an identifier such as "__proto__" must stay a plain field.
    Object.defineProperty(body, identifier, {
      value: documents,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return body;
}

export interface OpMsgEncodeOptions {
  readonly requestId: number;
  /** requestId of the request this answers; 0 for requests. */
  readonly responseTo?: number;
  /** On a reply: more replies follow (exhaust). On a request: no reply wanted. */
  readonly moreToCome?: boolean;
  /** Requests only: the sender accepts exhaust replies. */
  readonly exhaustAllowed?: boolean;
  /** Append a crc32c checksum and set checksumPresent. */
  readonly checksum?: boolean;
  /** Kind-1 sections to add after the body (requests; replies never carry them). */
  readonly sequences?: Iterable<readonly [string, readonly (Document | Uint8Array)[]]>;
}

/**
 * Encodes an OP_MSG as buffers to be written in order (e.g. with a corked socket) so an encoded
 * body is never copied again. `body` may be a document or its already-encoded BSON.
 */
export function encodeOpMsg(body: Document | Uint8Array, options: OpMsgEncodeOptions): Buffer[] {
  const prefix = Buffer.allocUnsafe(SECTIONS_OFFSET + 1);
  const parts: Buffer[] = [prefix, toBson(body)];
  let length = prefix.length + parts[1].length;
  for (const [identifier, documents] of options.sequences ?? []) {
    const name = Buffer.from(identifier, 'utf8');
    const sectionHeader = Buffer.allocUnsafe(1 + 4 + name.length + 1);
    parts.push(sectionHeader);
    let size = 4 + name.length + 1;
    for (const doc of documents) {
      const bytes = toBson(doc);
      parts.push(bytes);
      size += bytes.length;
    }
    sectionHeader[0] = SectionKind.documentSequence;
    sectionHeader.writeInt32LE(size, 1);
    name.copy(sectionHeader, 5);
    sectionHeader[5 + name.length] = 0;
    length += 1 + size;
  }
  let flags = 0;
  if (options.moreToCome) flags |= OpMsgFlag.moreToCome;
  if (options.exhaustAllowed) flags |= OpMsgFlag.exhaustAllowed;
  if (options.checksum) {
    flags |= OpMsgFlag.checksumPresent;
    length += CHECKSUM_SIZE;
  }
  prefix.writeInt32LE(length, 0);
  prefix.writeInt32LE(options.requestId, 4);
  prefix.writeInt32LE(options.responseTo ?? 0, 8);
  prefix.writeInt32LE(OpCode.OP_MSG, 12);
  prefix.writeUInt32LE(flags >>> 0, 16);
  prefix[SECTIONS_OFFSET] = SectionKind.body;
  if (options.checksum) {
    let crc = 0;
    for (const part of parts) crc = crc32c(part, crc);
    const trailer = Buffer.allocUnsafe(CHECKSUM_SIZE);
    trailer.writeUInt32LE(crc, 0);
    parts.push(trailer);
  }
  return parts;
}

function toBson(doc: Document | Uint8Array): Buffer {
  if (doc instanceof Uint8Array) {
    return Buffer.isBuffer(doc) ? doc : Buffer.from(doc.buffer, doc.byteOffset, doc.byteLength);
  }
  return encodeDocument(doc);
}
