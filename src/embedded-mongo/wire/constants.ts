/**
 * Wire-protocol numbers: opcodes, flag bits, and the size limits the server enforces on the wire.
 * `hello` must advertise the same limits (import them from here) so that what the driver is told
 * and what the framing layer accepts can never drift apart.
 */

/** Opcodes of the MongoDB wire protocol. Only OP_QUERY (handshake/commands) and OP_MSG are served. */
export const OpCode = Object.freeze({
  OP_REPLY: 1,
  OP_UPDATE: 2001,
  OP_INSERT: 2002,
  OP_QUERY: 2004,
  OP_GET_MORE: 2005,
  OP_DELETE: 2006,
  OP_KILL_CURSORS: 2007,
  /** Not supported: the server never advertises a compressor, so a conforming driver never sends it. */
  OP_COMPRESSED: 2012,
  OP_MSG: 2013,
} as const);

export type OpCodeValue = (typeof OpCode)[keyof typeof OpCode];

/** messageLength, requestID, responseTo, opCode: four little-endian int32. */
export const MESSAGE_HEADER_SIZE = 16;

/** OP_MSG flagBits. Bits 0-15 are "required" (unknown ones set = error), bits 16-31 optional. */
export const OpMsgFlag = Object.freeze({
  checksumPresent: 1 << 0,
  moreToCome: 1 << 1,
  exhaustAllowed: 1 << 16,
} as const);

/** Required bits this server understands; any other bit in 0-15 makes the message illegal. */
export const OP_MSG_SUPPORTED_REQUIRED_FLAGS = OpMsgFlag.checksumPresent | OpMsgFlag.moreToCome;
export const OP_MSG_REQUIRED_FLAGS_MASK = 0xffff;

/** OP_MSG section payload types. */
export const SectionKind = Object.freeze({ body: 0, documentSequence: 1 } as const);

/** OP_REPLY responseFlags. */
export const OpReplyFlag = Object.freeze({
  cursorNotFound: 1 << 0,
  queryFailure: 1 << 1,
  shardConfigStale: 1 << 2,
  awaitCapable: 1 << 3,
} as const);

/** Size of an OP_MSG checksum trailer (crc32c, uint32 LE). */
export const CHECKSUM_SIZE = 4;

/** Smallest BSON document: int32 length + terminating 0x00. */
export const MIN_BSON_DOCUMENT_SIZE = 5;

/** header + flagBits + one kind-0 section holding an empty document. */
export const MIN_OP_MSG_LENGTH = MESSAGE_HEADER_SIZE + 4 + 1 + MIN_BSON_DOCUMENT_SIZE;

/** header + flags + empty cstring + numberToSkip + numberToReturn + empty query document. */
export const MIN_OP_QUERY_LENGTH = MESSAGE_HEADER_SIZE + 4 + 1 + 4 + 4 + MIN_BSON_DOCUMENT_SIZE;

/** Smallest message any served opcode can have; shorter declared lengths are rejected at the header. */
export const MIN_MESSAGE_LENGTH = Math.min(MIN_OP_MSG_LENGTH, MIN_OP_QUERY_LENGTH);

/** hello.maxBsonObjectSize: the largest user document. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;

/**
 * Largest document the server builds or accepts internally (command bodies and replies may wrap a
 * maximum-size user document plus some fields), as mongod's BSONObjMaxInternalSize.
 */
export const MAX_BSON_INTERNAL_SIZE = MAX_BSON_OBJECT_SIZE + 16 * 1024;

/** hello.maxMessageSizeBytes: the largest whole message, header included. */
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;

/** hello.maxWriteBatchSize. */
export const MAX_WRITE_BATCH_SIZE = 100_000;

/**
 * Error codes the wire layer reports that the shared table in `../errors.ts` does not (yet) hold.
 * Numbers and names are mongod's own.
 */
export const WireErrorCodes = Object.freeze({
  ProtocolError: 17,
  InvalidBSON: 22,
  IllegalOpMsgFlag: 223,
  TooManyDocumentSequences: 233,
  ChecksumMismatch: 288,
  UnsupportedOpQueryCommand: 352,
  BSONObjectTooLarge: 10334,
  /** "Multiple body sections in message". */
  Location40430: 40430,
  /** "Duplicate document sequence". */
  Location40431: 40431,
  /** "Unknown section kind". */
  Location40432: 40432,
  /** "Duplicate field between body and document sequence". */
  Location40433: 40433,
  /** "OP_MSG messages must have a body". */
  Location40587: 40587,
  /** mongod's reply to an OP_QUERY that is not a command ("OP_QUERY is no longer supported"). */
  Location5739101: 5739101,
} as const);

export type WireErrorCodeName = keyof typeof WireErrorCodes;
