import { WireErrorCodes, type WireErrorCodeName } from './constants.js';

/** Why a message was rejected; stable strings for logs and tests. */
export type WireErrorReason =
  | 'MalformedHeader'
  | 'MessageTooSmall'
  | 'MessageTooLarge'
  | 'UnsupportedOpCode'
  | 'CompressionNotSupported'
  | 'LengthMismatch'
  | 'IllegalFlags'
  | 'ChecksumMismatch'
  | 'Truncated'
  | 'MissingBody'
  | 'MultipleBodySections'
  | 'UnknownSectionKind'
  | 'InvalidSequenceIdentifier'
  | 'DuplicateDocumentSequence'
  | 'DuplicateBodyField'
  | 'InvalidDocumentLength'
  | 'InvalidBSON'
  | 'InvalidNamespace';

/**
 * A message that breaks the wire protocol. Framing and structural errors make the connection
 * unusable (the byte stream can no longer be trusted), so the connection closes the socket; the
 * MongoDB code and name are kept for logs and for the few cases answered with an error reply.
 */
export class WireProtocolError extends Error {
  readonly reason: WireErrorReason;
  readonly code: number;
  readonly codeName: string;

  constructor(reason: WireErrorReason, message: string, codeName: WireErrorCodeName = 'ProtocolError') {
    super(message);
    this.name = 'WireProtocolError';
    this.reason = reason;
    this.code = WireErrorCodes[codeName];
    this.codeName = codeName;
  }
}
