/**
 * On-disk framing shared by journal and checkpoint files.
 *
 * A file is an 8-byte magic header followed by records:
 *   u32 LE payload length | u32 LE CRC-32 of the payload | payload (one BSON document)
 * A reader accepts records up to the first one that is torn (runs past the end of the file) or
 * corrupt (implausible length, CRC mismatch, undecodable BSON) and reports where the valid prefix
 * ends, so that the tail can be truncated. A zero-filled region (what a crash can leave after an
 * unsynced file extension) fails the length check: a BSON document is at least 5 bytes.
 */
import { crc32 } from 'node:zlib';
import { decodeDocument, type Document } from '../bson.js';

export const RECORD_HEADER_BYTES = 8;
export const FILE_HEADER_BYTES = 8;
/** Far above any batch the server accepts (16 MiB documents, 100k per batch at most in practice). */
export const MAX_RECORD_BYTES = 1024 * 1024 * 1024;

export const JOURNAL_MAGIC = Buffer.from('EMJRNL01', 'latin1');
export const CHECKPOINT_MAGIC = Buffer.from('EMCKPT01', 'latin1');

/** Frames one payload (a serialized BSON document) as a record. */
export function frameRecord(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  out.set(payload, RECORD_HEADER_BYTES);
  return out;
}

export type StopReason = 'end' | 'torn' | 'corrupt' | 'bad-header';

export interface ReadResult {
  documents: Document[];
  /** Offset just past the last valid record (the file should be truncated here if < length). */
  validBytes: number;
  stop: StopReason;
}

/**
 * Decodes the records of a whole file image. `onRecord` (if given) receives each decoded record
 * instead of collecting it, so huge checkpoints need not be held twice.
 */
export function readRecords(buf: Buffer, magic: Buffer, onRecord?: (doc: Document) => void): ReadResult {
  const documents: Document[] = [];
  if (buf.length < FILE_HEADER_BYTES) {
    // A header that never reached the disk: an empty file.
    return { documents, validBytes: 0, stop: buf.length === 0 ? 'end' : 'torn' };
  }
  if (!buf.subarray(0, FILE_HEADER_BYTES).equals(magic))
    return { documents, validBytes: 0, stop: 'bad-header' };
  let pos = FILE_HEADER_BYTES;
  while (pos < buf.length) {
    if (buf.length - pos < RECORD_HEADER_BYTES) return { documents, validBytes: pos, stop: 'torn' };
    const len = buf.readUInt32LE(pos);
    const sum = buf.readUInt32LE(pos + 4);
    if (len < 5 || len > MAX_RECORD_BYTES) return { documents, validBytes: pos, stop: 'corrupt' };
    const start = pos + RECORD_HEADER_BYTES;
    if (buf.length - start < len) return { documents, validBytes: pos, stop: 'torn' };
    const payload = buf.subarray(start, start + len);
    if (crc32(payload) !== sum || payload.readInt32LE(0) !== len) {
      return { documents, validBytes: pos, stop: 'corrupt' };
    }
    let doc: Document;
    try {
      doc = decodeDocument(payload);
    } catch {
      return { documents, validBytes: pos, stop: 'corrupt' };
    }
    if (onRecord) onRecord(doc);
    else documents.push(doc);
    pos = start + len;
  }
  return { documents, validBytes: pos, stop: 'end' };
}
