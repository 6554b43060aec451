/**
 * The one place the embedded server chooses how BSON becomes JS values.
 *
 * Values keep their exact BSON type: int32 -> Int32, double -> Double, int64 -> Long,
 * decimal -> Decimal128, regex -> BSONRegExp. Plain JS numbers may also appear in values the
 * server computes itself; they serialize as int32 when integral and in range, else double, and
 * `values/types.ts` reports the same type for them. Stored documents are treated as immutable:
 * code that changes a document works on a copy (see values/clone.ts).
 */
import { deserialize, serialize, calculateObjectSize, type DeserializeOptions } from 'bson';

export * from 'bson';

/** A BSON document as the server holds it. */
export type Document = Record<string, unknown>;

export const DESERIALIZE_OPTIONS: DeserializeOptions = Object.freeze({
  promoteValues: false,
  promoteBuffers: false,
  promoteLongs: false,
  bsonRegExp: true,
  useBigInt64: false,
  validation: { utf8: false },
});

export function decodeDocument(bytes: Uint8Array): Document {
  return deserialize(bytes, DESERIALIZE_OPTIONS) as Document;
}

export function encodeDocument(doc: Document): Buffer {
  return Buffer.from(serialize(doc, { ignoreUndefined: false }));
}

export function bsonSize(doc: Document): number {
  return calculateObjectSize(doc);
}
