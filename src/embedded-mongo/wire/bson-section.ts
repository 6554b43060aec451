/**
 * Reading the pieces OP_MSG and OP_QUERY are made of (BSON documents, cstrings, int32) out of a
 * message with strict bounds: every declared length is checked against the bytes that remain
 * before anything is decoded, and every failure is a WireProtocolError (never a RangeError).
 */
import { decodeDocument, type Document } from '../bson.js';
import { MAX_BSON_INTERNAL_SIZE, MIN_BSON_DOCUMENT_SIZE } from './constants.js';
import { WireProtocolError } from './wire-protocol-error.js';

/** Length of the BSON document starting at `offset`, checked against `end` (exclusive). */
export function documentLengthAt(bytes: Buffer, offset: number, end: number, what: string): number {
  if (end - offset < 4) {
    throw new WireProtocolError(
      'Truncated',
      `${what}: ${end - offset} bytes left, a document needs at least 5`,
    );
  }
  const length = bytes.readInt32LE(offset);
  if (length < MIN_BSON_DOCUMENT_SIZE || length > MAX_BSON_INTERNAL_SIZE) {
    throw new WireProtocolError('InvalidDocumentLength', `${what}: invalid BSON document length ${length}`);
  }
  if (length > end - offset) {
    throw new WireProtocolError(
      'Truncated',
      `${what}: BSON document of ${length} bytes overruns its section (${end - offset} bytes left)`,
    );
  }
  if (bytes[offset + length - 1] !== 0) {
    throw new WireProtocolError(
      'InvalidBSON',
      `${what}: BSON document is not terminated by 0x00`,
      'InvalidBSON',
    );
  }
  return length;
}

/** Decodes the document of `length` bytes at `offset` (a view, not a copy, of `bytes`). */
export function decodeDocumentAt(bytes: Buffer, offset: number, length: number, what: string): Document {
  try {
    return decodeDocument(bytes.subarray(offset, offset + length));
  } catch (err) {
    throw new WireProtocolError(
      'InvalidBSON',
      `${what}: invalid BSON (${err instanceof Error ? err.message : String(err)})`,
      'InvalidBSON',
    );
  }
}

/** Reads a NUL-terminated UTF-8 string; returns it and the offset just past its terminator. */
export function readCString(bytes: Buffer, offset: number, end: number, what: string): [string, number] {
  const nul = bytes.indexOf(0, offset);
  if (nul < 0 || nul >= end) throw new WireProtocolError('Truncated', `${what}: unterminated cstring`);
  return [bytes.toString('utf8', offset, nul), nul + 1];
}

/** A plain decoded sub-document (not an array, not a BSON value class such as ObjectId). */
export function isPlainDocument(value: unknown): value is Document {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
