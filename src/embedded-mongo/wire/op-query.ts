/**
 * Legacy OP_QUERY (2004) and OP_REPLY (1). The Node driver sends its first message on every
 * connection, the `ismaster` handshake, as an OP_QUERY on `admin.$cmd` and expects an OP_REPLY
 * (see WIRE-FACTS §1); older tools send other commands the same way. Only `<db>.$cmd` commands are
 * served: `commandFromOpQuery` returns null for anything else, which the connection answers with
 * mongod's "OP_QUERY is no longer supported" error.
 */
import { encodeDocument, type Document } from '../bson.js';
import { MESSAGE_HEADER_SIZE, OpCode } from './constants.js';
import { decodeDocumentAt, documentLengthAt, isPlainDocument, readCString } from './bson-section.js';
import { readHeader } from './frame-reader.js';
import { WireProtocolError } from './wire-protocol-error.js';

export interface OpQuery {
  readonly requestId: number;
  readonly flags: number;
  readonly fullCollectionName: string;
  readonly numberToSkip: number;
  readonly numberToReturn: number;
  readonly query: Document;
  readonly returnFieldsSelector: Document | null;
}

export function parseOpQuery(message: Buffer): OpQuery {
  const header = readHeader(message);
  if (header.opCode !== OpCode.OP_QUERY) {
    throw new WireProtocolError('UnsupportedOpCode', `expected OP_QUERY, got opCode ${header.opCode}`);
  }
  if (header.messageLength !== message.length) {
    throw new WireProtocolError(
      'LengthMismatch',
      `messageLength ${header.messageLength} does not match the ${message.length} bytes received`,
    );
  }
  const end = message.length;
  let offset = MESSAGE_HEADER_SIZE;
  if (end - offset < 4) throw new WireProtocolError('Truncated', 'OP_QUERY flags are truncated');
  const flags = message.readInt32LE(offset);
  offset += 4;
  const [fullCollectionName, afterName] = readCString(message, offset, end, 'OP_QUERY fullCollectionName');
  offset = afterName;
  if (end - offset < 8)
    throw new WireProtocolError('Truncated', 'OP_QUERY numberToSkip/numberToReturn truncated');
  const numberToSkip = message.readInt32LE(offset);
  const numberToReturn = message.readInt32LE(offset + 4);
  offset += 8;
  const queryLength = documentLengthAt(message, offset, end, 'OP_QUERY query');
  const query = decodeDocumentAt(message, offset, queryLength, 'OP_QUERY query');
  offset += queryLength;
  let returnFieldsSelector: Document | null = null;
  if (offset < end) {
    const length = documentLengthAt(message, offset, end, 'OP_QUERY returnFieldsSelector');
    returnFieldsSelector = decodeDocumentAt(message, offset, length, 'OP_QUERY returnFieldsSelector');
    offset += length;
  }
  if (offset !== end) {
    throw new WireProtocolError('LengthMismatch', `OP_QUERY has ${end - offset} bytes after its documents`);
  }
  return {
    requestId: header.requestId,
    flags,
    fullCollectionName,
    numberToSkip,
    numberToReturn,
    query,
    returnFieldsSelector,
  };
}

export interface LegacyCommand {
  readonly database: string;
  /** The command document with `$db` set from the namespace, as OP_MSG bodies carry it. */
  readonly body: Document;
}

/**
 * The command an OP_QUERY on `<db>.$cmd` carries, or null when the namespace is not a command
 * namespace. A `{$query: {...}, $readPreference}` wrapper is unwrapped (the read preference moves
 * into the command), and `$db` is set from the namespace.
 */
export function commandFromOpQuery(query: OpQuery): LegacyCommand | null {
  const ns = query.fullCollectionName;
  const dot = ns.indexOf('.');
  if (dot <= 0 || ns.slice(dot + 1) !== '$cmd') return null;
  const database = ns.slice(0, dot);
  let body = query.query;
  const wrapped = body.$query;
  if (Object.prototype.hasOwnProperty.call(body, '$query') && isPlainDocument(wrapped)) {
    const unwrapped: Document = { ...wrapped };
    if (body.$readPreference !== undefined && unwrapped.$readPreference === undefined) {
      unwrapped.$readPreference = body.$readPreference;
    }
    body = unwrapped;
  }
  body.$db = database;
  return { database, body };
}

export interface OpReplyEncodeOptions {
  readonly requestId: number;
  readonly responseTo: number;
  /** OpReplyFlag bits; 0 for command replies. */
  readonly responseFlags?: number;
}

/** Size of the OP_REPLY fields before its documents: header, flags, cursorID, startingFrom, numberReturned. */
const OP_REPLY_PREFIX_SIZE = MESSAGE_HEADER_SIZE + 4 + 8 + 4 + 4;

/** Encodes an OP_REPLY carrying one document (cursorID 0, startingFrom 0, numberReturned 1). */
export function encodeOpReply(doc: Document | Uint8Array, options: OpReplyEncodeOptions): Buffer[] {
  const body = doc instanceof Uint8Array ? asBuffer(doc) : encodeDocument(doc);
  const prefix = Buffer.alloc(OP_REPLY_PREFIX_SIZE);
  prefix.writeInt32LE(OP_REPLY_PREFIX_SIZE + body.length, 0);
  prefix.writeInt32LE(options.requestId, 4);
  prefix.writeInt32LE(options.responseTo, 8);
  prefix.writeInt32LE(OpCode.OP_REPLY, 12);
  prefix.writeInt32LE(options.responseFlags ?? 0, 16);
  // cursorID (int64) and startingFrom stay 0 from alloc.
  prefix.writeInt32LE(1, 32);
  return [prefix, body];
}

export interface OpReply {
  readonly requestId: number;
  readonly responseTo: number;
  readonly responseFlags: number;
  readonly cursorId: bigint;
  readonly startingFrom: number;
  readonly documents: Document[];
}

/** Parses an OP_REPLY strictly (used by clients in tests and tools; the server never receives one). */
export function parseOpReply(message: Buffer): OpReply {
  const header = readHeader(message);
  if (header.opCode !== OpCode.OP_REPLY) {
    throw new WireProtocolError('UnsupportedOpCode', `expected OP_REPLY, got opCode ${header.opCode}`);
  }
  if (header.messageLength !== message.length || message.length < OP_REPLY_PREFIX_SIZE) {
    throw new WireProtocolError('LengthMismatch', `OP_REPLY length ${header.messageLength} is invalid`);
  }
  const numberReturned = message.readInt32LE(32);
  const documents: Document[] = [];
  let offset = OP_REPLY_PREFIX_SIZE;
  for (let i = 0; i < numberReturned; i++) {
    const length = documentLengthAt(message, offset, message.length, 'OP_REPLY document');
    documents.push(decodeDocumentAt(message, offset, length, 'OP_REPLY document'));
    offset += length;
  }
  if (offset !== message.length) {
    throw new WireProtocolError('LengthMismatch', `OP_REPLY has ${message.length - offset} unexpected bytes`);
  }
  return {
    requestId: header.requestId,
    responseTo: header.responseTo,
    responseFlags: message.readInt32LE(16),
    cursorId: message.readBigInt64LE(20),
    startingFrom: message.readInt32LE(28),
    documents,
  };
}

export interface OpQueryEncodeOptions {
  readonly requestId: number;
  readonly flags?: number;
  readonly numberToSkip?: number;
  readonly numberToReturn?: number;
  readonly returnFieldsSelector?: Document;
}

/** Encodes an OP_QUERY (clients: tests, fuzzing, tools). */
export function encodeOpQuery(
  fullCollectionName: string,
  query: Document,
  options: OpQueryEncodeOptions,
): Buffer {
  const name = Buffer.from(fullCollectionName + '\0', 'utf8');
  const docs = [encodeDocument(query)];
  if (options.returnFieldsSelector) docs.push(encodeDocument(options.returnFieldsSelector));
  const prefix = Buffer.alloc(MESSAGE_HEADER_SIZE + 4);
  const counts = Buffer.alloc(8);
  counts.writeInt32LE(options.numberToSkip ?? 0, 0);
  counts.writeInt32LE(options.numberToReturn ?? -1, 4);
  const message = Buffer.concat([prefix, name, counts, ...docs]);
  message.writeInt32LE(message.length, 0);
  message.writeInt32LE(options.requestId, 4);
  message.writeInt32LE(0, 8);
  message.writeInt32LE(OpCode.OP_QUERY, 12);
  message.writeInt32LE(options.flags ?? 0, 16);
  return message;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
