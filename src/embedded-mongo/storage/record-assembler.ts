/**
 * Assembles journal and checkpoint records (records.ts framing around one BSON document of the
 * form `{...head, [name]: [doc, doc, ...]}`) in one growable buffer reused from record to record.
 *
 * Why not serialize() per document and concatenate: every Buffer is memory outside V8's heap,
 * and V8 starts a full mark of the heap each time some tens of MiB of such memory were allocated.
 * The embedded server's heap holds all its data (4 GiB at 100k orders), and encoding each
 * document three or four times over (document, element, array, frame) made the journal and the
 * checkpoints trigger most of those marks: 35-45 % of the server's time in a rebuild at 100k
 * orders went to garbage collection. Here a record costs no allocation once the buffer has grown
 * to the largest record; the journal copies each record out once (it is written later), the
 * checkpoint writes straight from the buffer.
 */
import { crc32 } from 'node:zlib';
import { serializeWithBufferAndIndex, type Document } from '../bson.js';
import { RECORD_HEADER_BYTES } from './records.js';

const BSON_DOCUMENT = 0x03;
const BSON_ARRAY = 0x04;
/** A serialized document is at most 16 MiB; more room than this never helps a RangeError. */
const MAX_GROWTH_STEP = 32 * 1024 * 1024;
const SERIALIZE = { ignoreUndefined: false } as const;

export class RecordAssembler {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 1024 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /**
   * The framed record (header and payload) of `{...head, [name]: docs}`. The view is valid until
   * the next call: copy it to keep it.
   */
  frameDocumentArray(head: Document, name: string, docs: readonly Document[]): Buffer {
    this.pos = 0;
    this.ensure(RECORD_HEADER_BYTES);
    this.pos = RECORD_HEADER_BYTES;
    const outer = this.lengthPlaceholder();
    this.elementsOf(head);
    this.byte(BSON_ARRAY);
    this.cstring(name);
    const array = this.lengthPlaceholder();
    for (let i = 0; i < docs.length; i++) {
      this.byte(BSON_DOCUMENT);
      this.cstring(String(i));
      this.document(docs[i]!);
    }
    this.byte(0);
    this.patchLength(array);
    this.byte(0);
    this.patchLength(outer);
    const payload = this.buf.subarray(RECORD_HEADER_BYTES, this.pos);
    this.buf.writeUInt32LE(payload.length, 0);
    this.buf.writeUInt32LE(crc32(payload), 4);
    return this.buf.subarray(0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  private cstring(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.ensure(n + 1);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += n;
    this.buf[this.pos++] = 0;
  }

  private lengthPlaceholder(): number {
    this.ensure(4);
    const at = this.pos;
    this.pos += 4;
    return at;
  }

  private patchLength(at: number): void {
    this.buf.writeInt32LE(this.pos - at, at);
  }

  /** One whole document (length, elements, terminator) at the current position. */
  private document(doc: Document): void {
    for (;;) {
      try {
        this.pos = serializeWithBufferAndIndex(doc, this.buf, { ...SERIALIZE, index: this.pos }) + 1;
        return;
      } catch (e) {
        // The copy into our buffer did not fit: grow and serialize again (anything else, and a
        // RangeError with ample room, e.g. a stack overflow on deep nesting, is rethrown).
        // (By name: an error of another realm, e.g. a test sandbox's, fails `instanceof`.)
        const rangeError = (e as { name?: unknown } | null)?.name === 'RangeError';
        if (!rangeError || this.buf.length - this.pos >= MAX_GROWTH_STEP) throw e;
        this.ensure(Math.min(this.buf.length, MAX_GROWTH_STEP));
      }
    }
  }

  /** The elements of `doc` (no length prefix, no terminator) at the current position. */
  private elementsOf(doc: Document): void {
    const start = this.pos;
    this.document(doc);
    this.buf.copyWithin(start, start + 4, this.pos - 1);
    this.pos -= 5;
  }
}
