/**
 * The wire layer: framing and (de)coding of MongoDB wire messages, and serving a connection.
 * It knows nothing about commands; `serveConnection` hands each decoded command to a dispatcher.
 */
export {
  CHECKSUM_SIZE,
  MAX_BSON_INTERNAL_SIZE,
  MAX_BSON_OBJECT_SIZE,
  MAX_MESSAGE_SIZE_BYTES,
  MAX_WRITE_BATCH_SIZE,
  MESSAGE_HEADER_SIZE,
  MIN_MESSAGE_LENGTH,
  OpCode,
  OpMsgFlag,
  OpReplyFlag,
  SectionKind,
  WireErrorCodes,
  type OpCodeValue,
  type WireErrorCodeName,
} from './constants.js';
export {
  serveConnection,
  type ServeConnectionOptions,
  type WireCommand,
  type WireConnection,
} from './connection.js';
export { crc32c } from './crc32c.js';
export {
  FrameReader,
  readHeader,
  validateRequestHeader,
  type Frame,
  type FrameReaderOptions,
  type MessageHeader,
} from './frame-reader.js';
export {
  encodeOpMsg,
  mergeDocumentSequences,
  parseOpMsg,
  type OpMsg,
  type OpMsgEncodeOptions,
} from './op-msg.js';
export {
  commandFromOpQuery,
  encodeOpQuery,
  encodeOpReply,
  parseOpQuery,
  parseOpReply,
  type LegacyCommand,
  type OpQuery,
  type OpQueryEncodeOptions,
  type OpReply,
  type OpReplyEncodeOptions,
} from './op-query.js';
export { nextRequestId } from './request-id.js';
export { WireProtocolError, type WireErrorReason } from './wire-protocol-error.js';
